// What one job of a run is, per tool: which layer is exported, what goes with it to the engine (the
// inpaint mask, the sketch an edited result came from), what size must come back and what Replace
// hides. run.ts runs the jobs one after another; it knows nothing tool-specific.
import { exportPng } from './export-image';
import { exportMaskLayers, inpaintThumbnail, readInpaintSelection, type InpaintTarget } from './inpaint-selection';
import { readRelaunch } from './place-result';
import { outputSize, resultSizeProblem, type ErrorCode, type MaskLayer, type RunOptions, type SelectionItem, type SelectionProblem, type SelectionState, type ToolId } from './protocol';
import { readSelection } from './selection';
import { base64ToBytes } from './base64';

/** A job before its export: enough to say, before any work, whether it can run. */
export interface JobTarget {
  item: SelectionItem;
  /** Inpaint: the shapes that make the mask (hidden with the image on Replace). */
  shapeIds: string[];
  /** Inpaint: the image and its shapes as read when the run started (their masks are exported per job). */
  inpaint?: InpaintTarget;
}

export interface PreparedJob {
  png: Uint8Array;
  options: RunOptions;
  mask?: MaskLayer[];
  sketch?: Uint8Array;
  swatch?: Uint8Array;
}

export class JobProblem extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail = '',
    readonly nodeName?: string,
  ) {
    super(code);
  }
}

/** Sketch and Edit read a layer at most this large (longer side, pixels): the model works at 64–128. */
export const SKETCH_EXPORT_MAX = 1024;

const fitFor = (tool: ToolId) => (tool === 'sketch' || tool === 'edit' ? SKETCH_EXPORT_MAX : undefined);

export function toolOf(options: RunOptions): ToolId {
  return options.tool ?? 'restore';
}

/** The jobs a tool makes of the selection: one per layer, or (inpaint) one for the image and its shapes. */
export async function readTargets(tool: ToolId, nodes: readonly SceneNode[]): Promise<{ targets: JobTarget[]; problem: SelectionProblem | null }> {
  if (tool === 'inpaint') {
    const s = await readInpaintSelection(nodes);
    if (s.problem || !s.target || !s.item) return { targets: [], problem: s.problem ?? { code: 'mask-no-image' } };
    return { targets: [{ item: s.item, shapeIds: s.target.shapes.map((n: SceneNode) => n.id), inpaint: s.target }], problem: null };
  }
  const s = await readSelection(nodes, fitFor(tool));
  return { targets: s.items.map((item) => ({ item, shapeIds: [] })), problem: s.problem };
}

/** The selection as the panel shows it for this tool; inpaint adds a thumbnail with the shapes over it. */
export async function selectionFor(tool: ToolId, nodes: readonly SceneNode[]): Promise<SelectionState> {
  const ids = nodes.map((n) => n.id);
  if (tool !== 'inpaint') return { ...(await readSelection(nodes, fitFor(tool))), tool, ids };
  const s = await readInpaintSelection(nodes);
  if (s.problem || !s.target || !s.item) return { items: [], problem: s.problem ?? { code: 'mask-no-image' }, tool, ids };
  // The preview is a nicety: a failed thumbnail export leaves the panel without it, not without a run.
  const preview = await inpaintThumbnail(s.target).catch(() => null);
  return { items: [s.item], problem: null, tool, ids, ...(preview ? { preview } : {}) };
}

/**
 * Refuses, before any work, a result that would not fit the limits. Sketch and Edit results are the
 * model's square times the chain's scale, not the layer's size: the engine's own size, checked on arrival.
 */
export function sizeProblem(tool: ToolId, item: SelectionItem, scale: number): { code: ErrorCode; detail: string } | null {
  if (tool === 'sketch' || tool === 'edit') return null;
  const out = outputSize(item.width, item.height, tool === 'inpaint' ? 1 : scale);
  const code = resultSizeProblem(out.width, out.height);
  return code ? { code, detail: `${out.width}×${out.height}` } : null;
}

/** The size a job's result must have, from the image Figma really exported (null: the engine's square). */
export function expectedSize(tool: ToolId, exported: { width: number; height: number }, scale: number): { width: number; height: number } | null {
  if (tool === 'sketch' || tool === 'edit') return null;
  return outputSize(exported.width, exported.height, tool === 'inpaint' ? 1 : scale);
}

/** Exports the job's layer and what its tool needs beside it. */
export async function prepareJob(node: SceneNode & ExportMixin, target: JobTarget, options: RunOptions): Promise<PreparedJob> {
  const tool = toolOf(options);
  let png: Uint8Array;
  try {
    png = await exportPng(node, target.item.exportScale);
  } catch (err) {
    throw new JobProblem('export-failed', String(err), node.name);
  }
  if (tool === 'inpaint') {
    if (!target.inpaint) throw new JobProblem('mask-no-image', '', node.name);
    try {
      return { png, options, mask: await exportMaskLayers(target.inpaint, target.item.exportScale) };
    } catch (err) {
      throw new JobProblem('export-failed', String(err), node.name);
    }
  }
  if (tool === 'edit') return { png, ...rememberedSketch(node, options) };
  if (tool === 'sketch' && options.swatchId) return { png, options, swatch: await exportSwatch(options.swatchId) };
  return { png, options };
}

/** A swatch is reduced to the model's square anyway: its export is kept small. */
export const SWATCH_EXPORT_MAX = 256;

/** The swatch layer's pixels; a deleted one or one that draws nothing says so (the document unchanged). */
async function exportSwatch(id: string): Promise<Uint8Array> {
  const node = await figma.getNodeByIdAsync(id);
  if (!node || node.removed || !('exportAsync' in node) || !('width' in node)) throw new JobProblem('swatch-empty', 'the colour layer was deleted');
  const n = node as SceneNode & ExportMixin & LayoutMixin;
  const scale = Math.min(1, SWATCH_EXPORT_MAX / Math.max(1, n.width, n.height));
  try {
    return await exportPng(n, scale);
  } catch (err) {
    throw new JobProblem('swatch-empty', String(err), n.name);
  }
}

/**
 * Edit on a result (or a frame or group holding one, with strokes painted over it): the sketch it
 * was made from and its seed and colour, so x1 is the one the result came from. None found: the
 * engine extracts a sketch from the edited image.
 */
export function rememberedSketch(node: SceneNode, options: RunOptions): { options: RunOptions; sketch?: Uint8Array } {
  const candidates: SceneNode[] = [node];
  if ('findAll' in node) candidates.push(...(node as ChildrenMixin).findAll(() => true));
  for (const n of candidates) {
    const data = readRelaunch(n);
    if (!data?.sketch) continue;
    const made = data.options;
    const sketchOptions: RunOptions = { ...options, seed: made.seed };
    if (made.color !== undefined) sketchOptions.color = made.color;
    if (made.latentStrength !== undefined) sketchOptions.latentStrength = made.latentStrength;
    try {
      return { options: sketchOptions, sketch: base64ToBytes(data.sketch) };
    } catch {
      continue; // damaged plugin data: look further, else extract
    }
  }
  return { options };
}
