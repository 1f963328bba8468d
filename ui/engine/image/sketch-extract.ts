// The sketch extractor and the sketch normaliser: any image → what the sketch model expects (dark
// strokes on white). A restatement of models/gctm/sketch_extract.py, which is the truth (its module
// docstring defines every step); test/fixtures/sketch-extract.json holds its parity vectors.
//
// Every value is float32 and every operation is rounded to float32 (Math.fround) in the same order as
// the numpy code: a float64 +, −, ×, ÷ of two float32 values rounded once to float32 is the correctly
// rounded float32 result, so both languages compute the same bits.

import type { Planes, RawImage } from './raw';
import { hasAlpha } from './raw';

const f = Math.fround;

/** Gaussian σ = 0.8, taps −4…4, normalised and rounded to float32 (listed as in the Python). */
export const KERNEL_1 = Float32Array.from([
  1.8583872e-6, 0.00044074171, 0.021910233, 0.22830987, 0.4986746, 0.22830987, 0.021910233, 0.00044074171, 1.8583872e-6,
]);
/** Gaussian σ = 1.28 (1.6 × σ1), the same 9 taps. */
export const KERNEL_2 = Float32Array.from([
  0.00236188, 0.019999122, 0.091979645, 0.22977363, 0.31177145, 0.22977363, 0.091979645, 0.019999122, 0.00236188,
]);
/** XDoG p. */
export const SHARPEN = f(20);
/** XDoG ε: a response below it is ink. */
export const THRESHOLD = f(0.2);
/** The contrast gain is 1 / max(range of the blurred luminance, MIN_RANGE). */
export const MIN_RANGE = f(0.3);
/** An ink pixel needs this many ink pixels among its 8 neighbours to stay. */
export const DESPECKLE_MIN = 2;
const LUMA: readonly [number, number, number] = [f(0.299), f(0.587), f(0.114)];

/** Normalise: less contrast than this between the paper and the darkest stroke is a blank layer. */
export const MIN_CONTRAST = f(0.05);
/** Normalise: a median luminance below this is a dark background (inverted). */
export const DARK_MEDIAN = f(0.5);
/** Normalise: the paper level is this percentile. */
export const PAPER_Q = 95;
/** Normalise: anything within 10 % of the paper level is white. */
export const PAPER_MARGIN = f(0.9);
/** looksLikeSketch: at least this fraction of pixels is paper (≥ PAPER_LEVEL after normalising)… */
export const SKETCH_PAPER = 0.5;
export const PAPER_LEVEL = f(0.9);
/** …and at most SKETCH_COLOURED of the rest has chroma (max − min of RGB) above CHROMA. */
export const CHROMA = f(0.2);
export const SKETCH_COLOURED = 0.1;

/** A single-channel image in [0, 1]: 1 = white paper, 0 = ink. Row-major, width × height. */
export interface SketchPlane {
  width: number;
  height: number;
  data: Float32Array;
}

export interface NormalisedSketch extends SketchPlane {
  /** The background was dark (median luminance < 0.5), so the luminance was inverted first. */
  inverted: boolean;
  /** Paper and strokes could not be told apart (empty, all white, one flat colour): the plane is all white. */
  blank: boolean;
  /** The paper level and the darkest stroke found (after inversion). */
  paper: number;
  ink: number;
}

export interface ModelSketch extends SketchPlane {
  /** "sketch": the image was a drawn sketch, normalised; "extracted": colour art or a photo, put through the extractor. */
  kind: 'sketch' | 'extracted';
  inverted: boolean;
  blank: boolean;
}

