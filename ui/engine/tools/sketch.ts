// Sketch → image: x1 for a paired GCTM with a perturbed source (card tool "sketch", source.kind
// "sketch", a fixed square source.size, σp = source.sigma_p), and Edit (the paper's Algorithm 5).
//
// x1, for any layer (models/gctm/card.py SOURCE_DOCS["sketch"] says the same):
//  1. the layer's RGB, composited on white, is resized to fit size × size keeping its aspect
//     (area average when shrinking, so thin strokes of a 10,000 px sketch survive as grey; bicubic
//     when enlarging), the fitted rectangle centred;
//  2. toSketch (image/sketch-extract.ts) at that size: a drawn sketch is normalised (a dark background
//     inverted, the paper to white), colour art or a photo goes through the extractor; SketchInfo.kind
//     says which. Resize first, then extract, then pad the SKETCH with white (never the image: a padded
//     image's border would be drawn as a line);
//  3. grey (1 = paper) → [−1, 1], replicated to 3 channels, + σp·ε with ε = gaussian(3·size², seed)
//     (random.ts; a seed reproduces a result exactly), + optionally γ·ℓ: ℓ the constant image of a
//     colour '#rrggbb' in [−1, 1], or a texture layer centre-cropped to a square and resized.
// The output is the model's size × size square (opaque). A larger result comes from chaining
// upscalers after it: runChain([sketch, restore-x4], …) hands the 128² result as an 8-bit image to
// restore-x4 exactly as two separate runs would (sketchChain below picks the upscalers).
//
// Edit (Algorithm 5): x_s = (1 − s)·x_edit + s·x1 and the result G(x_s, s, 0), one evaluation, where
// x_edit is the edited image fitted into the same square (padded with white) and x1 the sketch's x1
// as above (same seed and latent as the result it came from), or, without a sketch, the sketch
// extracted from x_edit itself. Small s stays close to x_edit; s = 1 is a plain sketch run.
import { EngineError } from '../errors';
import type { ErrorCode } from '../../../src/protocol';
import type { Planes, RawImage } from '../image/raw';
import { bicubicTaps } from '../image/resize';
import { sketchToPlanes, toSketch } from '../image/sketch-extract';
import { gaussian } from '../random';
import { cardScale, effectiveSteps, type ModelCard, type StepTime } from '../zoo';
import type { EngineOptions, SketchInfo, Source, ToolInput } from './types';

/** γ is refused above this (x1 would lie far outside anything the model saw); the useful range is measured per model. */
export const LATENT_STRENGTH_MAX = 2;
/** γ when a colour or texture is given without a strength: where sketch 0.2.0 tints without flooding the paper (measured, models/README.md). */
export const DEFAULT_LATENT_STRENGTH = 0.25;
/** Edit's s when none is given (the panel's default too: src/protocol.ts DEFAULT_SETTINGS.editStrength). */
export const DEFAULT_EDIT_STRENGTH = 0.5;

/** Most variations one batched run makes. */
export const MAX_VARIATIONS = 8;

/** Why the sketch tool refuses an input or option (the panel and CLI check these before running). */
export type SketchProblemCode =
  /** Empty, all white, one flat colour, or nothing extracted: no strokes to colour (protocol: sketch-empty). */
  | 'sketch-blank'
  /** The texture latent layer has no visible pixels (a swatch with no fill) (protocol: swatch-empty). */
  | 'texture-empty'
  /** color is not '#rrggbb'. */
  | 'color-invalid'
  /** Both a colour and a texture latent. */
  | 'latent-both'
  /** γ outside [0, LATENT_STRENGTH_MAX]. */
  | 'latent-strength'
  /** Edit's s outside (0, 1]. */
  | 'edit-strength'
  /** seed is not a whole number in [0, 2³² − 1]. */
  | 'seed-invalid'
  /** Variations count outside 1 … MAX_VARIATIONS. */
  | 'variations-count'
  /** The card is not a sketch model with a fixed size. */
  | 'not-sketch-model';

export interface SketchProblem {
  code: SketchProblemCode;
  message: string;
}

/**
 * Protocol code of each problem. Bad options have no protocol code of
 * their own (src/protocol.ts has none for them): the panel and the CLI validate with
 * sketchOptionProblem / editOptionProblem first, so reaching the engine with one is a bug: 'internal'.
 */
