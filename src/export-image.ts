// PNG bytes of one layer, rendered as Figma shows it (crop, effects, children included).
export async function exportPng(node: SceneNode & ExportMixin, scale: number): Promise<Uint8Array> {
  return node.exportAsync({ format: 'PNG', constraint: { type: 'SCALE', value: scale } });
}
