// The Inpaint tool's selection, on the main thread: which layer is the image and which layers are the
// shapes that mark what to remove, why that selection cannot run (before any work), and the shapes
// exported as mask layers in the image's exported pixels (the engine unions them: image/mask-layers.ts).
//
// Two ways to select: the image layer (a node whose fills hold an image, or a frame or group holding
// exactly one such node, e.g. a cropped photo) together with shapes, strokes or text drawn over it; or
// one frame alone that holds an image child and shapes above it (the bottom-most image child is the
// image, the visible children above it are the shapes).
//
// Everything is measured on render bounds, because exportAsync renders those (rotation, outside
// strokes, shadows): a rotated image is exported as its upright bounding box of pixels and every
// shape is placed in that same pixel space, so rotation needs no special case.
import { exportPng, pngSize } from './export-image';
import { overlaps, renderBox } from './geometry';
import { resultSizeProblem, type ErrorCode, type MaskLayer, type SelectionItem, type SelectionProblem } from './protocol';
import { exportScaleFor } from './selection';

export interface InpaintTarget {
  /** The layer exported as the image (the image layer, or the frame or group that holds it). */
  image: SceneNode & ExportMixin & LayoutMixin;
  /** The visible shapes that mark what to remove, in selection (or layer) order. */
  shapes: (SceneNode & ExportMixin)[];
  /** The scale the image is exported at; the shapes are exported at the same scale. */
  exportScale: number;
}

export interface InpaintSelection {
  target: InpaintTarget | null;
  /** The image as the panel lists it (null when there is a problem). */
  item: SelectionItem | null;
  problem: SelectionProblem | null;
}

type Exportable = SceneNode & ExportMixin & LayoutMixin;

const canExport = (node: SceneNode): node is Exportable => 'exportAsync' in node && 'width' in node && 'height' in node;

const hasChildren = (node: BaseNode): node is SceneNode & ChildrenMixin => 'children' in node;

/** Whether the node's own fills show an image (a text's fills may be figma.mixed: not an array). */
function hasImageFill(node: SceneNode): boolean {
  if (!('fills' in node) || !Array.isArray(node.fills)) return false;
  return (node.fills as readonly Paint[]).some((p) => p.type === 'IMAGE' && p.visible !== false);
}

/** The nodes with an image fill at or under `node`; stops at two (all a caller needs to know is "exactly one"). */
function imagesUnder(node: SceneNode, found: SceneNode[] = []): SceneNode[] {
  if (hasImageFill(node)) found.push(node);
  if (hasChildren(node)) for (const c of node.children) if (found.length < 2) imagesUnder(c, found);
  return found;
}

/** An image layer, or a frame or group around exactly one (a cropped or masked photo exports as one image). */
function isImageLayer(node: SceneNode): boolean {
  return hasImageFill(node) || (hasChildren(node) && imagesUnder(node).length === 1);
}

/** Ancestors up to (not including) the page. */
function* ancestors(node: BaseNode): Generator<BaseNode> {
  for (let p = node.parent; p && p.type !== 'PAGE' && p.type !== 'DOCUMENT'; p = p.parent) yield p;
}

/** Shown on the canvas: the node and every ancestor visible (a hidden frame hides what it holds). */
function shown(node: SceneNode): boolean {
  if (!node.visible) return false;
  for (const p of ancestors(node)) if ('visible' in p && (p as SceneNode).visible === false) return false;
  return true;
}

/** Locked itself or through an ancestor (Figma locks what a locked frame holds). */
function locked(node: SceneNode): boolean {
  if (node.locked) return true;
  for (const p of ancestors(node)) if ('locked' in p && (p as SceneNode).locked) return true;
  return false;
}

/** Inside a component instance, whose layers a plugin cannot insert beside or rearrange. */
function inInstance(node: SceneNode): boolean {
  for (const p of ancestors(node)) if (p.type === 'INSTANCE') return true;
  return false;
}

type Picked = { image: SceneNode; shapes: SceneNode[] } | { problem: ErrorCode; nodeName?: string };

/** Several layers: the one image layer among them, the rest are shapes. */
function pickFromSelection(nodes: readonly SceneNode[]): Picked {
  const images = nodes.filter(isImageLayer);
  // None, or two with nothing to tell which one the shapes are on.
  if (images.length !== 1) return { problem: 'mask-no-image' };
  const image = images[0];
  const shapes = nodes.filter((n) => n !== image);
  return shapes.length > 0 ? { image, shapes } : { problem: 'mask-no-shapes', nodeName: image.name };
}

