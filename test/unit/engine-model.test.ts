// The engine against the real tiny random ONNX model exported by models/ (onnxruntime-node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { openCardModel, readCard, ort } from '../../ui/engine/node';
import { openModel } from '../../ui/engine/model';
import { evaluateTiled } from '../../ui/engine/evaluate';
import { runChain, runPipeline } from '../../ui/engine/pipeline';
import { decodePng } from '../../ui/engine/codec';
import { parseCard } from '../../ui/engine/zoo';

const FIXTURES = 'test/fixtures';

function tinyCard() {
  assert.ok(existsSync(`${FIXTURES}/tiny-random.json`), 'test/fixtures/tiny-random.json is missing (written by models/gctm/fixtures.py)');
  return readCard(`${FIXTURES}/tiny-random.json`);
}

test('tiny model: each (t, s) call equals the PyTorch golden values', async () => {
  const card = tinyCard();
  const golden = JSON.parse(readFileSync(`${FIXTURES}/tiny-random-golden.json`, 'utf8'));
  const [, , h, w] = golden.x.dims;
  const session = await openCardModel(FIXTURES, card);
  for (const call of golden.calls) {
    for (const output of ['y', 'g'] as const) {
      const y = await session.run(Float32Array.from(golden.x.data), w, h, call.t, call.s, 1, output);
      const max = y.reduce((m, v, i) => Math.max(m, Math.abs(v - call[output][i])), 0);
      assert.ok(max < 1e-4, `${output} at t=${call.t} s=${call.s}: max |ort − torch| = ${max}`);
    }
  }
  await session.release();
});

test('tiny model: a tiled run equals an untiled run within tolerance', async (t) => {
  const card = tinyCard();
  const session = await openCardModel(FIXTURES, card);
  const [w, h] = [90, 70];
  const x = new Float32Array(3 * w * h);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.5 + Math.cos((i % w) * 0.2) * 0.4;
  const whole = await evaluateTiled(session, x, w, h, 1, 0, { size: 1024, overlap: card.tile.overlap, multiple: card.multiple });
  let calls = 0;
  const tiled = await evaluateTiled(session, x, w, h, 1, 0, { ...card.tile, multiple: card.multiple }, { onTile: (_, n) => (calls = n) });
  assert.ok(calls >= 9, `expected a grid of tiles, got ${calls}`);
  let max = 0, sum = 0;
  for (let i = 0; i < whole.length; i++) {
    const d = Math.abs(whole[i] - tiled[i]);
    max = Math.max(max, d);
    sum += d;
  }
  const mean = sum / whole.length;
  t.diagnostic(`tiles=${calls} max=${max.toFixed(4)} mean=${mean.toFixed(5)} (model units, range 2)`);
  // The tiny net has attention (global context), so tiles cannot be exact; the mean must stay small.
  assert.ok(mean < 0.02, `mean |tiled − untiled| = ${mean}`);
  assert.ok(max < 0.15, `max |tiled − untiled| = ${max}`);
  await session.release();
});

test('pipeline: PNG in, ×2 PNG out, alpha kept, steps walk the grid', async () => {
  const card = tinyCard();
  const session = await openCardModel(FIXTURES, card);
  const [w, h] = [20, 12];
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([i % 256, (i * 3) % 256, 200, i < w ? 0 : 255], i * 4);
  const png = encode({ width: w, height: h, data, depth: 8, channels: 4 });
  const stages: string[] = [];
  const one = await runPipeline(card, session, png, { steps: 1, seed: 0, strength: 1 }, { onProgress: (p) => stages.push(p.stage) });
  const out = decodePng(one.png);
  assert.deepEqual([out.width, out.height, out.channels], [40, 24, 4]);
  assert.deepEqual([...new Set(stages)], ['decode', 'prepare', 'infer', 'encode']);
  assert.equal(out.data[3], 0, 'transparent top row stays transparent');
  assert.equal(out.data[(20 * 40 + 5) * 4 + 3], 255, 'opaque rows stay opaque');
  const two = await runPipeline(card, session, png, { steps: 2, seed: 0, strength: 1 });
  assert.notDeepEqual(Array.from(two.image.data), Array.from(one.image.data), 'two steps differ from one');
  await session.release();
});

