// Sketch → image on the engine side: x1 (fit, white padding, seed noise, colour/texture latent), bad
// input, and the tiny random-weight sketch model (test/fixtures/tiny-sketch, models/gctm/fixtures.py)
// through onnxruntime-node: single runs, batched variations, chains with an upscaler, and Edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePng, decodePng } from '../../ui/engine/codec';
import { toPlanes, type Planes, type RawImage } from '../../ui/engine/image/raw';
import { toSketch } from '../../ui/engine/image/sketch-extract';
import { openCardModel, readCard } from '../../ui/engine/node';
import { runChain, runPipeline } from '../../ui/engine/pipeline';
import { gaussian } from '../../ui/engine/random';
import type { ModelSession } from '../../ui/engine/session';
import { buildSource, supportsTool } from '../../ui/engine/tools';
import {
  DEFAULT_LATENT_STRENGTH,
  SketchError,
  buildEditSource,
  buildSketchSource,
  editOptionProblem,
  editTimes,
  fitRect,
  parseColor,
  prepareSketch,
  resample,
  sketchChain,
  sketchOptionProblem,
  sketchScaleFor,
} from '../../ui/engine/tools/sketch';
import type { EngineOptions } from '../../ui/engine/tools/types';
import { runEdit, runVariations, variationSeed } from '../../ui/engine/variations';
import { cardOutputSize, parseCard, type ModelCard } from '../../ui/engine/zoo';
import { boxModel } from '../helpers/fake-session';

const FIXTURES = 'test/fixtures';
const f = Math.fround;

const sketchCard = () => readCard(`${FIXTURES}/tiny-sketch.json`);
const x4Card = () => readCard(`${FIXTURES}/tiny-x4.json`);
const x2Card = () => readCard(`${FIXTURES}/tiny-random.json`);
const opts = (o: Partial<EngineOptions> = {}): EngineOptions => ({ steps: 1, seed: 0, strength: 1, ...o });

/** 8-bit RGBA: white paper (or `paper`) with dark strokes: a box outline, a diagonal and a dot cluster. */
function drawing(w: number, h: number, { ink = [20, 20, 20], paper = [255, 255, 255], paperAlpha = 255 } = {}): RawImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const bx = Math.round(w * 0.2), by = Math.round(h * 0.2), ex = Math.round(w * 0.8), ey = Math.round(h * 0.8);
      const t = Math.max(1, Math.round(Math.min(w, h) / 40));
      const onBox = x >= bx && x <= ex && y >= by && y <= ey && (x - bx < t || ex - x < t || y - by < t || ey - y < t);
      const onDiag = Math.abs(x * h - y * w) < t * Math.max(w, h);
      const stroke = onBox || onDiag;
      data.set(stroke ? [...ink, 255] : [...paper, paperAlpha], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, channels: 4, depth: 8, data };
}

function flat(w: number, h: number, rgba: number[]): RawImage {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set(rgba, i * 4);
  return { width: w, height: h, channels: 4, depth: 8, data };
}

/** Colour art: smooth colour fields with a few hard-edged coloured shapes (no paper). */
function colourArt(w: number, h: number): RawImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inDisc = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2;
      const rgb = inDisc ? [230, 60, 40] : x < w / 2 ? [40, 120, 220] : [250, 200, 40];
      data.set(rgb, (y * w + x) * 3);
    }
  }
  return { width: w, height: h, channels: 3, depth: 8, data };
}

const planesOf = (img: RawImage): Planes => toPlanes(img);
const pngOf = (img: RawImage): Uint8Array => encodePng(img);

function isProblem(code: string, protocol?: string) {
  return (e: unknown) => e instanceof SketchError && e.problem.code === code && (protocol === undefined || e.code === protocol);
}