/** Interleaved RGB float32 in [0, 1] (H × W × 3), transparency composited on white: c·a + (1 − a). */
export function toRgb(img: RawImage): Float32Array {
  const { width, height, channels, data } = img;
  const n = width * height;
  const max = img.depth === 16 ? 65535 : 255;
  const alpha = hasAlpha(channels);
  const colours = alpha ? channels - 1 : channels;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const b = i * channels;
    const a = alpha ? f(data[b + channels - 1] / max) : 1;
    const oneMinusA = f(1 - a);
    for (let c = 0; c < 3; c++) {
      let v = f(data[b + (colours === 1 ? 0 : c)] / max);
      if (alpha) v = f(f(v * a) + oneMinusA);
      out[i * 3 + c] = v;
    }
  }
  return out;
}

/** Luminance of interleaved RGB: (0.299·R + 0.587·G) + 0.114·B, in float32. */
export function luminanceOfRgb(rgb: Float32Array): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = f(f(f(LUMA[0] * rgb[i * 3]) + f(LUMA[1] * rgb[i * 3 + 1])) + f(LUMA[2] * rgb[i * 3 + 2]));
  }
  return out;
}

/** Luminance in [0, 1] of any RawImage, transparency on white. */
export function luminance(img: RawImage): Float32Array {
  return luminanceOfRgb(toRgb(img));
}

function blurPass(src: Float32Array, width: number, height: number, k: Float32Array, horizontal: boolean): Float32Array {
  const out = new Float32Array(width * height);
  const r = k.length >> 1;
  const len = horizontal ? width : height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pos = horizontal ? x : y;
      let acc = 0;
      for (let j = 0; j < k.length; j++) {
        const t = Math.min(len - 1, Math.max(0, pos + j - r));
        const v = horizontal ? src[y * width + t] : src[t * width + x];
        const term = f(k[j] * v);
        acc = j === 0 ? term : f(acc + term);
      }
      out[y * width + x] = acc;
    }
  }
  return out;
}

/** Separable blur of a width × height plane: the horizontal pass, then the vertical, taps clamped to the edge. */
export function blur(plane: Float32Array, width: number, height: number, kernel: Float32Array): Float32Array {
  return blurPass(blurPass(plane, width, height, kernel, true), width, height, kernel, false);
}

/** The XDoG response S = g1 + (p·gain)·(g1 − g2) of a luminance plane; ink where S < THRESHOLD. */
export function xdogResponseOfLuminance(lum: Float32Array, width: number, height: number): Float32Array {
  const g1 = blur(lum, width, height, KERNEL_1);
  const g2 = blur(lum, width, height, KERNEL_2);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of g1) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const gain = f(1 / Math.max(f(hi - lo), MIN_RANGE));
  const a = f(SHARPEN * gain);
  const out = new Float32Array(g1.length);
  for (let i = 0; i < g1.length; i++) out[i] = f(g1[i] + f(a * f(g1[i] - g2[i])));
  return out;
}

export function xdogResponse(img: RawImage): Float32Array {
  return xdogResponseOfLuminance(luminance(img), img.width, img.height);
}

/** Drops ink pixels (1 = ink) with fewer than minNeighbours ink pixels among their 8 neighbours (outside = paper). */
export function despeckle(ink: Uint8Array, width: number, height: number, minNeighbours = DESPECKLE_MIN): Uint8Array {
  const out = new Uint8Array(ink.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!ink[i]) continue;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dx === 0 && dy === 0) || xx < 0 || xx >= width) continue;
          n += ink[yy * width + xx];
        }
      }
      out[i] = n >= minNeighbours ? 1 : 0;
    }
  }
  return out;
}

/** The ink mask before despeckling (1 = ink): S < THRESHOLD. */
export function extractInk(img: RawImage): Uint8Array {
  const s = xdogResponse(img);
  const ink = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) ink[i] = s[i] < THRESHOLD ? 1 : 0;
  return ink;
}

/**
 * Colour art or a photo → a line drawing in {0, 1} (1 = paper), as the sketch model's synthetic training
 * sketches were made. Run it at the model's working size (resize first, keeping aspect) and pad the
 * result with white, not the image (a padded image's border would be drawn as a line).
 */