test('a model whose bytes do not match the card is refused before loading', async () => {
  const card = tinyCard();
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}/${card.file}`));
  bytes[bytes.length - 1] ^= 0xff;
  await assert.rejects(openModel(ort, card, bytes, ['cpu']), (e: { code?: string }) => e.code === 'model-corrupt');
  await assert.rejects(openModel(ort, card, bytes.subarray(1), ['cpu']), (e: { code?: string }) => e.code === 'model-corrupt');
});

test('a model that is not ONNX fails with model-load-failed', async () => {
  const junk = new TextEncoder().encode('not a model at all');
  const { sha256Hex } = await import('../../ui/engine/sha256');
  const card = parseCard({ ...tinyCard(), bytes: junk.length, sha256: sha256Hex(junk) });
  await assert.rejects(openModel(ort, card, junk, ['cpu']), (e: { code?: string }) => e.code === 'model-load-failed');
});

test('chain: two models run in turn equal two separate runs (8-bit hand-over), sizes multiply', async () => {
  const card = tinyCard();
  const session = await openCardModel(FIXTURES, card);
  const [w, h] = [14, 10];
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([(i * 37) % 256, (i * 11) % 256, 200, 128 + (i % 128)], i * 4);
  const png = encode({ width: w, height: h, data, depth: 8, channels: 4 });
  const parts: string[] = [];
  const chained = await runChain([{ card, session }, { card, session }], png, { steps: 1, seed: 0, strength: 1 }, {
    onProgress: (p) => parts.push(`${p.stage}:${p.part}/${p.parts}`),
  });
  const first = await runPipeline(card, session, png, { steps: 1, seed: 0, strength: 1 });
  const second = await runPipeline(card, session, first.png, { steps: 1, seed: 0, strength: 1 });
  assert.equal(chained.image.width, w * 4);
  assert.equal(chained.image.height, h * 4);
  assert.deepEqual(Array.from(chained.image.data), Array.from(second.image.data));
  assert.ok(parts.includes('infer:0/2') && parts.includes('infer:1/2'), parts.join(' '));
  await session.release();
});

test('pipeline: a fully transparent image is refused with no-pixels (nothing to restore)', async () => {
  const card = tinyCard();
  const session = await openCardModel(FIXTURES, card);
  const png = encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4), depth: 8, channels: 4 });
  await assert.rejects(runPipeline(card, session, png, { steps: 1, seed: 0, strength: 1 }), (e: Error & { code?: string }) => e.code === 'no-pixels');
  await session.release();
});

test('tiny model: Faithful (the denoiser output g at s = t) and Detailed (the jump) are two results of one network', async () => {
  const card = tinyCard();
  assert.deepEqual(card.outputs, ['y', 'g']);
  const session = await openCardModel(FIXTURES, card);
  const [w, h] = [24, 20];
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, 255], i * 4);
  const png = encode({ width: w, height: h, data: rgba, channels: 4 });
  const base = { steps: 0, seed: 0, strength: 0 };
  const detailed = await runPipeline(card, session, png, { ...base, output: 'detailed' });
  const faithful = await runPipeline(card, session, png, { ...base, output: 'faithful' });
  const byDefault = await runPipeline(card, session, png, base);
  assert.deepEqual(byDefault.image.data, detailed.image.data, 'the card\'s default_output is detailed');
  let differ = 0;
  for (let i = 0; i < detailed.image.data.length; i++) if (detailed.image.data[i] !== faithful.image.data[i]) differ++;
  assert.ok(differ > detailed.image.data.length / 4, `faithful and detailed differ in ${differ} values`);
  // Faithful is exactly one evaluation of g(x1, 1, 1): reproduce it from the session directly
  const { buildSource } = await import('../../ui/engine/tools');
  const { toPlanes, fromPlanes } = await import('../../ui/engine/image/raw');
  const source = buildSource(card, { planes: toPlanes(decodePng(png)), options: base });
  const g = await evaluateTiled(session, source.x1, source.width, source.height, 1, 1,
    { ...card.tile, multiple: card.multiple }, {}, 'g');
  const want = fromPlanes({ width: source.width, height: source.height, rgb: g, alpha: source.alpha });
  assert.deepEqual(faithful.image.data, want.data);
  await session.release();
});
