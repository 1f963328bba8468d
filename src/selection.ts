// Reads the selection into plain SelectionItems and says, before any work, why it cannot run.
import { renderBox } from './geometry';
import { resultSizeProblem, type SelectionItem, type SelectionState } from './protocol';

/** Upper bound for exporting an image layer above 1× (keeps a huge photo in a small frame sane). */
export const MAX_EXPORT_SCALE = 4;

function canExport(node: SceneNode): node is SceneNode & ExportMixin & LayoutMixin {
  return 'exportAsync' in node && 'width' in node && 'height' in node;
}

/** A frame or group that draws nothing: no visible fill, stroke or child. */
function drawsNothing(node: SceneNode): boolean {
  const visible = (paints: unknown) => Array.isArray(paints) && paints.some((p: Paint) => p.visible !== false);
  const hasChildren = 'children' in node && (node as ChildrenMixin).children.some((c) => c.visible);
  if (hasChildren) return false;
  if ('fills' in node && visible(node.fills)) return false;
  if ('strokes' in node && visible(node.strokes)) return false;
  return node.type === 'FRAME' || node.type === 'GROUP' || node.type === 'SECTION' || node.type === 'COMPONENT';
}

/**
 * Scale to export at: 1× for drawn layers; for a layer that is one image fill, the image's own
 * resolution (up to MAX_EXPORT_SCALE) so that a restore tool sees the pixels the user placed.
 */
export async function exportScaleFor(node: SceneNode & LayoutMixin): Promise<number> {
  if (!('fills' in node) || !Array.isArray(node.fills) || node.fills.length !== 1) return 1;
  const paint = node.fills[0] as Paint;
  if (paint.type !== 'IMAGE' || !paint.imageHash || paint.scaleMode === 'TILE') return 1;
  const image = figma.getImageByHash(paint.imageHash);
  if (!image) return 1;
  const size = await image.getSizeAsync();
  const s = Math.min(size.width / node.width, size.height / node.height);
  return Math.min(MAX_EXPORT_SCALE, Math.max(1, Math.round(s * 100) / 100));
}

/**
 * `fitWithin`: a tool that shrinks its input to a small square anyway (Sketch, Edit) exports every
 * layer at a scale that keeps its longer side within this many pixels, so a 10,000 px drawing is
 * read, not refused.
 */
export async function readSelection(nodes: readonly SceneNode[], fitWithin?: number): Promise<SelectionState> {
  if (nodes.length === 0) return { items: [], problem: { code: 'empty-selection' } };
  const items: SelectionItem[] = [];
  for (const node of nodes) {
    // exportAsync renders the render bounds (shadows, outside strokes, rotation), not the layer's box:
    // sizes and limits come from those.
    const bounds = renderBox(node);
    if (!canExport(node) || node.width < 1 || node.height < 1 || drawsNothing(node) || !bounds || bounds.width <= 0 || bounds.height <= 0) {
      return { items: [], problem: { code: 'no-pixels', nodeName: node.name } };
    }
    let exportScale = await exportScaleFor(node);
    if (fitWithin) exportScale = Math.min(exportScale, fitWithin / Math.max(bounds.width, bounds.height));
    const width = Math.max(1, Math.round(bounds.width * exportScale));
    const height = Math.max(1, Math.round(bounds.height * exportScale));
    const problem = resultSizeProblem(width, height);
    if (problem) return { items: [], problem: { code: problem, nodeName: node.name } };
    items.push({ id: node.id, name: node.name, type: node.type, width, height, exportScale });
  }
  return { items, problem: null };
}