test('card: tiny-sketch parses, its size is checked, a sketch card needs one', () => {
  const card = sketchCard();
  assert.equal(card.tool, 'sketch');
  assert.equal(card.source.kind, 'sketch');
  assert.equal(card.source.size, 32);
  assert.equal(card.source.sigma_p, 0.05);
  assert.equal(card.time.sigma_max, 500);
  assert.ok(supportsTool('sketch'));
  assert.deepEqual(cardOutputSize(card, 300, 17), { width: 32, height: 32 });
  assert.deepEqual(cardOutputSize(x4Card(), 30, 17), { width: 120, height: 68 });
  const bad = (source: object) => () => parseCard({ ...card, source: { ...card.source, ...source } });
  assert.throws(bad({ size: undefined }), /source.size is required/);
  assert.throws(bad({ size: 30 }), /multiple of multiple/);
  assert.throws(bad({ size: 64 }), /must not exceed tile.size/);
  assert.throws(bad({ size: 0 }), /positive whole number/);
  assert.throws(bad({ sigma_p: -1 }), /sigma_p/);
});

test('fit: aspect kept, centred, at least one pixel', () => {
  assert.deepEqual(fitRect(40, 24, 32), { x: 0, y: 6, w: 32, h: 19 });
  assert.deepEqual(fitRect(10, 40, 32), { x: 12, y: 0, w: 8, h: 32 });
  assert.deepEqual(fitRect(16, 16, 32), { x: 0, y: 0, w: 32, h: 32 });
  assert.deepEqual(fitRect(10000, 1, 128), { x: 0, y: 63, w: 128, h: 1 });
});

test('resample: area average when shrinking keeps the mean, constant stays constant', () => {
  const w = 90, h = 30;
  const src = new Float32Array(w * h).map((_, i) => ((i * 7919) % 101) / 100);
  const out = resample(src, 1, w, h, 30, 10, 0, 1);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(out) - mean(src)) < 1e-6);
  const c = resample(new Float32Array(7 * 5).fill(0.25), 1, 7, 5, 32, 23, 0, 1);
  assert.ok(c.every((v) => Math.abs(v - 0.25) < 1e-6));
});

test('x1: the sketch fitted into the square, padded with white, grey on all 3 channels, + σp·ε of the seed', () => {
  const card = sketchCard();
  const size = 32, n = size * size;
  const src = source(card, drawing(40, 24), opts({ seed: 7 }));
  assert.equal(src.width, size);
  assert.equal(src.height, size);
  assert.equal(src.alpha, null);
  assert.deepEqual(src.sketch, { kind: 'sketch', inverted: false, fit: { x: 0, y: 6, w: 32, h: 19 } });
  const eps = gaussian(3 * n, 7);
  const prep = prepareSketch(planesOf(drawing(40, 24)), size);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const y = Math.floor(i / size);
      const grey = prep.grey[i];
      if (y < 6 || y >= 25) assert.equal(grey, 1, `padding row ${y} is white paper`);
      assert.equal(src.x1[c * n + i], f(f(grey * 2 - 1) + 0.05 * eps[c * n + i]), `x1 at ${c},${i}`);
    }
  }
  // Strokes are there: the darkest stroke is black after normalising.
  assert.equal(Math.min(...prep.grey), 0);
  assert.ok(prep.grey.filter((v) => v < 0.5).length > 20);
});

function source(card: ModelCard, img: RawImage, options: EngineOptions) {
  return buildSource(card, { planes: planesOf(img), options });
}

test('x1: the same seed gives the same x1, another seed only other noise', () => {
  const card = sketchCard();
  const a = source(card, drawing(40, 24), opts({ seed: 3 }));
  const b = source(card, drawing(40, 24), opts({ seed: 3 }));
  const c = source(card, drawing(40, 24), opts({ seed: 4 }));
  assert.deepEqual(Array.from(a.x1), Array.from(b.x1));
  assert.notDeepEqual(Array.from(a.x1), Array.from(c.x1));
  const diff = a.x1.map((v, i) => v - c.x1[i]);
  assert.ok(diff.every((d) => Math.abs(d) < 0.05 * 12), 'differences are only σp noise');
});