const PROTOCOL: Record<SketchProblemCode, ErrorCode> = {
  'sketch-blank': 'sketch-empty',
  'texture-empty': 'swatch-empty',
  'color-invalid': 'internal',
  'latent-both': 'internal',
  'latent-strength': 'internal',
  'edit-strength': 'internal',
  'seed-invalid': 'internal',
  'variations-count': 'internal',
  'not-sketch-model': 'unsupported-tool',
};

/** An EngineError (protocol code above) that also says which sketch problem it is. */
export class SketchError extends EngineError {
  constructor(readonly problem: SketchProblem) {
    super(PROTOCOL[problem.code], `${problem.code}: ${problem.message}`);
    this.name = 'SketchError';
  }
}

function problem(code: SketchProblemCode, message: string): SketchProblem {
  return { code, message };
}

function fail(code: SketchProblemCode, message: string): never {
  throw new SketchError(problem(code, message));
}

const HEX = /^#[0-9a-f]{6}$/i;

/** '#rrggbb' → [r, g, b] in [−1, 1] (as toPlanes maps 8-bit samples), or null when malformed. */
export function parseColor(hex: string): [number, number, number] | null {
  if (typeof hex !== 'string' || !HEX.test(hex)) return null;
  const v = (k: number) => (parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16) / 255) * 2 - 1;
  return [v(0), v(1), v(2)];
}

function isSeed(seed: unknown): boolean {
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff;
}

function allTransparent(p: Planes): boolean {
  return p.width < 1 || p.height < 1 || (p.alpha !== null && p.alpha.every((a) => a === 0));
}

/** The first problem with the sketch tool's options (seed, colour, texture, γ), or null. */
export function sketchOptionProblem(options: Partial<EngineOptions>): SketchProblem | null {
  if (options.seed !== undefined && !isSeed(options.seed)) {
    return problem('seed-invalid', `The seed must be a whole number from 0 to 4294967295, not ${options.seed}.`);
  }
  if (options.color !== undefined && parseColor(options.color) === null) {
    return problem('color-invalid', `The colour must be written #rrggbb (e.g. #cc3344), not "${options.color}".`);
  }
  if (options.color !== undefined && options.texture !== undefined) {
    return problem('latent-both', 'Pick a colour or a texture layer, not both.');
  }
  const g = options.latentStrength;
  if (g !== undefined && !(typeof g === 'number' && Number.isFinite(g) && g >= 0 && g <= LATENT_STRENGTH_MAX)) {
    return problem('latent-strength', `The colour strength must be from 0 to ${LATENT_STRENGTH_MAX}, not ${g}.`);
  }
  if (options.texture !== undefined && allTransparent(options.texture)) {
    return problem('texture-empty', 'The texture layer has no visible pixels (a shape with no fill?).');
  }
  return null;
}

/** sketchOptionProblem plus Edit's strength s ∈ (0, 1]. */
export function editOptionProblem(options: Partial<EngineOptions>): SketchProblem | null {
  const s = options.strength;
  if (!(typeof s === 'number' && Number.isFinite(s) && s > 0 && s <= 1)) {
    return problem('edit-strength', `The edit strength must be above 0 and at most 1, not ${s}.`);
  }
  return sketchOptionProblem(options);
}

function check(p: SketchProblem | null): void {
  if (p) throw new SketchError(p);
}

/** The model's square side; throws for a card that is not a fixed-size sketch model. */
export function sketchSize(card: ModelCard): number {
  const size = card.source.size;
  if (card.source.kind !== 'sketch' || size === undefined) {
    fail('not-sketch-model', `${card.id}: source kind "${card.source.kind}" with size ${size} is not a sketch model`);
  }
  return size;
}

// ---------------------------------------------------------------------------------------------
// Geometry and resampling

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where a width × height image goes in a size × size square: scaled to fit keeping aspect, centred. */
export function fitRect(width: number, height: number, size: number): Rect {
  const k = size / Math.max(width, height);
  const w = Math.min(size, Math.max(1, Math.round(width * k)));
  const h = Math.min(size, Math.max(1, Math.round(height * k)));
  return { x: Math.floor((size - w) / 2), y: Math.floor((size - h) / 2), w, h };
}

/** A rectangle of the model's square at `factor` times its size (after upscalers). */
export function scaleRect(r: Rect, factor: number): Rect {
  return { x: r.x * factor, y: r.y * factor, w: r.w * factor, h: r.h * factor };
}

