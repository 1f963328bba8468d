import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisRamp, Blender, crop, fitTileSize, padEdge, planTiles, roundUp, tileStarts } from '../../ui/engine/image/tiles';
import { evaluateTiled, tileCount } from '../../ui/engine/evaluate';
import { boxModel } from '../helpers/fake-session';

test('roundUp pads to the next multiple', () => {
  assert.equal(roundUp(1, 8), 8);
  assert.equal(roundUp(8, 8), 8);
  assert.equal(roundUp(9, 8), 16);
});

for (const [name, length, size, overlap] of [
  ['fits in one tile', 200, 256, 16],
  ['exactly one tile', 256, 256, 16],
  ['one pixel too long', 264, 256, 16],
  ['long strip', 3000, 256, 32],
  ['small tiles', 100, 16, 4],
] as const) {
  test(`tileStarts covers the axis with the overlap: ${name}`, () => {
    const starts = tileStarts(length, size, overlap);
    const n = Math.min(size, length);
    assert.equal(starts[0], 0);
    assert.equal(starts[starts.length - 1] + n, length, 'last tile ends at the edge');
    for (let i = 1; i < starts.length; i++) {
      const shared = starts[i - 1] + n - starts[i];
      assert.ok(shared >= overlap, `tiles ${i - 1} and ${i} share ${shared} < ${overlap}`);
    }
  });
}

test('planTiles on a 2-D grid covers every pixel', () => {
  const tiles = planTiles(520, 264, 256, 16);
  const hit = new Uint8Array(520 * 264);
  for (const t of tiles) for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) hit[y * 520 + x] = 1;
  assert.equal(hit.indexOf(0), -1);
  assert.equal(tiles.length, 3 * 2);
});

test('fitted tiles: the fewest tiles, each shrunk to the multiple, still overlapping enough', () => {
  assert.equal(fitTileSize(2048, 1024, 48, 16), 736, '3 × 736 instead of 3 × 1024 for 2048 px');
  assert.equal(fitTileSize(900, 1024, 48, 16), 900, 'a side that fits is one tile');
  // lengths are already padded to the multiple (evaluateTiled does that)
  for (const [length, size, overlap, multiple] of [[2048, 1024, 48, 16], [1504, 512, 32, 8], [3000, 256, 32, 4], [1040, 1024, 48, 16]]) {
    const side = fitTileSize(length, size, overlap, multiple);
    assert.ok(side <= size && side % multiple === 0, `${side} for ${length}`);
    const starts = tileStarts(length, side, overlap, multiple);
    assert.ok(starts.every((x) => x % multiple === 0), 'starts on the multiple');
    assert.equal(starts.length, tileStarts(length, size, overlap).length, 'no more tiles than with the full size');
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i - 1] + side - starts[i] >= overlap, `overlap at ${length}`);
    assert.equal(starts[starts.length - 1] + side, length);
  }
  const tiles = planTiles(2048, 2048, 1024, 48, 16);
  assert.equal(tiles.length, 9);
  assert.ok(tiles.every((t) => t.w === 736 && t.h === 736));
});

test('axisRamp is 1 inside, ramps only towards neighbours, and never reaches 0', () => {
  const r = axisRamp(0, 64, 200, 16);
  assert.equal(r[0], 1, 'no ramp at the image edge');
  assert.ok(r[63] > 0 && r[63] < 0.1);
  assert.equal(r[30], 1);
  const mid = axisRamp(50, 64, 200, 16);
  assert.ok(mid[0] > 0 && mid[0] < 0.1);
});

test('padEdge repeats the last row and column; crop undoes it', () => {
  const src = Float32Array.from([1, 2, 3, 4, 5, 6]); // 1 plane, 3 × 2
  const p = padEdge(src, 1, 3, 2, 4, 3);
  assert.deepEqual(Array.from(p), [1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6]);
  assert.deepEqual(Array.from(crop(p, 1, 4, 3, 3, 2)), [1, 2, 3, 4, 5, 6]);
});