export function extractSketch(img: RawImage): SketchPlane {
  const ink = despeckle(extractInk(img), img.width, img.height);
  const data = new Float32Array(ink.length);
  for (let i = 0; i < ink.length; i++) data[i] = ink[i] ? 0 : 1;
  return { width: img.width, height: img.height, data };
}

function sorted(values: Float32Array): Float32Array {
  return Float32Array.from(values).sort();
}

function normaliseLuminance(lumIn: Float32Array, width: number, height: number): NormalisedSketch {
  let lum = lumIn;
  const n = lum.length;
  let s = sorted(lum);
  const inverted = s[(n - 1) >> 1] < DARK_MEDIAN;
  if (inverted) {
    lum = lum.map((v) => f(1 - v));
    s = sorted(lum);
  }
  const paper = s[Math.floor((PAPER_Q * (n - 1)) / 100)];
  const ink = s[0];
  const den = f(paper - ink);
  const blank = den < MIN_CONTRAST;
  const data = new Float32Array(n);
  if (blank) data.fill(1);
  else {
    const scale = f(PAPER_MARGIN * den);
    for (let i = 0; i < n; i++) data[i] = Math.min(1, Math.max(0, f(f(lum[i] - ink) / scale)));
  }
  return { width, height, data, inverted, blank, paper, ink };
}

/**
 * A drawn sketch (dark strokes on any light background, or light strokes on a dark one, or strokes on a
 * transparent layer) → strokes on white: transparency on white, a dark background inverted, the paper
 * level (95th percentile) to white and the darkest stroke to black.
 */
export function normaliseSketch(img: RawImage): NormalisedSketch {
  return normaliseLuminance(luminance(img), img.width, img.height);
}

function looksLikeSketchRgb(rgb: Float32Array, norm: NormalisedSketch): boolean {
  if (norm.blank) return true;
  const n = norm.data.length;
  let notPaper = 0;
  let coloured = 0;
  for (let i = 0; i < n; i++) {
    if (!(norm.data[i] < PAPER_LEVEL)) continue;
    notPaper++;
    const r = rgb[i * 3], g = rgb[i * 3 + 1], b = rgb[i * 3 + 2];
    const chroma = f(Math.max(r, g, b) - Math.min(r, g, b));
    if (chroma > CHROMA) coloured++;
  }
  if (n - notPaper < SKETCH_PAPER * n) return false;
  return coloured <= SKETCH_COLOURED * notPaper;
}

/** Mostly paper, and what is not paper nearly all colourless: a drawn sketch rather than colour art or a photo. */
export function looksLikeSketch(img: RawImage): boolean {
  const rgb = toRgb(img);
  return looksLikeSketchRgb(rgb, normaliseLuminance(luminanceOfRgb(rgb), img.width, img.height));
}

/**
 * What the sketch model is given for any image: a drawn sketch is normalised, anything else (colour art,
 * a photo) goes through the extractor, and `kind` says which (the panel tells the user when it extracted).
 */
export function toSketch(img: RawImage): ModelSketch {
  const rgb = toRgb(img);
  const norm = normaliseLuminance(luminanceOfRgb(rgb), img.width, img.height);
  if (looksLikeSketchRgb(rgb, norm)) {
    return { width: norm.width, height: norm.height, data: norm.data, kind: 'sketch', inverted: norm.inverted, blank: norm.blank };
  }
  return { ...extractSketch(img), kind: 'extracted', inverted: false, blank: false };
}

/** A sketch plane as the model's input: grey replicated to 3 channels, [0, 1] → [−1, 1], opaque. */
export function sketchToPlanes(s: SketchPlane): Planes {
  const n = s.width * s.height;
  const rgb = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const v = s.data[i] * 2 - 1;
    rgb[i] = v;
    rgb[n + i] = v;
    rgb[2 * n + i] = v;
  }
  return { width: s.width, height: s.height, rgb, alpha: null };
}