/** The rect's pixels of an image (e.g. a result square cropped to the drawing's own aspect). */
export function cropRaw(img: RawImage, r: Rect): RawImage {
  if (r.x < 0 || r.y < 0 || r.w < 1 || r.h < 1 || r.x + r.w > img.width || r.y + r.h > img.height) {
    throw new EngineError('internal', `crop ${r.w}×${r.h}+${r.x}+${r.y} outside ${img.width}×${img.height}`);
  }
  const c = img.channels;
  const data = img.depth === 16 ? new Uint16Array(r.w * r.h * c) : new Uint8Array(r.w * r.h * c);
  for (let y = 0; y < r.h; y++) {
    const s = ((r.y + y) * img.width + r.x) * c;
    data.set(img.data.subarray(s, s + r.w * c), y * r.w * c);
  }
  return { width: r.w, height: r.h, channels: c, depth: img.depth, data };
}

/** Per output sample: the input indices and weights that make it. */
interface Axis {
  index: Int32Array[];
  weight: Float64Array[];
}

function axisWeights(inSize: number, outSize: number): Axis {
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  if (outSize >= inSize) {
    // Enlarging (or the same size: bicubic then is the identity): torch's bicubic, as image/resize.ts.
    const taps = bicubicTaps(inSize, outSize);
    for (let o = 0; o < outSize; o++) {
      index.push(taps.index.slice(o * 4, o * 4 + 4));
      weight.push(taps.weight.slice(o * 4, o * 4 + 4));
    }
    return { index, weight };
  }
  // Shrinking: the exact area average (box filter with fractional coverage at both ends).
  const r = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const lo = o * r;
    const hi = (o + 1) * r;
    const first = Math.floor(lo);
    const last = Math.min(inSize - 1, Math.ceil(hi) - 1);
    const idx = new Int32Array(last - first + 1);
    const wts = new Float64Array(last - first + 1);
    for (let i = first; i <= last; i++) {
      idx[i - first] = i;
      wts[i - first] = (Math.min(hi, i + 1) - Math.max(lo, i)) / r;
    }
    index.push(idx);
    weight.push(wts);
  }
  return { index, weight };
}

/**
 * Resamples CHW planes to outW × outH (area average down, bicubic up, per axis), the rows first so that
 * a huge input is reduced to outW columns before anything else is allocated; clamped to [lo, hi].
 */
export function resample(src: Float32Array, planes: number, w: number, h: number, outW: number, outH: number, lo: number, hi: number): Float32Array {
  if (w === outW && h === outH) return src.slice();
  const ax = axisWeights(w, outW);
  const ay = axisWeights(h, outH);
  const out = new Float32Array(planes * outW * outH);
  const tmp = new Float64Array(h * outW);
  for (let p = 0; p < planes; p++) {
    const base = p * w * h;
    for (let y = 0; y < h; y++) {
      const row = base + y * w;
      for (let x = 0; x < outW; x++) {
        const idx = ax.index[x];
        const wts = ax.weight[x];
        let acc = 0;
        for (let k = 0; k < idx.length; k++) acc += src[row + idx[k]] * wts[k];
        tmp[y * outW + x] = acc;
      }
    }
    const outBase = p * outW * outH;
    for (let y = 0; y < outH; y++) {
      const idx = ay.index[y];
      const wts = ay.weight[y];
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let k = 0; k < idx.length; k++) acc += tmp[idx[k] * outW + x] * wts[k];
        out[outBase + y * outW + x] = acc < lo ? lo : acc > hi ? hi : acc;
      }
    }
  }
  return out;
}

