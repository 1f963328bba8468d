// Inpaint: fill the masked part of an image with one model evaluation per group of holes, and leave
// every pixel farther than the feather from the mask exactly as it was.
//
// The model (card tool "inpaint", source.kind "inpaint") works at its training size (the card's
// source.size). Its x1 is the RGB crop in [−1, 1] with every hole pixel replaced by N(0, 1) noise (the
// paper's inpainting coupling), and a model that declares a "mask" input is also fed the hole itself
// (1 inside); its output is the whole crop, of which only the hole and its feather are used. Large
// images are cut into crops (image/crop-plan.ts), each scaled down just enough, run, scaled back up
// and composited with the feathered mask inside its own write box (the hole and its feather); crops
// run in turn, each seeing the fills before it. A crop scaled down by 2 or more is brought back with
// the restore upscalers first (fillAtFullSize), as Restore would upscale it.
import { EngineError } from '../errors';
import { planCrops, type Crop, type CropPlanOptions } from '../image/crop-plan';
import { components, cropMask, featherMask, maskShare, type Box, type Mask } from '../image/mask';
import { cropRaw, moveCrop, pasteRaw, unionBox } from '../image/region';
import { fromPlanes, toPlanes, type Planes, type RawImage } from '../image/raw';
import { bicubicTaps, resizeBicubic } from '../image/resize';
import { crop as cropTopLeft, extractTile, padEdge } from '../image/tiles';
import { throwIfAborted } from '../evaluate';
import { gaussian } from '../random';
import { cardScale, type ModelCard } from '../zoo';

/** Runs the model on a 3 × size × size x1 (CHW, [−1, 1]) with its hole (size × size, 1 = hole); resolves to y of x1's shape. */
export type RunModel = (x1: Float32Array, size: number, hole: Uint8Array) => Promise<Float32Array>;

export interface InpaintOptions {
  /** Picks the noise in the hole: the same seed gives the same fill. */
  seed: number;
  /** The model's input side (default 128, the card's training size). */
  modelSize?: number;
  /** Largest hole side the model fills well, in model pixels (default 48; the card will state it). */
  maxHole?: number;
  /** Compositing feather in image pixels (default 4). */
  feather?: number;
  /** Context around each hole as a multiple of its side (default 0.5, INPAINT_DEFAULTS). */
  context?: number;
  signal?: AbortSignal;
  /** Called after each crop's evaluation. */
  onCrop?: (done: number, total: number) => void;
  /** The restore upscalers a scaled-down fill may be brought back with (upscalerFor picks); none: bicubic only. */
  upscalers?: readonly FillUpscaler[];
  /**
   * Fill the given planes themselves instead of a copy: for a caller that decoded them for this run
   * and keeps nothing else of them. A 4000×3000 photo's planes are 144 MB, and copying them was a
   * sizeable part of the time of a small hole in a large photo.
   */
  inPlace?: boolean;
}

/** A restore upscaler as the compositing sees it: `factor` × on each side. */
export interface FillUpscaler {
  /** The card's id: what `--json` reports per crop. */
  id: string;
  factor: number;
  /** 3 × height × width in [−1, 1] → 3 × (height · factor) × (width · factor). */
  run(rgb: Float32Array, width: number, height: number): Promise<Float32Array>;
}

/**
 * context 0.5: half the hole's side on every side, and never less than the model's size. A wider
 * window is scaled down further, and on the validation photos that cost more than the extra context
 * gave (holes of 17–32 px, Faithful: 14.31 dB inside the hole at 0.5, 13.37 at 1, 13.11 at 1.5; Telea 13.26;
 * models/tools/inpaint_context.py, results in models/results).
 */
export const INPAINT_DEFAULTS = { modelSize: 128, maxHole: 48, feather: 4, context: 0.5 } as const;

/** Above this share of the image the hole is refused: too large to inpaint well. */
export const MAX_MASK_SHARE = 0.6;

export type MaskProblemCode = 'mask-empty' | 'mask-too-large' | 'mask-size';

export interface MaskProblem {
  code: MaskProblemCode;
  message: string;
  /** The share of the image the mask covers (0 … 1), where it was measured. */
  share?: number;
}

/** Why a mask covering `share` (0 … 1) of the image cannot be inpainted, or null when it can. */
export function rejectMask(share: number): MaskProblem | null {
  if (!(share > 0)) return { code: 'mask-empty', message: 'The mask covers nothing: draw shapes over what should go.' };
  if (share > MAX_MASK_SHARE) {
    return {
      code: 'mask-too-large',
      share,
      message: `The mask covers ${Math.round(share * 100)} % of the image, more than ${MAX_MASK_SHARE * 100} %: too large to inpaint well.`,
    };
  }
  return null;
}

