// Bicubic resize identical to torch.nn.functional.interpolate(mode='bicubic', align_corners=False,
// antialias=False), which models/ uses to build x1: Keys cubic with a = −0.75, half-pixel centres,
// taps clamped to the edge, and no clamping of the result (so values may overshoot [−1, 1]).

const A = -0.75;

function cubicNear(x: number): number {
  // |x| ≤ 1
  return ((A + 2) * x - (A + 3)) * x * x + 1;
}

function cubicFar(x: number): number {
  // 1 < |x| < 2
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

interface Taps {
  index: Int32Array; // 4 per output position
  weight: Float64Array; // 4 per output position
}

/** For each output position: the 4 input indices (edge-clamped) and their weights, as torch computes them. */
export function bicubicTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const real = scale * (o + 0.5) - 0.5; // half-pixel centres, not clamped at 0 for cubic
    const i0 = Math.floor(real);
    const t = real - i0;
    const w = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
    for (let k = 0; k < 4; k++) {
      index[o * 4 + k] = Math.min(inSize - 1, Math.max(0, i0 - 1 + k));
      weight[o * 4 + k] = w[k];
    }
  }
  return { index, weight };
}

/**
 * Resizes `planes` channel-major planes of width × height to outWidth × outHeight.
 * Rows first, then columns, the same separable order as torch's CPU kernel.
 */
export function resizeBicubic(
  src: Float32Array,
  planes: number,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const tx = bicubicTaps(width, outWidth);
  const ty = bicubicTaps(height, outHeight);
  const tmp = new Float64Array(height * outWidth);
  const out = new Float32Array(planes * outWidth * outHeight);
  for (let p = 0; p < planes; p++) {
    const inBase = p * width * height;
    for (let y = 0; y < height; y++) {
      const row = inBase + y * width;
      for (let x = 0; x < outWidth; x++) {
        const k = x * 4;
        tmp[y * outWidth + x] =
          src[row + tx.index[k]] * tx.weight[k] +
          src[row + tx.index[k + 1]] * tx.weight[k + 1] +
          src[row + tx.index[k + 2]] * tx.weight[k + 2] +
          src[row + tx.index[k + 3]] * tx.weight[k + 3];
      }
    }
    const outBase = p * outWidth * outHeight;
    for (let y = 0; y < outHeight; y++) {
      const k = y * 4;
      const r0 = ty.index[k] * outWidth;
      const r1 = ty.index[k + 1] * outWidth;
      const r2 = ty.index[k + 2] * outWidth;
      const r3 = ty.index[k + 3] * outWidth;
      const w0 = ty.weight[k], w1 = ty.weight[k + 1], w2 = ty.weight[k + 2], w3 = ty.weight[k + 3];
      for (let x = 0; x < outWidth; x++) {
        out[outBase + y * outWidth + x] = tmp[r0 + x] * w0 + tmp[r1 + x] * w1 + tmp[r2 + x] * w2 + tmp[r3 + x] * w3;
      }
    }
  }
  return out;
}