/** One layer alone: a frame (or group) with an image child and shapes above it, or else just an image. */
function pickInFrame(node: SceneNode): Picked {
  if (hasChildren(node) && !hasImageFill(node)) {
    const kids = node.children;
    const at = kids.findIndex(isImageLayer); // children are bottom to top
    if (at >= 0) {
      const shapes = kids.slice(at + 1).filter((c) => c.visible);
      return shapes.length > 0 ? { image: kids[at], shapes } : { problem: 'mask-no-shapes', nodeName: kids[at].name };
    }
  }
  return isImageLayer(node) ? { problem: 'mask-no-shapes', nodeName: node.name } : { problem: 'mask-no-image', nodeName: node.name };
}

const refuse = (code: ErrorCode, nodeName?: string): InpaintSelection => ({
  target: null,
  item: null,
  problem: nodeName === undefined ? { code } : { code, nodeName },
});

/**
 * Reads the selection as an image and the shapes over it, or says why it cannot be inpainted (the
 * first problem found: what is selected, then the image's state, then where the shapes are, then size).
 */
export async function readInpaintSelection(nodes: readonly SceneNode[]): Promise<InpaintSelection> {
  if (nodes.length === 0) return refuse('empty-selection');
  const picked = nodes.length === 1 ? pickInFrame(nodes[0]) : pickFromSelection(nodes);
  if ('problem' in picked) return refuse(picked.problem, picked.nodeName);
  const { image } = picked;
  if (!canExport(image)) return refuse('no-pixels', image.name);
  // The node that carries the image paint: its resolution sets the export scale, its state counts too.
  const photo = imagesUnder(image)[0];

  const inside = [photo, ...picked.shapes].find(inInstance);
  if (inside) return refuse('image-in-instance', inside.name);
  if (!shown(image) || !shown(photo)) return refuse('image-hidden', image.name);
  if (locked(image) || locked(photo)) return refuse('image-locked', image.name);

  // Hidden shapes draw nothing, so they mark nothing; a layer that cannot be exported is no shape.
  const shapes = picked.shapes.filter((s): s is SceneNode & ExportMixin => 'exportAsync' in s && shown(s));
  if (shapes.length === 0) return refuse('mask-no-shapes', image.name);

  const bounds = renderBox(image);
  if (!bounds || bounds.width <= 0 || bounds.height <= 0) return refuse('no-pixels', image.name);
  const over = shapes.some((s) => {
    const b = renderBox(s);
    return !!b && overlaps(b, bounds);
  });
  if (!over) return refuse('mask-outside', image.name);

  const exportScale = canExport(photo) ? await exportScaleFor(photo) : 1;
  const width = Math.round(bounds.width * exportScale);
  const height = Math.round(bounds.height * exportScale);
  const tooBig = resultSizeProblem(width, height);
  if (tooBig) return refuse(tooBig, image.name);
  return {
    target: { image, shapes, exportScale },
    item: { id: image.id, name: image.name, type: image.type, width, height, exportScale },
    problem: null,
  };
}

/**
 * Each shape that shows and reaches the image, exported as it draws at `scale`, at its offset from the
 * image's render bounds in exported pixels (rounded as the exports' sizes are). Shapes hidden since the
 * selection was read are skipped; a shape whose export fails throws (a mask missing a shape would
 * leave what the user marked in the image).
 */
export async function exportMaskLayers(target: InpaintTarget, scale = target.exportScale): Promise<MaskLayer[]> {
  const image = renderBox(target.image);
  if (!image) throw new Error(`"${target.image.name}" draws nothing`);
  const layers: MaskLayer[] = [];
  for (const shape of target.shapes) {
    if (!shown(shape)) continue;
    const box = renderBox(shape);
    // Nothing drawn over the image: the engine would clip all of it away, so it is not exported at all.
    if (!box || !overlaps(box, image)) continue;
    let png: Uint8Array;
    try {
      png = await exportPng(shape, scale);
    } catch (err) {
      throw new Error(`Exporting the shape "${shape.name}" failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    layers.push({ x: Math.round((box.x - image.x) * scale), y: Math.round((box.y - image.y) * scale), png });
  }
  return layers;
}

/**
 * The image and its mask layers small enough for the panel's preview (the longer side at most
 * `maxSide`, never above the image's own export scale), so the user sees what will be removed before
 * running.
 */
export async function inpaintThumbnail(target: InpaintTarget, maxSide = 160): Promise<{ png: Uint8Array; width: number; height: number; mask: MaskLayer[] }> {
  const box = renderBox(target.image);
  if (!box || box.width <= 0 || box.height <= 0) throw new Error(`"${target.image.name}" draws nothing`);
  const scale = Math.min(target.exportScale, maxSide / Math.max(box.width, box.height));
  const png = await exportPng(target.image, scale);
  const size = pngSize(png) ?? { width: Math.round(box.width * scale), height: Math.round(box.height * scale) };
  return { png, width: size.width, height: size.height, mask: await exportMaskLayers(target, scale) };
}