/** rejectMask plus the size check the CLI needs (a mask PNG of another size). */
export function maskProblem(mask: Mask, width: number, height: number): MaskProblem | null {
  if (mask.width !== width || mask.height !== height) {
    return { code: 'mask-size', message: `The mask is ${mask.width}×${mask.height} but the image is ${width}×${height}.` };
  }
  return rejectMask(maskShare(mask));
}

/** Thrown by inpaintImage for a mask it refuses; the image is untouched. A mask of another size
 * than the image only comes from the CLI, which words it itself: 'internal' anywhere else. */
export class MaskError extends EngineError {
  constructor(readonly problem: MaskProblem) {
    super(problem.code === 'mask-size' ? 'internal' : problem.code, `${problem.code}: ${problem.message}`);
    this.name = 'MaskError';
  }
}

/** The crops inpaintImage will run for this mask (what `--json` reports), without running anything. */
export function planInpaint(mask: Mask, options: Omit<InpaintOptions, 'seed' | 'signal' | 'onCrop' | 'upscalers'> = {}): Crop[] {
  return planCrops(mask.width, mask.height, components(mask, 8), planOptions(options));
}

function planOptions(options: Omit<InpaintOptions, 'seed' | 'signal' | 'onCrop' | 'upscalers'>): CropPlanOptions {
  return {
    modelSize: options.modelSize ?? INPAINT_DEFAULTS.modelSize,
    maxHole: options.maxHole ?? INPAINT_DEFAULTS.maxHole,
    feather: options.feather ?? INPAINT_DEFAULTS.feather,
    context: options.context ?? INPAINT_DEFAULTS.context,
  };
}

/**
 * The upscale cards that go with the inpaint model, one per scale (the first by id where a build has
 * two: only one of a scale is ever picked, and the chain's product of scales, which the panel sends as
 * RunOptions.scale, stays within the message limit), smallest first: what the panel and the CLI chain
 * after it.
 */
export function inpaintUpscalers(cards: readonly ModelCard[]): ModelCard[] {
  const ups = cards.filter((c) => c.tool === 'restore' && c.source.kind === 'upscale' && cardScale(c) >= 2);
  ups.sort((a, b) => cardScale(a) - cardScale(b) || a.id.localeCompare(b.id));
  return ups.filter((c, i) => i === 0 || cardScale(ups[i - 1]) !== cardScale(c));
}

/**
 * The upscaler for a crop of `scale`: the largest whose factor is at most 1/scale (so the model's
 * detail is never shrunk again), the first listed of equal factors; null below ×2 (bicubic alone).
 */
export function upscalerFor<T extends { factor: number }>(upscalers: readonly T[], scale: number): T | null {
  const f = 1 / scale + 1e-9; // 1/0.25 must reach ×4 despite rounding
  let best: T | null = null;
  for (const u of upscalers) if (u.factor >= 2 && u.factor <= f && (!best || u.factor > best.factor)) best = u;
  return best;
}

/** The seed of crop `index`: crop 0 uses the seed itself, later crops draw different noise. */
export function cropSeed(seed: number, index: number): number {
  return (seed + Math.imul(index, 0x9e3779b9)) >>> 0;
}

/** For each output sample of a resize inSize → outSize: the input range [lo, hi] that can reach it. */
function reach(inSize: number, outSize: number): Int32Array {
  const taps = bicubicTaps(inSize, outSize);
  const r = inSize / outSize;
  const out = new Int32Array(outSize * 2);
  for (let o = 0; o < outSize; o++) {
    // The area the model pixel stands for …
    let lo = Math.floor(o * r);
    let hi = Math.min(inSize - 1, Math.ceil((o + 1) * r) - 1);
    // … and every input pixel the bicubic kernel reads for it with a non-zero weight.
    for (let k = 0; k < 4; k++) {
      if (taps.weight[o * 4 + k] === 0) continue;
      lo = Math.min(lo, taps.index[o * 4 + k]);
      hi = Math.max(hi, taps.index[o * 4 + k]);
    }
    out[o * 2] = lo;
    out[o * 2 + 1] = hi;
  }
  return out;
}

/**
 * The hole at model resolution (1 = noise), for a window mask of w × h scaled to mw × mh. A model
 * pixel is in the hole when any hole pixel lies in its area or under its bicubic taps: no colour of
 * what is to be removed leaks into the context the model sees, and a one-pixel scratch is not lost
 * when the window is scaled down. At scale 1 this is the mask itself.
 */
