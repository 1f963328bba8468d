// Where to run the inpainting model on a large image: one square window per hole (or per group of
// holes that lie within the feather of each other and fit one window as sharp), with context on every
// side, scaled down only as far as the model needs. A 4000×3000 photo with a small logo costs one
// 128×128 evaluation at full resolution; nothing else is touched. Nearby holes are not merged just
// because their windows overlap: a merged window is wider and so scaled down further, and the fill
// loses more detail than the shared context gains (test/browser/inpaint-tool.test.mjs prints the MSE
// against Telea's; models/tools/inpaint_context.py measures the context). Each crop instead treats
// every other unfilled hole in its window as hole too, and a later crop sees the earlier fills.
import { boxesOverlap, dilateBox, unionBox, type Box } from './mask';

export interface CropPlanOptions {
  /** The model's input side (the card's training size), e.g. 128. */
  modelSize: number;
  /** The largest hole side, in model pixels, the model fills well (the card states it), e.g. 48. */
  maxHole: number;
  /** Compositing feather in image pixels: the context margin is always wider than this. */
  feather: number;
  /** Context on every side as a multiple of the hole's side; the window is never smaller than the model. */
  context: number;
}

/** One model evaluation: a window of the image, scaled by `scale` to modelWidth × modelHeight. */
export interface Crop {
  /** The window in the image, in image pixels (half-open): what the model sees. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** Model pixels per image pixel, ≤ 1. The window side × scale is the model size (exactly, for a full square window). */
  scale: number;
  /** The window's size after scaling (≤ modelSize; smaller only where the image is smaller than the window). */
  modelWidth: number;
  modelHeight: number;
  /** The bounding box of the holes this crop fills, in image pixels. */
  hole: Box;
  /** The hole grown by the context margin on every side, clipped to the image: what the window holds at least. */
  context: Box;
  /**
   * The hole grown by the feather and one pixel, clipped to the image: the only pixels this crop may
   * write (those an earlier crop's write box holds excepted). It lies inside the window.
   */
  writes: Box;
  /** How many of the input boxes (components) were merged into this crop. */
  holes: number;
}

/** The margin on every side of a hole box: `context` × its longer side, and always more than the feather. */
export function contextMargin(hole: Box, o: CropPlanOptions): number {
  return Math.max(Math.ceil(Math.max(hole.w, hole.h) * o.context), Math.ceil(o.feather) + 1);
}

/** The pixels a crop of this hole box may write: the hole and its feather, clipped to the image. */
export function writeBox(width: number, height: number, hole: Box, o: CropPlanOptions): Box {
  return dilateBox(hole, Math.ceil(o.feather) + 1, width, height);
}

/** The hole box grown by its context margin, clipped to the image. */
export function contextBox(width: number, height: number, hole: Box, o: CropPlanOptions): Box {
  return dilateBox(hole, contextMargin(hole, o), width, height);
}

/**
 * The square window side, in image pixels, a hole box needs: at least the model size (so a small hole
 * is inpainted at scale 1), the hole plus its context margin on both sides, and big enough that the
 * hole shrinks to maxHole model pixels when the window becomes model-size.
 */
export function windowSide(hole: Box, o: CropPlanOptions): number {
  const side = Math.max(hole.w, hole.h);
  return Math.max(o.modelSize, side + 2 * contextMargin(hole, o), Math.ceil((side * o.modelSize) / o.maxHole));
}

/** Start and length of a window of `side` centred on [start, start + length) and kept inside [0, limit). */
function place(start: number, length: number, side: number, limit: number): [number, number] {
  if (side >= limit) return [0, limit];
  const centred = Math.floor(start + length / 2 - side / 2);
  return [Math.min(limit - side, Math.max(0, centred)), side];
}

/** The crop for one hole box (or a merged group of them) in a width × height image. */
export function cropFor(width: number, height: number, hole: Box, holes: number, o: CropPlanOptions): Crop {
  const side = windowSide(hole, o);
  const [x, w] = place(hole.x, hole.w, side, width);
  const [y, h] = place(hole.y, hole.h, side, height);
  const holeSide = Math.max(hole.w, hole.h);
  // Where the image is smaller than the window the whole axis is the window; the scale then follows
  // the longer side, but never lets the hole exceed maxHole model pixels nor upsamples.
  const scale = Math.min(1, o.modelSize / Math.max(w, h), o.maxHole / holeSide);
  const modelWidth = Math.min(o.modelSize, Math.max(1, Math.round(w * scale)));
  const modelHeight = Math.min(o.modelSize, Math.max(1, Math.round(h * scale)));
  return { x, y, w, h, scale, modelWidth, modelHeight, hole, context: contextBox(width, height, hole, o), writes: writeBox(width, height, hole, o), holes };
}

/**
 * One crop per group of hole boxes. Two groups are merged only where their write boxes (the hole plus
 * its feather) overlap and the merged group's window is no coarser than either one's: tiny specks
 * close together share one full-resolution window, while the letters of a caption, each a hole of
 * its own, keep their own sharp windows rather than one wide window shrunk to the model. Write boxes
 * of separate crops may then overlap: crops run in the plan's order and a pixel is written only by
 * the first crop whose write box holds it (inpaintImage), every later crop seeing it as filled. The
 * order: finest scale first (scale 1 crops, then coarser ones), then top to bottom, left to right.
 */
export function planCrops(width: number, height: number, boxes: Box[], o: CropPlanOptions): Crop[] {
  if (!(o.modelSize > 0) || !(o.maxHole > 0)) throw new Error('modelSize and maxHole must be positive');
  // A group carries its window's scale and its write box, worked out once per box it takes.
  const group = (box: Box, holes: number) => ({ box, holes, scale: cropFor(width, height, box, holes, o).scale, writes: writeBox(width, height, box, o) });
  let groups = boxes.filter((b) => b.w > 0 && b.h > 0).map((b) => group({ x: b.x, y: b.y, w: b.w, h: b.h }, 1));
  for (;;) {
    // One sweep along x over the write boxes (near-linear for many small holes); a merge updates the
    // surviving group at once, so each decision sees the groups as they now are.
    const order = groups.map((_, i) => i).sort((a, b) => groups[a].box.x - groups[b].box.x);
    const gone = new Set<number>();
    let merged = false;
    for (let a = 0; a < order.length; a++) {
      const ia = order[a];
      if (gone.has(ia)) continue;
      for (let b = a + 1; b < order.length; b++) {
        const ib = order[b];
        if (gone.has(ib)) continue;
        const ga = groups[ia], gb = groups[ib];
        if (gb.writes.x >= ga.writes.x + ga.writes.w) break; // sorted by x: no later write box reaches back to this one
        if (!boxesOverlap(ga.writes, gb.writes)) continue;
        const union = group(unionBox(ga.box, gb.box), ga.holes + gb.holes);
        if (union.scale < Math.min(ga.scale, gb.scale)) continue;
        groups[ia] = union;
        gone.add(ib);
        merged = true;
      }
    }
    groups = groups.filter((_, i) => !gone.has(i));
    if (!merged) {
      const crops = groups.map((g) => cropFor(width, height, g.box, g.holes, o));
      return crops.sort((a, b) => b.scale - a.scale || a.y - b.y || a.x - b.x);
    }
  }
}
