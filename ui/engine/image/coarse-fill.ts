// The inpaint model's starting guess for a hole: each hole pixel replaced by a smooth continuation of
// the known pixels around it. The model's x1 is this guess plus the seed's noise (tools/inpaint.ts), as
// in training: models/gctm/inpaint_data.py `coarse_fill` is the same algorithm, and
// test/fixtures/coarse-fill.json holds its outputs for the parity test.
//
// Pull: halve the image while both sides are even and above 1, each pixel the mean of the known
// pixels under it (unknown when there are none); the last level's unknown pixels take the mean of its
// known ones (0 when none is known). Push: from the coarsest level down, an unknown pixel takes its
// parent's value. Then `smooth` Jacobi passes over the hole: each hole pixel becomes the mean of its
// four neighbours (edges repeated), known pixels fixed.

interface Level {
  width: number;
  height: number;
  /** channels planes of width × height */
  values: Float32Array;
  known: Uint8Array;
}

/**
 * `planes` (channels × height × width, CHW) with every pixel where hole[i] > 0.5 filled; a new array,
 * known pixels copied as they are.
 */
export function coarseFill(planes: Float32Array, channels: number, width: number, height: number, hole: ArrayLike<number>, smooth: number): Float32Array {
  const known0 = new Uint8Array(width * height);
  for (let i = 0; i < known0.length; i++) known0[i] = hole[i] > 0.5 ? 0 : 1;
  const levels: Level[] = [{ width, height, values: planes, known: known0 }];
  for (;;) {
    const { width: w, height: h, values, known } = levels[levels.length - 1];
    if (w % 2 !== 0 || h % 2 !== 0 || Math.min(w, h) <= 1) break;
    levels.push(pull(values, known, channels, w, h));
  }
  // The coarsest level: unknown pixels take the mean of the known ones.
  const top = levels[levels.length - 1];
  let out: Float32Array = new Float32Array(top.values);
  const n = top.width * top.height;
  let count = 0;
  for (let i = 0; i < n; i++) count += top.known[i];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) if (top.known[i]) sum += top.values[c * n + i];
    const mean = Math.fround(sum / Math.max(count, 1));
    for (let i = 0; i < n; i++) if (!top.known[i]) out[c * n + i] = mean;
  }
  for (let l = levels.length - 2; l >= 0; l--) out = push(levels[l], out, channels);
  return jacobi(out, known0, channels, width, height, smooth);
}

function pull(values: Float32Array, known: Uint8Array, channels: number, w: number, h: number): Level {
  const nw = w / 2;
  const nh = h / 2;
  const out = new Float32Array(channels * nw * nh);
  const outKnown = new Uint8Array(nw * nh);
  const plane = w * h;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      const a = 2 * y * w + 2 * x;
      const idx = [a, a + 1, a + w, a + w + 1];
      let count = 0;
      for (const i of idx) count += known[i];
      outKnown[y * nw + x] = count > 0 ? 1 : 0;
      for (let c = 0; c < channels; c++) {
        let total = 0;
        for (const i of idx) if (known[i]) total += values[c * plane + i];
        out[c * nw * nh + y * nw + x] = total / Math.max(count, 1);
      }
    }
  }
  return { width: nw, height: nh, values: out, known: outKnown };
}

/** Level `l` with its unknown pixels taken from the filled level above (`coarse`, half the size). */
function push(level: Level, coarse: Float32Array, channels: number): Float32Array {
  const { width: w, height: h, values, known } = level;
  const out = new Float32Array(values);
  const cw = w / 2;
  const cplane = cw * (h / 2);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (!known[i]) out[c * w * h + i] = coarse[c * cplane + (y >> 1) * cw + (x >> 1)];
      }
    }
  }
  return out;
}

function jacobi(start: Float32Array, known: Uint8Array, channels: number, w: number, h: number, passes: number): Float32Array {
  const holes: number[] = [];
  for (let i = 0; i < w * h; i++) if (!known[i]) holes.push(i);
  let cur: Float32Array = start;
  let next: Float32Array = new Float32Array(start);
  const plane = w * h;
  for (let k = 0; k < passes; k++) {
    for (let c = 0; c < channels; c++) {
      const o = c * plane;
      for (const i of holes) {
        const y = (i / w) | 0;
        const x = i - y * w;
        const up = cur[o + (y > 0 ? i - w : i)];
        const down = cur[o + (y < h - 1 ? i + w : i)];
        const left = cur[o + (x > 0 ? i - 1 : i)];
        const right = cur[o + (x < w - 1 ? i + 1 : i)];
        next[o + i] = Math.fround(Math.fround(Math.fround(up + down) + left) + right) * 0.25;
      }
    }
    [cur, next] = [next, cur];
  }
  return cur;
}
