// A stand-in "model" in plain JS for engine tests that must not depend on a real ONNX file:
// y = mix of a 3×3 box blur of x and x, with t and s folded in, so tiles and padding matter.
import type { ModelSession } from '../../ui/engine/session';

type Call = { width: number; height: number; t: number; s: number; batch: number };

export function boxModel(multiple = 8): ModelSession & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    backend: 'cpu',
    calls,
    async run(x, width, height, t, s, batch = 1) {
      if (width % multiple || height % multiple) throw new Error(`size ${width}×${height} is not a multiple of ${multiple}`);
      if (x.length !== batch * 3 * width * height) throw new Error(`x has ${x.length} values for batch ${batch}`);
      calls.push({ width, height, t, s, batch });
      const y = new Float32Array(x.length);
      const n = width * height;
      for (let c = 0; c < 3 * batch; c++) {
        for (let yy = 0; yy < height; yy++) {
          for (let xx = 0; xx < width; xx++) {
            let sum = 0;
            for (let dy = -1; dy <= 1; dy++) {
              for (let dx = -1; dx <= 1; dx++) {
                const sy = Math.min(height - 1, Math.max(0, yy + dy));
                const sx = Math.min(width - 1, Math.max(0, xx + dx));
                sum += x[c * n + sy * width + sx];
              }
            }
            const v = x[c * n + yy * width + xx];
            y[c * n + yy * width + xx] = 0.5 * v + 0.5 * (sum / 9) * (1 - 0.1 * (t - s));
          }
        }
      }
      return y;
    },
    async release() {},
  };
}
