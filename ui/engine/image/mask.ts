// Inpainting masks: what the user wants gone, as per-pixel coverage. Pure geometry, no model.
//
// A pixel is in the hole when its coverage is above 0 (the issue: "any fill or opacity counts as
// covered"); coverage values themselves only matter to whoever rasterises shapes. Parsing a mask PNG
// (the CLI's --mask) thresholds at one half, so those masks are 0/1 anyway.
import type { RawImage } from './raw';

/** Coverage in [0, 1] per pixel, row-major (height × width). Uint8Array masks hold 0 or 1. */
export interface Mask {
  width: number;
  height: number;
  data: Float32Array | Uint8Array;
}

/** An axis-aligned rectangle of pixels, half-open: [x, x + w) × [y, y + h). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A connected hole: its bounding box and how many pixels it covers. */
export interface Component extends Box {
  pixels: number;
}

export function isCovered(mask: Mask, i: number): boolean {
  return mask.data[i] > 0;
}

/** Rec. 709 luma weights on the encoded values: white 1, black 0, mid grey 0.5. */
const LUMA = [0.2126, 0.7152, 0.0722] as const;

/**
 * A mask from an image as the CLI's --mask reads it: where the image has an alpha channel that is not
 * fully opaque, a pixel is in the hole when its alpha is above one half; otherwise when its luminance
 * is (white shapes on black, or black on transparent, both work). Any bit depth and channel count.
 */
export function maskFromImage(img: RawImage): Mask {
  const { width, height, channels, data } = img;
  const n = width * height;
  const max = img.depth === 16 ? 65535 : 255;
  const half = max / 2;
  const out = new Uint8Array(n);
  const withAlpha = channels === 2 || channels === 4;
  let useAlpha = false;
  if (withAlpha) {
    for (let i = 0; i < n; i++) {
      if (data[i * channels + channels - 1] !== max) {
        useAlpha = true;
        break;
      }
    }
  }
  if (useAlpha) {
    for (let i = 0; i < n; i++) out[i] = data[i * channels + channels - 1] > half ? 1 : 0;
  } else if (channels <= 2) {
    for (let i = 0; i < n; i++) out[i] = data[i * channels] > half ? 1 : 0;
  } else {
    for (let i = 0; i < n; i++) {
      const b = i * channels;
      const luma = LUMA[0] * data[b] + LUMA[1] * data[b + 1] + LUMA[2] * data[b + 2];
      out[i] = luma > half ? 1 : 0;
    }
  }
  return { width, height, data: out };
}

/** The same rule on 8-bit RGBA (a canvas's ImageData, or toRgba8's output). */
export function maskFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Mask {
  if (rgba.length !== width * height * 4) throw new Error(`RGBA mask has ${rgba.length} bytes for ${width}×${height}`);
  const data = rgba instanceof Uint8Array ? rgba : new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length);
  return maskFromImage({ width, height, channels: 4, depth: 8, data });
}

/** Share of the pixels in the hole (coverage > 0), 0 … 1. */
export function maskShare(mask: Mask): number {
  const n = mask.width * mask.height;
  if (n === 0) return 0;
  let covered = 0;
  for (let i = 0; i < n; i++) if (mask.data[i] > 0) covered++;
  return covered / n;
}

/**
 * Connected components of the hole (coverage > 0), 4- or 8-connected, with their bounding boxes, in
 * scan order of their first pixel. One flood fill with an explicit stack: O(pixels), no recursion.
 */