export function modelHole(windowMask: Mask, mw: number, mh: number): Uint8Array {
  const { width: w, height: h, data } = windowMask;
  const out = new Uint8Array(mw * mh);
  if (mw === w && mh === h) {
    for (let i = 0; i < w * h; i++) out[i] = data[i] > 0 ? 1 : 0;
    return out;
  }
  const rx = reach(w, mw);
  const ry = reach(h, mh);
  // Separable max: rows first (h × mw), then columns.
  const rows = new Uint8Array(h * mw);
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < mw; ox++) {
      for (let x = rx[ox * 2]; x <= rx[ox * 2 + 1]; x++) {
        if (data[y * w + x] > 0) {
          rows[y * mw + ox] = 1;
          break;
        }
      }
    }
  }
  for (let oy = 0; oy < mh; oy++) {
    for (let ox = 0; ox < mw; ox++) {
      for (let y = ry[oy * 2]; y <= ry[oy * 2 + 1]; y++) {
        if (rows[y * mw + ox]) {
          out[oy * mw + ox] = 1;
          break;
        }
      }
    }
  }
  return out;
}

/**
 * x1 for one crop: the window at model size (edge-padded to size × size) with noise in the hole.
 * The hole is every mask pixel in the window except those `written` marks (image-sized, 1 where a
 * crop that already ran held the pixel in its write box, so `planes` now holds its fill): another
 * group's unfilled hole is noise too, so nothing that is to be removed is ever shown to the model as
 * context.
 */
export function buildInpaintX1(planes: Planes, mask: Mask, c: Crop, size: number, seed: number, written: Uint8Array | null = null): { x1: Float32Array; hole: Uint8Array } {
  const { width, height } = planes;
  const window = extractTile(planes.rgb, 3, width, height, c); // the crop's window, a copy
  const { modelWidth: mw, modelHeight: mh } = c;
  const scaled = mw === c.w && mh === c.h ? window : resizeBicubic(window, 3, c.w, c.h, mw, mh);
  const windowMask = cropMask(mask, c);
  if (written) {
    for (let y = 0; y < c.h; y++) {
      for (let x = 0; x < c.w; x++) if (written[(c.y + y) * width + c.x + x]) windowMask.data[y * c.w + x] = 0;
    }
  }
  const hole = modelHole(windowMask, mw, mh);
  // The model is fed size × size: where the image is smaller than the window, edges are repeated
  // (the hole too, so a hole touching the edge is not repeated as visible context).
  const x1 = padEdge(scaled, 3, mw, mh, size, size); // a fresh array: extractTile copies, resize and padEdge allocate
  const paddedHole = padEdge(Float32Array.from(hole), 1, mw, mh, size, size);
  const n = size * size;
  const eps = gaussian(3 * n, seed);
  const holeOut = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (paddedHole[i] > 0) {
      holeOut[i] = 1;
      x1[i] = eps[i];
      x1[n + i] = eps[n + i];
      x1[2 * n + i] = eps[2 * n + i];
    }
  }
  return { x1, hole: holeOut };
}

/** A crop that ran, and the upscaler that brought its fill back (null: bicubic alone). */
export interface InpaintCrop extends Crop {
  upscaler: string | null;
}

export interface InpaintResult {
  /** The inpainted image: RGB composited inside the feathered mask, alpha the input's. */
  planes: Planes;
  /** The crops that ran, in order (one model evaluation each). */
  crops: InpaintCrop[];
}

/**
 * A crop's model-size fill at its window's size (c.w × c.h): the upscaler upscalerFor picks, then
 * bicubic the rest of the way; bicubic alone below ×2 or without upscalers.
 */
export async function fillAtFullSize(fill: Float32Array, c: Crop, upscalers: readonly FillUpscaler[]): Promise<{ rgb: Float32Array; upscaler: string | null }> {
  let rgb = fill;
  let w = c.modelWidth;
  let h = c.modelHeight;
  const u = upscalerFor(upscalers, c.scale);
  if (u) {
    rgb = await u.run(fill, w, h);
    w *= u.factor;
    h *= u.factor;
    if (rgb.length !== 3 * w * h) throw new Error(`upscaler ${u.id} returned ${rgb.length} values for 3×${w}×${h}`);
  }
  const sized = w === c.w && h === c.h ? rgb : resizeBicubic(rgb, 3, w, h, c.w, c.h);
  return { rgb: sized, upscaler: u ? u.id : null };
}

/** Marks a crop's write box in an image-sized `written` mask (what buildInpaintX1 treats as filled). */
export function markWritten(written: Uint8Array, width: number, r: Box): void {
  for (let y = r.y; y < r.y + r.h; y++) written.fill(1, y * width + r.x, y * width + r.x + r.w);
}

/**
 * Inpaints `planes` inside `mask` (same size): one runModel call per crop, in the plan's order, each
 * crop seeing the fills of those before it. Each crop writes only inside its write box (the hole and
 * its feather), and only pixels no earlier crop's write box held, with the feathered mask: pixels farther than the feather from every hole pixel are bit-identical to the
 * input, and the alpha plane is the input's. Throws MaskError (before any model run) for a mask that
 * is empty, too large, or of another size.
 */
