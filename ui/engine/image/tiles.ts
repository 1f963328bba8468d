// Pure tile geometry for running a fully convolutional model on any image size: edge padding to the
// model's multiple, overlapping tiles, and feathered weights so that seams blend away.

/** Smallest multiple of `m` that is ≥ n. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Pads CHW planes on the right and bottom by repeating the last column and row. */
export function padEdge(src: Float32Array, planes: number, w: number, h: number, pw: number, ph: number): Float32Array {
  if (pw === w && ph === h) return src;
  const out = new Float32Array(planes * pw * ph);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < ph; y++) {
      const sy = Math.min(y, h - 1);
      const srcRow = p * w * h + sy * w;
      const dstRow = p * pw * ph + y * pw;
      out.set(src.subarray(srcRow, srcRow + w), dstRow);
      const last = src[srcRow + w - 1];
      for (let x = w; x < pw; x++) out[dstRow + x] = last;
    }
  }
  return out;
}

/** Copies the top-left w × h window of CHW planes that are pw wide and ph high. */
export function crop(src: Float32Array, planes: number, pw: number, ph: number, w: number, h: number): Float32Array {
  if (pw === w && ph === h) return src;
  const out = new Float32Array(planes * w * h);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const s = p * pw * ph + y * pw;
      out.set(src.subarray(s, s + w), p * w * h + y * w);
    }
  }
  return out;
}

/**
 * Start offsets of tiles of `size` along an axis of `length`, adjacent tiles overlapping by at least
 * `overlap`. Tiles are spread evenly so no tile is a thin sliver (slivers see too little context).
 */
export function tileStarts(length: number, size: number, overlap: number, multiple = 1): number[] {
  if (length <= size) return [0];
  if (overlap >= size) throw new Error(`tile overlap ${overlap} must be smaller than the tile size ${size}`);
  const n = Math.ceil((length - overlap) / (size - overlap));
  const starts: number[] = [];
  // Starts on the model's multiple: a pixel-unshuffle stem then groups pixels the same way in every
  // tile, so neighbouring tiles compute the same values where they overlap.
  for (let i = 0; i < n; i++) starts.push(Math.floor((i * (length - size)) / (n - 1) / multiple) * multiple);
  return starts;
}

export interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The tile side actually used along an axis: the fewest tiles of at most `size` that cover `length`
 * with the overlap, each then shrunk to the smallest multiple that still does. A 2048 px side with
 * 1024 px tiles needs three tiles either way; three of 736 px compute 2,208 px instead of 3,072.
 */
export function fitTileSize(length: number, size: number, overlap: number, multiple = 1): number {
  if (length <= size) return length;
  const n = Math.ceil((length - overlap) / (size - overlap));
  // + multiple: starts are rounded down to the multiple, which can take that much from an overlap.
  const fitted = roundUp(Math.ceil((length + (n - 1) * (overlap + multiple)) / n), multiple);
  return Math.min(size, Math.max(fitted, overlap + multiple));
}

/** Tiles covering a width × height image (both already multiples of the model's multiple). */
export function planTiles(width: number, height: number, size: number, overlap: number, multiple = 1): Tile[] {
  const w = fitTileSize(width, size, overlap, multiple);
  const h = fitTileSize(height, size, overlap, multiple);
  const xs = tileStarts(width, w, overlap, multiple);
  const ys = tileStarts(height, h, overlap, multiple);
  const tiles: Tile[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y, w, h });
  return tiles;
}

/**
 * Per-axis feather: 1 inside, a linear ramp over `overlap` samples on each side that has a neighbour.
 * The ramp never reaches 0, so every pixel has positive total weight.
 */
export function axisRamp(start: number, n: number, length: number, overlap: number): Float32Array {
  const r = new Float32Array(n);
  const rampLeft = start > 0;
  const rampRight = start + n < length;
  for (let i = 0; i < n; i++) {
    let v = 1;
    if (overlap > 0) {
      if (rampLeft) v = Math.min(v, (i + 0.5) / overlap);
      if (rampRight) v = Math.min(v, (n - i - 0.5) / overlap);
    }
    r[i] = v;
  }
  return r;
}

/** Copies one tile out of CHW planes (planes × height × width). */
export function extractTile(src: Float32Array, planes: number, width: number, height: number, t: Tile): Float32Array {
  const out = new Float32Array(planes * t.w * t.h);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < t.h; y++) {
      const s = p * width * height + (t.y + y) * width + t.x;
      out.set(src.subarray(s, s + t.w), p * t.w * t.h + y * t.w);
    }
  }
  return out;
}

/** Accumulates weighted tile values: acc += value·w, weight += w (w = product of the axis ramps). */
export class Blender {
  readonly acc: Float32Array;
  readonly weight: Float32Array;
  constructor(
    readonly planes: number,
    readonly width: number,
    readonly height: number,
    readonly overlap: number,
  ) {
    this.acc = new Float32Array(planes * width * height);
    this.weight = new Float32Array(width * height);
  }

  add(t: Tile, values: Float32Array): void {
    const rx = axisRamp(t.x, t.w, this.width, this.overlap);
    const ry = axisRamp(t.y, t.h, this.height, this.overlap);
    const plane = this.width * this.height;
    for (let y = 0; y < t.h; y++) {
      const row = (t.y + y) * this.width + t.x;
      for (let x = 0; x < t.w; x++) {
        const w = rx[x] * ry[y];
        this.weight[row + x] += w;
        for (let p = 0; p < this.planes; p++) {
          this.acc[p * plane + row + x] += values[p * t.w * t.h + y * t.w + x] * w;
        }
      }
    }
  }

  /** The blended planes (call once); fails loudly if a pixel was never covered (a tiling bug, not a user error). */
  result(): Float32Array {
    const plane = this.width * this.height;
    const out = this.acc; // normalised in place: a 4096² result would otherwise need another 200 MB
    for (let i = 0; i < plane; i++) {
      const w = this.weight[i];
      if (!(w > 0)) throw new Error(`tiling left pixel ${i % this.width},${Math.floor(i / this.width)} uncovered`);
      for (let p = 0; p < this.planes; p++) out[p * plane + i] /= w;
    }
    return out;
  }
}
