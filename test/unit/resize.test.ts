import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resizeBicubic } from '../../ui/engine/image/resize';

// Independent restatement of torch's bicubic (align_corners=False, antialias=False), one pixel at a time.
function keys(x: number): number {
  const a = -0.75;
  const ax = Math.abs(x);
  if (ax <= 1) return (a + 2) * ax ** 3 - (a + 3) * ax ** 2 + 1;
  if (ax < 2) return a * ax ** 3 - 5 * a * ax ** 2 + 8 * a * ax - 4 * a;
  return 0;
}
function naive(src: number[][], outW: number, outH: number): number[][] {
  const h = src.length, w = src[0].length;
  const at = (y: number, x: number) => src[Math.min(h - 1, Math.max(0, y))][Math.min(w - 1, Math.max(0, x))];
  const out: number[][] = [];
  for (let oy = 0; oy < outH; oy++) {
    const row: number[] = [];
    const ry = (h / outH) * (oy + 0.5) - 0.5, iy = Math.floor(ry);
    for (let ox = 0; ox < outW; ox++) {
      const rx = (w / outW) * (ox + 0.5) - 0.5, ix = Math.floor(rx);
      let v = 0;
      for (let j = -1; j <= 2; j++) for (let i = -1; i <= 2; i++) v += at(iy + j, ix + i) * keys(ry - (iy + j)) * keys(rx - (ix + i));
      row.push(v);
    }
    out.push(row);
  }
  return out;
}

test('bicubic ×2 matches a direct restatement of the formula', () => {
  const w = 7, h = 5;
  const src = Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => Math.sin(x * 1.3 + y * 0.7)));
  const out = resizeBicubic(Float32Array.from(src.flat()), 1, w, h, 14, 10);
  const ref = naive(src, 14, 10).flat();
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) < 1e-5, `pixel ${i}: ${out[i]} vs ${ref[i]}`);
});

test('bicubic keeps constants, is the identity at scale 1, and overshoots at edges (no clamping)', () => {
  const c = resizeBicubic(new Float32Array(12).fill(0.3), 3, 2, 2, 4, 4);
  for (const v of c) assert.ok(Math.abs(v - 0.3) < 1e-6);
  const src = Float32Array.from([0, 1, 0, 1, 0, 1]);
  assert.deepEqual(Array.from(resizeBicubic(src, 1, 3, 2, 3, 2)), Array.from(src));
  const step = Float32Array.from([-1, -1, 1, 1]);
  const up = resizeBicubic(step, 1, 4, 1, 8, 1);
  assert.ok(Math.max(...up) > 1 && Math.min(...up) < -1, 'Keys a = −0.75 rings past a step');
});

test('bicubic parity with the PyTorch fixture (test/fixtures/resize-bicubic.json)', (t) => {
  const path = 'test/fixtures/resize-bicubic.json';
  // The fixture is written by models/ (torch); without it this test fails rather than passing quietly.
  assert.ok(existsSync(path), `${path} is missing: models/ writes it to pin our resize to torch`);
  const fx = JSON.parse(readFileSync(path, 'utf8'));
  const { w, h, c, data } = fx.input;
  assert.ok(fx.cases.length > 0);
  for (const cs of fx.cases) {
    const out = resizeBicubic(Float32Array.from(data), c, w, h, cs.w, cs.h);
    assert.equal(out.length, cs.data.length);
    let max = 0;
    for (let i = 0; i < out.length; i++) max = Math.max(max, Math.abs(out[i] - cs.data[i]));
    t.diagnostic(`×${cs.scale}: max |ours − torch| = ${max}`);
    assert.ok(max < 1e-5, `×${cs.scale}: max |ours − torch| = ${max}`);
  }
});