export async function inpaintImage(planes: Planes, mask: Mask, runModel: RunModel, options: InpaintOptions): Promise<InpaintResult> {
  const problem = maskProblem(mask, planes.width, planes.height);
  if (problem) throw new MaskError(problem);
  const o = planOptions(options);
  const crops = planCrops(planes.width, planes.height, components(mask, 8), o);
  const work: Planes = options.inPlace ? planes : { width: planes.width, height: planes.height, rgb: planes.rgb.slice(), alpha: planes.alpha };
  return { planes: work, crops: await fillCrops(work, mask, crops, runModel, options) };
}

/**
 * inpaintImage on an image as decoded (8-bit RGB or RGBA): only the region the crops' windows cover is
 * turned into planes and back, and written into `img` itself; every pixel outside it is never touched.
 * On a 4000×3000 photo with a logo that skips 144 MB of planes and about 0.8 s of converting them.
 * Grey and 16-bit images go whole through planes and come back 8-bit RGB(A), as inpaintImage gives.
 * Crops are reported in the image's coordinates.
 */
export async function inpaintRaw(img: RawImage, mask: Mask, runModel: RunModel, options: InpaintOptions): Promise<{ image: RawImage; crops: InpaintCrop[] }> {
  if (img.depth !== 8 || (img.channels !== 3 && img.channels !== 4)) {
    const r = await inpaintImage(toPlanes(img), mask, runModel, { ...options, inPlace: true });
    return { image: fromPlanes(r.planes), crops: r.crops };
  }
  const problem = maskProblem(mask, img.width, img.height);
  if (problem) throw new MaskError(problem);
  const o = planOptions(options);
  const crops = planCrops(img.width, img.height, components(mask, 8), o);
  const region = unionBox(crops);
  const planes = toPlanes(cropRaw(img, region));
  const moved = crops.map((c) => moveCrop(c, -region.x, -region.y));
  const filled = await fillCrops(planes, cropMask(mask, region), moved, runModel, options);
  pasteRaw(img, fromPlanes(planes), region);
  return { image: img, crops: filled.map((c) => moveCrop(c, region.x, region.y)) };
}

/** Fills `work` (planes, changed in place) crop by crop, as inpaintImage describes. */
async function fillCrops(work: Planes, mask: Mask, crops: Crop[], runModel: RunModel, options: InpaintOptions): Promise<InpaintCrop[]> {
  const o = planOptions(options);
  const size = o.modelSize;
  const { width } = work;
  const n = width * work.height;
  const rgb = work.rgb;
  // Pixels an earlier crop's write box held: final, and context for every later crop (write boxes of
  // separate crops may overlap where nearby holes were kept apart to stay sharp; crop-plan.ts).
  const written = new Uint8Array(n);
  const ran: InpaintCrop[] = [];
  for (let k = 0; k < crops.length; k++) {
    throwIfAborted(options.signal);
    const c = crops[k];
    const r = c.writes;
    if (r.x < c.x || r.y < c.y || r.x + r.w > c.x + c.w || r.y + r.h > c.y + c.h) throw new Error(`crop plan: write box ${JSON.stringify(r)} outside its window`);
    const { x1, hole } = buildInpaintX1(work, mask, c, size, cropSeed(options.seed, k), written);
    const y = await runModel(x1, size, hole);
    if (y.length !== 3 * size * size) throw new Error(`inpaint model returned ${y.length} values for 3×${size}×${size}`);
    throwIfAborted(options.signal);
    const fill = cropTopLeft(y, 3, size, size, c.modelWidth, c.modelHeight);
    const { rgb: up, upscaler } = await fillAtFullSize(fill, c, options.upscalers ?? []);
    throwIfAborted(options.signal);
    const weight = featherMask(mask, o.feather, r);
    const plane = c.w * c.h;
    for (let ry = 0; ry < r.h; ry++) {
      for (let rx = 0; rx < r.w; rx++) {
        const gx = r.x + rx, gy = r.y + ry;
        const i = gy * width + gx;
        if (written[i]) continue;
        const a = weight[ry * r.w + rx];
        if (a === 0) continue;
        const j = (gy - c.y) * c.w + gx - c.x;
        for (let p = 0; p < 3; p++) {
          const src = rgb[p * n + i];
          const value = up[p * plane + j];
          rgb[p * n + i] = a === 1 ? value : src + a * (value - src);
        }
      }
    }
    markWritten(written, width, r);
    ran.push({ ...c, upscaler });
    options.onCrop?.(k + 1, crops.length);
  }
  return ran;
}