/** Places a w × h CHW block at (x, y) of size × size planes filled with `fill`. */
function pad(src: Float32Array, planes: number, r: Rect, size: number, fill: number): Float32Array {
  const out = new Float32Array(planes * size * size).fill(fill);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < r.h; y++) {
      const s = p * r.w * r.h + y * r.w;
      out.set(src.subarray(s, s + r.w), p * size * size + (r.y + y) * size + r.x);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// x1

/** The user's layer as the model's line drawing: size × size, 1 = paper, before noise and latent. */
export interface PreparedSketch extends SketchInfo {
  size: number;
  /** size × size grey plane in [0, 1] (1 = white paper), the padding white. */
  grey: Float32Array;
}

/**
 * Fits the layer into the square, normalises or extracts its sketch at that size and pads it with
 * white. Throws SketchError 'sketch-blank' (protocol 'no-pixels') when there are no strokes: a fully
 * transparent, empty, all-white or one-colour layer, or an image the extractor finds no line in.
 */
export function prepareSketch(planes: Planes, size: number): PreparedSketch {
  if (allTransparent(planes)) fail('sketch-blank', `${planes.width}×${planes.height} layer has no visible pixels`);
  const fit = fitRect(planes.width, planes.height, size);
  // Fitted in [−1, 1] (on white; no full-size copy of a huge layer), then a 16-bit RGB image in
  // [0, 1] for the extractor (1/65535 steps).
  const small = resample(planes.rgb, 3, planes.width, planes.height, fit.w, fit.h, -1, 1);
  const m = fit.w * fit.h;
  const data = new Uint16Array(3 * m);
  for (let i = 0; i < m; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(((small[c * m + i] + 1) / 2) * 65535);
  const sketch = toSketch({ width: fit.w, height: fit.h, channels: 3, depth: 16, data });
  if (sketch.blank) fail('sketch-blank', `${planes.width}×${planes.height} layer is one flat colour (no strokes)`);
  if (!sketch.data.some((v) => v < 1)) fail('sketch-blank', `no lines found in the ${planes.width}×${planes.height} image`);
  const grey = pad(sketch.data, 1, fit, size, 1);
  return { size, grey, kind: sketch.kind, inverted: sketch.inverted, fit };
}

/** The texture latent ℓ: the layer's centre square resized to size × size, in [−1, 1]. */
export function textureLatent(texture: Planes, size: number): Float32Array {
  if (allTransparent(texture)) fail('texture-empty', `${texture.width}×${texture.height} texture layer has no visible pixels`);
  const side = Math.min(texture.width, texture.height);
  const x0 = Math.floor((texture.width - side) / 2);
  const y0 = Math.floor((texture.height - side) / 2);
  const square = new Float32Array(3 * side * side);
  const n = texture.width * texture.height;
  for (let p = 0; p < 3; p++) {
    for (let y = 0; y < side; y++) {
      const s = p * n + (y0 + y) * texture.width + x0;
      square.set(texture.rgb.subarray(s, s + side), p * side * side + y * side);
    }
  }
  return resample(square, 3, side, side, size, size, -1, 1);
}

/**
 * γ·ℓ (3 × size², each term rounded to float32) for the options' colour or texture, or null when
 * there is none (or γ = 0). x1 with the latent is exactly fround(x1 + term), element by element.
 */
export function latentTerm(options: Partial<EngineOptions>, size: number): Float32Array | null {
  check(sketchOptionProblem(options));
  if (options.color === undefined && options.texture === undefined) return null;
  const gamma = options.latentStrength ?? DEFAULT_LATENT_STRENGTH;
  if (gamma === 0) return null;
  const n = size * size;
  const term = new Float32Array(3 * n);
  if (options.color !== undefined) {
    const rgb = parseColor(options.color)!;
    for (let c = 0; c < 3; c++) term.fill(gamma * rgb[c], c * n, (c + 1) * n);
  } else {
    const l = textureLatent(options.texture!, size);
    for (let i = 0; i < 3 * n; i++) term[i] = gamma * l[i];
  }
  return term;
}

/** x1 = grey×3 in [−1, 1] + σp·ε(seed) (+ the latent term): 3 × size², a fresh array. */
export function sketchX1(prep: PreparedSketch, sigmaP: number, seed: number, latent: Float32Array | null = null): Float32Array {
  if (!isSeed(seed)) fail('seed-invalid', `seed ${seed}`);
  const n = prep.size * prep.size;
  const x1 = sketchToPlanes({ width: prep.size, height: prep.size, data: prep.grey }).rgb;
  if (sigmaP > 0) {
    // The paired coupling's perturbation, as in training (x1 + σp·randn over the whole square).
    const eps = gaussian(3 * n, seed);
    for (let i = 0; i < 3 * n; i++) x1[i] += sigmaP * eps[i];
  }
  if (latent) for (let i = 0; i < 3 * n; i++) x1[i] += latent[i];
  return x1;
}

function info(prep: PreparedSketch): SketchInfo {
  return { kind: prep.kind, inverted: prep.inverted, fit: prep.fit };
}

/** The registry's builder (card tool "sketch"): x1 at the model's square, opaque, and what was read. */
export function buildSketchSource(card: ModelCard, input: ToolInput): Source {
  const size = sketchSize(card);
  check(sketchOptionProblem(input.options));
  const latent = latentTerm(input.options, size);
  const prep = prepareSketch(input.planes, size);
  const x1 = sketchX1(prep, card.source.sigma_p ?? 0, input.options.seed, latent);
  return { x1, width: size, height: size, alpha: null, sketch: info(prep) };
}

// ---------------------------------------------------------------------------------------------
// Edit (Algorithm 5)

export interface EditSource extends Source {
  /** x_s = (1 − s)·x_edit + s·x1 (in `x1`), and the evaluations to run from it: G(x_s, s, 0) by default. */
  times: StepTime[];
  /** x_edit as fitted into the square (3 × size², [−1, 1], padding white). */
  edit: Float32Array;
  /** The sketch's x1 (with its seed's noise and latent). */
  sketchX1: Float32Array;
}

/**
 * The evaluations of an edit at strength s: one (G(x_s, s, 0)) by default; `steps` > 1 walks the card's
 * grid points below s down to 0 (at most as many as there are).
 */
export function editTimes(card: ModelCard, s: number, steps: number): StepTime[] {
  const k = effectiveSteps(card, steps);
  const points = [0, ...card.time.grid.filter((g) => g > 0 && g < s), s];
  const last = points.length - 1;
  const n = Math.min(k, last);
  if (n <= 1) return [{ t: s, s: 0 }];
  const idx: number[] = [];
  for (let j = n; j >= 0; j--) idx.push(Math.round((j * last) / n));
  const out: StepTime[] = [];
  for (let j = 0; j < n; j++) out.push({ t: points[idx[j]], s: points[idx[j + 1]] });
  return out;
}

/**
 * Edit's input: `edited` (the painted-over result, or any illustration) fitted into the model's square
 * and padded with white; x1 from `sketch` (the layer the result came from, with the same seed and
 * latent options) or, when null, from the sketch extracted from `edited`; s = options.strength.
 */
export function buildEditSource(card: ModelCard, edited: Planes, sketch: Planes | null, options: EngineOptions): EditSource {
  const size = sketchSize(card);
  check(editOptionProblem(options));
  if (allTransparent(edited)) fail('sketch-blank', `${edited.width}×${edited.height} edited layer has no visible pixels`);
  const s = options.strength;
  const latent = latentTerm(options, size);
  const prep = prepareSketch(sketch ?? edited, size);
  const x1 = sketchX1(prep, card.source.sigma_p ?? 0, options.seed, latent);
  const fit = fitRect(edited.width, edited.height, size);
  const edit = pad(resample(edited.rgb, 3, edited.width, edited.height, fit.w, fit.h, -1, 1), 3, fit, size, 1);
  const xs = new Float32Array(3 * size * size);
  for (let i = 0; i < xs.length; i++) xs[i] = (1 - s) * edit[i] + s * x1[i];
  return { x1: xs, width: size, height: size, alpha: null, sketch: info(prep), times: editTimes(card, s, options.steps), edit, sketchX1: x1 };
}

// ---------------------------------------------------------------------------------------------
// Reaching a larger size: upscalers after the sketch model

/** Upscale factor the result needs so its side reaches `side` (1, 2, 4, …; the smallest that does). */
export function sketchScaleFor(card: ModelCard, side: number, scales: number[] = [1, 2, 4, 8, 16]): number {
  const size = sketchSize(card);
  for (const k of [...scales].sort((a, b) => a - b)) if (size * k >= side) return k;
  return Math.max(...scales);
}

/**
 * The chain for a sketch result at `scale` × the model's size: the sketch card, then the fewest
 * upscale cards (restore tool, source kind "upscale") whose scales multiply to `scale`; null when the
 * zoo has none that do. [sketch] for scale 1; e.g. [sketch, restore-x4] or [sketch, restore-x2, restore-x2].
 */
export function sketchChain(cards: ModelCard[], sketch: ModelCard, scale: number): ModelCard[] | null {
  sketchSize(sketch);
  if (scale === 1) return [sketch];
  const ups = cards.filter((c) => c.tool === 'restore' && c.source.kind === 'upscale' && cardScale(c) > 1);
  let frontier: ModelCard[][] = [[]];
  for (let depth = 1; depth <= 3; depth++) {
    const next: ModelCard[][] = [];
    for (const path of frontier) {
      for (const u of ups) {
        const p = [...path, u];
        const k = p.reduce((m, c) => m * cardScale(c), 1);
        if (k === scale) return [sketch, ...p];
        if (k < scale) next.push(p);
      }
    }
    frontier = next;
  }
  return null;
}