test('Blender of identical tiles returns the same values (weights normalise)', () => {
  const b = new Blender(1, 40, 8, 8);
  for (const t of planTiles(40, 8, 16, 8)) b.add(t, new Float32Array(t.w * t.h).fill(0.25));
  for (const v of b.result()) assert.ok(Math.abs(v - 0.25) < 1e-6);
});

function randomImage(w: number, h: number, seed = 1): Float32Array {
  const x = new Float32Array(3 * w * h);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const noise = s / 2147483648 - 0.5;
    const px = i % w;
    x[i] = Math.sin(px / 7) * 0.6 + noise * 0.4;
  }
  return x;
}

test('a tiled run equals an untiled run of the same model within tolerance', async () => {
  const [w, h] = [150, 90]; // not multiples of 8: padding is exercised as well
  const x = randomImage(w, h);
  const whole = await evaluateTiled(boxModel(), x, w, h, 1, 0, { size: 1024, overlap: 16, multiple: 8 });
  const model = boxModel();
  const tiled = await evaluateTiled(model, x, w, h, 1, 0, { size: 48, overlap: 16, multiple: 8, batchPixels: 1 });
  assert.ok(model.calls.length > 4, `expected several tiles, got ${model.calls.length}`);
  for (const c of model.calls) assert.deepEqual([c.width, c.height], [48, 48]);
  let max = 0;
  for (let i = 0; i < whole.length; i++) max = Math.max(max, Math.abs(whole[i] - tiled[i]));
  // The box model sees 1 pixel beyond each tile; the feather weight there is < 1/16.
  assert.ok(max < 0.01, `max |tiled − untiled| = ${max}`);
  assert.ok(max > 0, 'tiles must actually have been blended (identical results would mean no tiling)');
});

test('without overlap the seams show: the feathering is what removes them', async () => {
  const [w, h] = [96, 48];
  const x = randomImage(w, h, 7);
  const whole = await evaluateTiled(boxModel(), x, w, h, 1, 0, { size: 1024, overlap: 0, multiple: 8 });
  const hard = await evaluateTiled(boxModel(), x, w, h, 1, 0, { size: 32, overlap: 0, multiple: 8 });
  const soft = await evaluateTiled(boxModel(), x, w, h, 1, 0, { size: 32, overlap: 16, multiple: 8 });
  const err = (a: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - whole[i])), 0);
  assert.ok(err(soft) < err(hard) / 2, `feathered ${err(soft)} vs hard ${err(hard)}`);
});

test('tileCount matches the number of model calls', async () => {
  const model = boxModel();
  const spec = { size: 64, overlap: 16, multiple: 8, batchPixels: 1 };
  await evaluateTiled(model, randomImage(130, 70), 130, 70, 1, 0, spec);
  assert.equal(model.calls.length, tileCount(130, 70, spec));
});

test('an aborted signal stops between tiles with a cancelled error', async () => {
  const controller = new AbortController();
  const model = boxModel();
  const spec = { size: 32, overlap: 8, multiple: 8, batchPixels: 1 };
  await assert.rejects(
    evaluateTiled(model, randomImage(128, 128), 128, 128, 1, 0, spec, {
      signal: controller.signal,
      onTile: (done) => done === 2 && controller.abort(),
    }),
    (err: { code?: string }) => err.code === 'cancelled',
  );
  assert.equal(model.calls.length, 2);
});

test('small tiles are batched into fewer calls with the same result', async () => {
  const x = randomImage(200, 120, 3);
  const one = boxModel();
  const many = boxModel();
  const spec = { size: 32, overlap: 8, multiple: 8 };
  const a = await evaluateTiled(one, x, 200, 120, 1, 0, { ...spec, batchPixels: 1 });
  const b = await evaluateTiled(many, x, 200, 120, 1, 0, { ...spec, batchPixels: 32 * 32 * 16 });
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.equal(one.calls.length, tileCount(200, 120, spec));
  assert.equal(many.calls.length, Math.ceil(one.calls.length / 16));
  assert.deepEqual(many.calls.map((c) => c.batch).slice(0, -1), Array(many.calls.length - 1).fill(16));
});