export function components(mask: Mask, connectivity: 4 | 8 = 8): Component[] {
  const { width, height, data } = mask;
  const n = width * height;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const out: Component[] = [];
  for (let start = 0; start < n; start++) {
    if (seen[start] || !(data[start] > 0)) continue;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let x0 = width, y0 = height, x1 = -1, y1 = -1, pixels = 0;
    while (top > 0) {
      const i = stack[--top];
      const x = i % width;
      const y = (i - x) / width;
      pixels++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (!seen[j] && data[j] > 0) {
            seen[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    out.push({ x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1, pixels });
  }
  return out;
}

/** The smallest box holding both. */
export function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Whether two half-open boxes share at least one pixel. */
export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The box grown by `r` on every side, clipped to width × height. */
export function dilateBox(b: Box, r: number, width: number, height: number): Box {
  const x = Math.max(0, b.x - r);
  const y = Math.max(0, b.y - r);
  return { x, y, w: Math.min(width, b.x + b.w + r) - x, h: Math.min(height, b.y + b.h + r) - y };
}

/** The mask's coverage inside `box`, as a mask of the box's size. */
export function cropMask(mask: Mask, box: Box): Mask {
  const data = new (mask.data.constructor as Float32ArrayConstructor | Uint8ArrayConstructor)(box.w * box.h);
  for (let y = 0; y < box.h; y++) {
    const s = (box.y + y) * mask.width + box.x;
    data.set(mask.data.subarray(s, s + box.w), y * box.w);
  }
  return { width: box.w, height: box.h, data };
}

const FAR = 1e20;

/**
 * Felzenszwalb–Huttenlocher: the exact squared distance to the nearest zero of f along one line
 * (f = 0 at the sites, FAR elsewhere), in O(n). d, v, z are scratch of length n, n, n + 1.
 */
function squaredDistance1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

/**
 * Exact squared Euclidean distance (in pixels²) from each pixel of a w × h grid to the nearest hole
 * pixel (`hole[i]` true); FAR-ish (≥ 1e20) where the grid holds no hole at all.
 */
export function squaredDistanceToHole(hole: (i: number) => boolean, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = hole(y * w + x) ? 0 : FAR;
    squaredDistance1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = out[row + x];
    squaredDistance1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x];
  }
  return out;
}

/**
 * The weight of a pixel at Euclidean distance `dist` from the hole: 1 in the hole, a smoothstep ramp
 * over the `feather` pixels outside it, exactly 0 beyond. The ramp is spread over feather + 1 so that
 * the last pixel inside the feather still gets a little of the model's output.
 */
export function featherWeight(dist: number, feather: number): number {
  if (dist <= 0) return 1;
  if (dist > feather) return 0;
  const t = 1 - dist / (feather + 1);
  return t * t * (3 - 2 * t);
}

/**
 * The soft compositing mask over `region` (default: the whole mask): 1 on hole pixels, falling to 0
 * over `feather` pixels outside the hole, and exactly 0 farther than `feather` px (Euclidean) from
 * every hole pixel, so pixels there keep the input bit for bit.
 *
 * Why a distance transform and not repeated box blurs of the dilated mask: the "exactly 0 beyond
 * `feather`" promise then holds by construction (one comparison per pixel on an exact distance), the
 * ramp is round rather than square-cornered (box blurs spread farther along diagonals than along
 * axes, and their support is the sum of the radii, easy to get off by one), and it costs O(pixels)
 * whatever the feather width. The distance is computed on the region grown by `feather`, so holes
 * just outside the region still count.
 */
export function featherMask(mask: Mask, feather: number, region: Box = { x: 0, y: 0, w: mask.width, h: mask.height }): Float32Array {
  if (!(feather >= 0)) throw new Error(`feather must be ≥ 0, got ${feather}`);
  const r = Math.ceil(feather);
  const grown = dilateBox(region, r, mask.width, mask.height);
  const { data, width } = mask;
  const sq = squaredDistanceToHole((i) => data[(grown.y + Math.floor(i / grown.w)) * width + grown.x + (i % grown.w)] > 0, grown.w, grown.h);
  const out = new Float32Array(region.w * region.h);
  const ox = region.x - grown.x;
  const oy = region.y - grown.y;
  for (let y = 0; y < region.h; y++) {
    for (let x = 0; x < region.w; x++) {
      const s = sq[(oy + y) * grown.w + ox + x];
      out[y * region.w + x] = s >= FAR ? 0 : featherWeight(Math.sqrt(s), feather);
    }
  }
  return out;
}