test('x1: a colour latent shifts x1 by γ·ℓ exactly; a flat texture of that colour by the same', () => {
  const card = sketchCard();
  const n = 32 * 32;
  const plain = source(card, drawing(40, 24), opts({ seed: 5 }));
  const gamma = 0.8;
  const red = source(card, drawing(40, 24), opts({ seed: 5, color: '#CC3344', latentStrength: gamma }));
  const l = parseColor('#cc3344')!;
  assert.deepEqual(l, [(0xcc / 255) * 2 - 1, (0x33 / 255) * 2 - 1, (0x44 / 255) * 2 - 1]);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) assert.equal(red.x1[c * n + i], f(plain.x1[c * n + i] + f(gamma * l[c])));
  }
  // γ defaults when absent; γ = 0 is no latent at all.
  const dflt = source(card, drawing(40, 24), opts({ seed: 5, color: '#cc3344' }));
  assert.equal(dflt.x1[0], f(plain.x1[0] + f(DEFAULT_LATENT_STRENGTH * l[0])));
  assert.deepEqual(Array.from(source(card, drawing(40, 24), opts({ seed: 5, color: '#cc3344', latentStrength: 0 })).x1), Array.from(plain.x1));
  // A swatch layer of that colour (any size, any aspect) is the same latent.
  const swatch = planesOf(flat(50, 20, [0xcc, 0x33, 0x44, 255]));
  const tex = source(card, drawing(40, 24), opts({ seed: 5, texture: swatch, latentStrength: gamma }));
  const max = tex.x1.reduce((m, v, i) => Math.max(m, Math.abs(v - red.x1[i])), 0);
  assert.ok(max < 1e-5, `texture vs colour: ${max}`);
  // A texture with a pattern changes x1 by a pattern: the left and right of a two-colour swatch differ.
  const two = flat(20, 20, [0, 0, 0, 255]);
  for (let y = 0; y < 20; y++) for (let x = 10; x < 20; x++) two.data.set([255, 255, 255, 255], (y * 20 + x) * 4);
  const pat = source(card, drawing(40, 24), opts({ seed: 5, texture: planesOf(two), latentStrength: 1 }));
  assert.ok(Math.abs(pat.x1[16 * 32 + 1] - plain.x1[16 * 32 + 1] - -1) < 1e-5);
  assert.ok(Math.abs(pat.x1[16 * 32 + 30] - plain.x1[16 * 32 + 30] - 1) < 1e-5);
});

test('normalising: a dark-background sketch is inverted; strokes on a transparent layer sit on white; a photo is extracted', () => {
  const size = 32;
  const light = prepareSketch(planesOf(drawing(40, 24)), size);
  const dark = prepareSketch(planesOf(drawing(40, 24, { ink: [235, 235, 235], paper: [0, 0, 0] })), size);
  assert.equal(dark.inverted, true);
  assert.equal(dark.kind, 'sketch');
  const d = dark.grey.reduce((m, v, i) => Math.max(m, Math.abs(v - light.grey[i])), 0);
  assert.ok(d < 0.02, `dark-background sketch vs the same on white: ${d}`);
  const clear = prepareSketch(planesOf(drawing(40, 24, { paperAlpha: 0 })), size);
  assert.equal(clear.inverted, false);
  assert.deepEqual(Array.from(clear.grey), Array.from(light.grey));
  const art = prepareSketch(planesOf(colourArt(60, 40)), size);
  assert.equal(art.kind, 'extracted');
  assert.ok(art.grey.some((v) => v === 0), 'lines extracted');
  // Only the drawing's rectangle can hold ink: the white padding is never drawn as a border line.
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = y >= art.fit.y && y < art.fit.y + art.fit.h && x >= art.fit.x && x < art.fit.x + art.fit.w;
      if (!inside) assert.equal(art.grey[y * size + x], 1);
    }
  }
});

test('at the model size the layer is not resized: the same sketch as the extractor gives on the image itself', () => {
  for (const img of [drawing(32, 32), colourArt(32, 32)]) {
    const prep = prepareSketch(planesOf(img), 32);
    const direct = toSketch(img);
    assert.equal(prep.kind, direct.kind);
    const d = prep.grey.reduce((m, v, i) => Math.max(m, Math.abs(v - direct.data[i])), 0);
    assert.ok(d < 1e-3, `${direct.kind}: ${d}`);
  }
});

test('a huge sketch with 1 px strokes keeps its strokes (area average, not point sampling)', () => {
  const img = drawing(3000, 1500, { ink: [0, 0, 0] });
  const prep = prepareSketch(planesOf(img), 32);
  assert.deepEqual(prep.fit, { x: 0, y: 8, w: 32, h: 16 });
  assert.ok(prep.grey.filter((v) => v < 0.5).length >= 32, 'the box and diagonal survive');
});

test('bad input: empty, transparent, all-white or flat layers are sketch-blank (protocol sketch-empty)', () => {
  const card = sketchCard();
  const blank = isProblem('sketch-blank', 'sketch-empty');
  assert.throws(() => source(card, flat(20, 20, [255, 255, 255, 255]), opts()), blank);
  assert.throws(() => source(card, flat(20, 20, [0, 0, 0, 0]), opts()), blank);
  assert.throws(() => source(card, flat(20, 20, [90, 140, 200, 255]), opts()), blank);
  assert.throws(() => prepareSketch({ width: 0, height: 0, rgb: new Float32Array(0), alpha: null }, 32), blank);
});

test('bad options: each refused with its own problem code, checked before any work', () => {
  const card = sketchCard();
  const run = (o: Partial<EngineOptions>) => () => source(card, drawing(20, 20), opts(o));
  assert.throws(run({ color: 'red' }), isProblem('color-invalid', 'internal'));
  assert.throws(run({ color: '#12345' }), isProblem('color-invalid'));
  assert.throws(run({ color: '#cc3344', latentStrength: 2.5 }), isProblem('latent-strength'));
  assert.throws(run({ color: '#cc3344', latentStrength: -0.1 }), isProblem('latent-strength'));
  assert.throws(run({ color: '#cc3344', latentStrength: NaN }), isProblem('latent-strength'));
  assert.throws(run({ color: '#cc3344', texture: planesOf(flat(4, 4, [1, 2, 3, 255])) }), isProblem('latent-both'));
  assert.throws(run({ texture: planesOf(flat(4, 4, [0, 0, 0, 0])) }), isProblem('texture-empty', 'swatch-empty'));
  assert.throws(run({ seed: 1.5 }), isProblem('seed-invalid'));
  assert.throws(run({ seed: -1 }), isProblem('seed-invalid'));
  assert.throws(() => buildSketchSource(x4Card(), { planes: planesOf(drawing(20, 20)), options: opts() }), isProblem('not-sketch-model', 'unsupported-tool'));
  assert.equal(sketchOptionProblem({ seed: 2, color: '#00ff00', latentStrength: 2 }), null);
  assert.match(sketchOptionProblem({ color: 'teal' })!.message, /#rrggbb/);
  for (const s of [0, -0.2, 1.01, NaN]) assert.equal(editOptionProblem(opts({ strength: s }))?.code, 'edit-strength', `s = ${s}`);
  assert.equal(editOptionProblem(opts({ strength: 1 })), null);
  assert.equal(editOptionProblem(opts({ strength: 0.001 })), null);
});

/** A session that records each call's batch size. */
function recording(session: ModelSession, batches: number[]): ModelSession {
  return {
    backend: session.backend,
    run: (x, w, h, t, s, batch = 1, output) => {
      batches.push(batch);
      return session.run(x, w, h, t, s, batch, output);
    },
    release: () => session.release(),
  };
}

test('model: a single run gives the 32² square, opaque; the same seed reproduces it, another seed differs', async () => {
  const card = sketchCard();
  const session = await openCardModel(FIXTURES, card);
  const png = pngOf(drawing(40, 24, { paperAlpha: 0 }));
  const a = await runPipeline(card, session, png, opts({ seed: 11 }));
  assert.deepEqual([a.image.width, a.image.height, a.image.channels], [32, 32, 3]);
  const b = await runPipeline(card, session, png, opts({ seed: 11 }));
  assert.deepEqual(Array.from(b.image.data), Array.from(a.image.data));
  const c = await runPipeline(card, session, png, opts({ seed: 12 }));
  assert.notDeepEqual(Array.from(c.image.data), Array.from(a.image.data));
  await assert.rejects(runPipeline(card, session, pngOf(flat(16, 16, [255, 255, 255, 255])), opts()), (e: { code?: string }) => e.code === 'sketch-empty');
  await session.release();
});

test('variations: one batched run (B = 4), seeds seed…seed+3, each bit-for-bit the single run with its seed', async () => {
  const card = sketchCard();
  const session = await openCardModel(FIXTURES, card);
  const batches: number[] = [];
  const png = pngOf(drawing(30, 40));
  const v = await runVariations([{ card, session: recording(session, batches) }], png, opts({ seed: 100, color: '#3366cc', latentStrength: 0.3 }), 4);
  assert.deepEqual(batches, [4], 'one model call with the 4 inputs');
  assert.deepEqual(v.results.map((r) => r.seed), [100, 101, 102, 103]);
  assert.equal(v.sketch.kind, 'sketch');
  for (const r of v.results) {
    const single = await runPipeline(card, session, png, opts({ seed: r.seed, color: '#3366cc', latentStrength: 0.3 }));
    assert.deepEqual(Array.from(r.image.data), Array.from(single.image.data), `seed ${r.seed}`);
    assert.deepEqual(Array.from(decodePng(r.png).data), Array.from(single.image.data));
  }
  assert.notDeepEqual(Array.from(v.results[0].image.data), Array.from(v.results[1].image.data));
  // Two steps: still one call per step with all four.
  batches.length = 0;
  const two = await runVariations([{ card, session: recording(session, batches) }], png, opts({ seed: 100, steps: 2 }), 4);
  assert.deepEqual(batches, [4, 4]);
  const single = await runPipeline(card, session, png, opts({ seed: 102, steps: 2 }));
  assert.deepEqual(Array.from(two.results[2].image.data), Array.from(single.image.data));
  assert.equal(variationSeed(0xffffffff, 1), 0);
  await assert.rejects(runVariations([{ card, session }], png, opts(), 0), isProblem('variations-count'));
  await assert.rejects(runVariations([{ card, session }], png, opts({ seed: 0xffffffff }), 4), isProblem('seed-invalid'));
  await assert.rejects(runVariations([{ card, session }], png, opts({ color: 'nope' }), 4), isProblem('color-invalid'));
  await session.release();
});

test('chain: [sketch, restore-x4] runs (8-bit hand-over): 128² equal to the two runs in turn; variations through it too', async () => {
  const card = sketchCard();
  const up = x4Card();
  const session = await openCardModel(FIXTURES, card);
  const upSession = await openCardModel(FIXTURES, up);
  const png = pngOf(drawing(40, 24));
  const links = [{ card, session }, { card: up, session: upSession }];
  const chained = await runChain(links, png, opts({ seed: 9 }));
  assert.deepEqual([chained.image.width, chained.image.height], [128, 128]);
  const first = await runPipeline(card, session, png, opts({ seed: 9 }));
  const second = await runPipeline(up, upSession, first.png, opts({ seed: 9 }));
  assert.deepEqual(Array.from(chained.image.data), Array.from(second.image.data));
  const parts: string[] = [];
  const v = await runVariations(links, png, opts({ seed: 8 }), 2, { onProgress: (p) => parts.push(`${p.part}/${p.parts}`) });
  assert.deepEqual(Array.from(v.results[1].image.data), Array.from(chained.image.data), 'variation seed 9 = the chain with seed 9');
  assert.ok(parts.includes('0/2') && parts.includes('1/2'), parts.join(' '));
  // The chain the tool picks for a size: one ×4 for 128 (32 × 4).
  const cards = [card, up, x2Card()];
  assert.equal(sketchScaleFor(card, 100), 4);
  assert.equal(sketchScaleFor(card, 20), 1);
  assert.deepEqual(sketchChain(cards, card, 4)!.map((c) => c.id), ['tiny-sketch', 'tiny-x4']);
  assert.deepEqual(sketchChain(cards, card, 2)!.map((c) => c.id), ['tiny-sketch', 'tiny-random']);
  assert.deepEqual(sketchChain(cards, card, 8)!.map((c) => c.id).sort(), ['tiny-random', 'tiny-sketch', 'tiny-x4']);
  assert.deepEqual(sketchChain(cards, card, 1)!.map((c) => c.id), ['tiny-sketch']);
  assert.equal(sketchChain(cards, card, 3), null);
  await session.release();
  await upSession.release();
});

test('chain: the result choice is the sketch model\'s; the upscaler after it runs its card\'s default', async () => {
  const card = sketchCard();
  const session = await openCardModel(FIXTURES, card);
  const up = boxModel(4);
  const faithfulX4 = { ...x4Card(), default_output: 'faithful' as const, one_step: 'gctm' as const };
  const png = pngOf(drawing(40, 24));
  await runVariations([{ card, session }, { card: faithfulX4, session: up }], png, opts({ seed: 3, output: 'detailed' }), 1);
  assert.ok(up.calls.length >= 1 && up.calls.every((c) => c.s === c.t), 'the upscaler: its default, the denoiser g(x1, 1, 1)');
  await session.release();
});

test('edit (Algorithm 5): x_s = (1 − s)·x_edit + s·x1; small s stays near x_edit, s = 1 is the sketch run', async (t) => {
  const card = sketchCard();
  const session = await openCardModel(FIXTURES, card);
  const sketchImg = drawing(32, 32);
  const base = await runPipeline(card, session, pngOf(sketchImg), opts({ seed: 4 }));
  // The user paints a red square over the result.
  const edited: RawImage = { ...base.image, data: base.image.data.slice() };
  for (let y = 8; y < 20; y++) for (let x = 10; x < 22; x++) edited.data.set([220, 30, 30], (y * 32 + x) * 3);
  const src = buildEditSource(card, planesOf(edited), planesOf(sketchImg), opts({ seed: 4, strength: 0.25 }));
  assert.deepEqual(src.times, [{ t: 0.25, s: 0 }]);
  for (let i = 0; i < src.x1.length; i += 97) assert.equal(src.x1[i], f(0.75 * src.edit[i] + 0.25 * src.sketchX1[i]));
  const ePng = pngOf(edited);
  const near = await runEdit([{ card, session }], ePng, pngOf(sketchImg), opts({ seed: 4, strength: 0.002 }));
  const far = await runEdit([{ card, session }], ePng, pngOf(sketchImg), opts({ seed: 4, strength: 0.9 }));
  const mad = (img: RawImage) => Array.from(img.data).reduce((s: number, v: number, i: number) => s + Math.abs(v - edited.data[i]), 0) / img.data.length;
  const dNear = mad(near.result.image);
  const dFar = mad(far.result.image);
  t.diagnostic(`mean abs from x_edit: s=0.002 ${dNear.toFixed(3)}, s=0.9 ${dFar.toFixed(3)}`);
  assert.ok(dNear < 1.5, `edit at s = 0.002: mean |Δ| = ${dNear} levels from x_edit`);
  assert.ok(dFar > 4 * dNear, `edit at s = 0.9 moves away: ${dFar} vs ${dNear}`);
  assert.ok(near.result.image.data[(12 * 32 + 15) * 3] > 180, 'the painted red is kept at small s');
  // s = 1: x_s = x1, one G(x1, 1, 0): exactly the sketch run with that seed.
  const one = await runEdit([{ card, session }], ePng, pngOf(sketchImg), opts({ seed: 4, strength: 1 }));
  assert.deepEqual(Array.from(one.result.image.data), Array.from(base.image.data));
  // Without a sketch, the sketch is extracted from the edited image.
  const extracted = await runEdit([{ card, session }], pngOf(colourArt(48, 48)), null, opts({ strength: 0.5 }));
  assert.equal(extracted.sketch.kind, 'extracted');
  await assert.rejects(runEdit([{ card, session }], ePng, null, opts({ strength: 0 })), isProblem('edit-strength'));
  await assert.rejects(runEdit([{ card, session }], pngOf(flat(8, 8, [0, 0, 0, 0])), null, opts({ strength: 0.5 })), (e: { code?: string }) => e.code === 'no-pixels');
  await session.release();
});

test('edit times: one evaluation by default; more steps walk the card grid below s', () => {
  const card = sketchCard(); // grid 0, 0.351, 0.921, 0.990, 1
  assert.deepEqual(editTimes(card, 0.5, 1), [{ t: 0.5, s: 0 }]);
  assert.deepEqual(editTimes(card, 0.5, 4), [{ t: 0.5, s: card.time.grid[1] }, { t: card.time.grid[1], s: 0 }]);
  assert.deepEqual(editTimes(card, 0.2, 3), [{ t: 0.2, s: 0 }]);
  const all = editTimes(card, 1, 4);
  assert.equal(all.length, 4);
  assert.equal(all[0].t, 1);
  assert.equal(all[3].s, 0);
});
