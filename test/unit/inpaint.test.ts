import { test } from 'node:test';
import assert from 'node:assert/strict';
import { components, featherMask, maskFromImage, maskFromRgba, maskShare, type Box, type Mask } from '../../ui/engine/image/mask';
import { planCrops, type Crop, type CropPlanOptions } from '../../ui/engine/image/crop-plan';
import { unionBox } from '../../ui/engine/image/region';
import type { RunModel } from '../../ui/engine/tools/inpaint';
import { buildInpaintX1, cropSeed, inpaintImage, inpaintRaw, markWritten, MaskError, maskProblem, modelHole, planInpaint, rejectMask } from '../../ui/engine/tools/inpaint';
import type { Planes } from '../../ui/engine/image/raw';
import { resizeBicubic } from '../../ui/engine/image/resize';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromPlanes, toPlanes, withoutOpaqueAlpha, type RawImage } from '../../ui/engine/image/raw';
import { decodePng, encodePng } from '../../ui/engine/codec';
import { EngineError } from '../../ui/engine/errors';
import { runInpaintMask } from '../../ui/engine/inpaint-pipeline';
import { readCard } from '../../ui/engine/node';
import { main } from '../../ui/engine/cli';
import type { ModelSession } from '../../ui/engine/session';
import { inpaintUpscalers, upscalerFor } from '../../ui/engine/tools/inpaint';
import { toolChain } from '../../ui/panel/tool-choice';
import type { Settings } from '../../src/protocol';
import { boxModel } from '../helpers/fake-session';

const PLAN: CropPlanOptions = { modelSize: 128, maxHole: 48, feather: 4, context: 1 };

/** A w × h 0/1 mask with the given rectangles (and optional single pixels) set. */
function rectMask(w: number, h: number, rects: Box[]): Mask {
  const data = new Uint8Array(w * h);
  for (const r of rects) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) data[y * w + x] = 1;
  return { width: w, height: h, data };
}

/** Brute-force Euclidean distance from pixel i to the nearest hole pixel. */
function bruteDistance(m: Mask): Float64Array {
  const holes: [number, number][] = [];
  for (let i = 0; i < m.data.length; i++) if (m.data[i] > 0) holes.push([i % m.width, Math.floor(i / m.width)]);
  const out = new Float64Array(m.data.length).fill(Infinity);
  for (let i = 0; i < out.length; i++) {
    const x = i % m.width, y = Math.floor(i / m.width);
    for (const [hx, hy] of holes) out[i] = Math.min(out[i], Math.hypot(x - hx, y - hy));
  }
  return out;
}

function contains(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Checks what every crop promises: inside the image, holding its hole, context and feather, scale ≤ 1, model-size at most. */
function checkCrops(width: number, height: number, crops: Crop[], o: CropPlanOptions): void {
  for (const c of crops) {
    assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.w <= width && c.y + c.h <= height, `crop ${JSON.stringify(c)} leaves the image`);
    assert.ok(c.scale > 0 && c.scale <= 1);
    assert.ok(c.modelWidth <= o.modelSize && c.modelHeight <= o.modelSize);
    assert.ok(contains(c, c.context), 'the window holds the context box');
    const side = Math.max(c.hole.w, c.hole.h);
    const margin = Math.max(side * o.context, o.feather + 1);
    // Context of at least the hole's side (and more than the feather) on every side, or the image's edge.
    assert.ok(c.context.x === 0 || c.context.x <= c.hole.x - margin);
    assert.ok(c.context.y === 0 || c.context.y <= c.hole.y - margin);
    assert.ok(c.context.x + c.context.w === width || c.context.x + c.context.w >= c.hole.x + c.hole.w + margin);
    assert.ok(c.context.y + c.context.h === height || c.context.y + c.context.h >= c.hole.y + c.hole.h + margin);
    assert.ok(contains(c.context, c.hole));
    assert.ok(contains(c.context, c.writes) && contains(c.writes, c.hole), 'the crop writes its hole and feather, inside its context');
    const f = Math.ceil(o.feather) + 1;
    assert.ok(c.writes.x === 0 || c.writes.x <= c.hole.x - f, 'the write box holds the feather');
    assert.ok(c.writes.x + c.writes.w === width || c.writes.x + c.writes.w >= c.hole.x + c.hole.w + f);
    assert.ok(side * c.scale <= o.maxHole + 1e-9, 'the hole fits the model limit');
  }
  for (let i = 0; i < crops.length; i++) {
    for (let j = i + 1; j < crops.length; j++) assert.ok(crops[i].scale >= crops[j].scale, 'finest scale runs first');
  }
}

// ---- mask parsing ----

test('maskFromRgba: alpha decides when the mask has a non-opaque alpha channel', () => {
  // 3 pixels: opaque black, transparent white, half-and-a-bit alpha black.
  const rgba = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 128]);
  const m = maskFromRgba(rgba, 3, 1);
  assert.deepEqual(Array.from(m.data), [1, 0, 1], 'alpha > 0.5 is the hole, whatever the colour');
  const exactHalf = maskFromRgba(Uint8Array.from([255, 255, 255, 127, 0, 0, 0, 255]), 2, 1);
  assert.deepEqual(Array.from(exactHalf.data), [0, 1]);
});

test('maskFromRgba: luminance decides when alpha is all opaque (or absent)', () => {
  const rgba = Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 140, 140, 140, 255]);
  assert.deepEqual(Array.from(maskFromRgba(rgba, 5, 1).data), [1, 0, 1, 0, 1], 'white, black, green (bright), blue (dark), light grey');
  const rgb = maskFromImage({ width: 2, height: 1, channels: 3, depth: 8, data: Uint8Array.from([250, 250, 250, 10, 10, 10]) });
  assert.deepEqual(Array.from(rgb.data), [1, 0]);
  const grey16 = maskFromImage({ width: 2, height: 1, channels: 1, depth: 16, data: Uint16Array.from([40000, 30000]) });
  assert.deepEqual(Array.from(grey16.data), [1, 0]);
  const greyAlpha = maskFromImage({ width: 2, height: 1, channels: 2, depth: 8, data: Uint8Array.from([0, 200, 255, 20]) });
  assert.deepEqual(Array.from(greyAlpha.data), [1, 0], 'grey + alpha with transparency: alpha decides');
});

test('maskShare counts covered pixels; rejectMask refuses nothing and more than 60 %', () => {
  const m = rectMask(10, 10, [{ x: 0, y: 0, w: 5, h: 2 }]);
  assert.equal(maskShare(m), 0.1);
  assert.equal(rejectMask(0)?.code, 'mask-empty');
  assert.equal(rejectMask(0.61)?.code, 'mask-too-large');
  assert.match(rejectMask(0.61)!.message, /too large to inpaint well/);
  assert.equal(rejectMask(0.6), null);
  assert.equal(rejectMask(0.001), null);
  assert.equal(maskProblem(m, 10, 11)?.code, 'mask-size');
  assert.equal(maskProblem(m, 10, 10), null);
  assert.equal(maskProblem(rectMask(10, 10, []), 10, 10)?.code, 'mask-empty');
});

// ---- components ----

test('components: 4- vs 8-connected, bounding boxes and pixel counts', () => {
  // Two diagonal touching squares and a separate bar.
  const m = rectMask(20, 10, [
    { x: 1, y: 1, w: 2, h: 2 },
    { x: 3, y: 3, w: 2, h: 2 },
    { x: 10, y: 5, w: 8, h: 1 },
  ]);
  const eight = components(m, 8);
  assert.deepEqual(eight, [
    { x: 1, y: 1, w: 4, h: 4, pixels: 8 },
    { x: 10, y: 5, w: 8, h: 1, pixels: 8 },
  ]);
  const four = components(m, 4);
  assert.equal(four.length, 3);
  assert.deepEqual(four[0], { x: 1, y: 1, w: 2, h: 2, pixels: 4 });
  assert.deepEqual(four[1], { x: 3, y: 3, w: 2, h: 2, pixels: 4 });
  const soft: Mask = { width: 3, height: 1, data: Float32Array.from([0, 0.01, 0]) };
  assert.deepEqual(components(soft), [{ x: 1, y: 0, w: 1, h: 1, pixels: 1 }], 'any coverage counts');
  assert.deepEqual(components(rectMask(5, 5, [])), []);
});

// ---- feather ----

test('feather: 1 in the hole, a ramp over `feather` px, exactly 0 beyond (against a brute-force distance)', () => {
  const m = rectMask(40, 30, [
    { x: 10, y: 8, w: 6, h: 3 },
    { x: 25, y: 20, w: 1, h: 1 },
    { x: 0, y: 29, w: 3, h: 1 },
  ]);
  for (const feather of [0, 1, 3, 4.5]) {
    const w = featherMask(m, feather);
    const d = bruteDistance(m);
    for (let i = 0; i < w.length; i++) {
      if (d[i] === 0) assert.equal(w[i], 1, `hole pixel ${i}`);
      else if (d[i] > feather) assert.equal(w[i], 0, `pixel ${i} at ${d[i].toFixed(2)} > ${feather}`);
      else {
        assert.ok(w[i] > 0 && w[i] < 1, `pixel ${i} at ${d[i].toFixed(2)} ≤ ${feather}: ${w[i]}`);
      }
    }
    // Monotone in distance.
    const pairs = Array.from(d, (di, i) => [di, w[i]] as const).filter(([di]) => Number.isFinite(di)).sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < pairs.length; k++) assert.ok(pairs[k][1] <= pairs[k - 1][1] + 1e-7);
  }
});

test('feather over a region sees holes just outside it, and equals the whole-image feather there', () => {
  const m = rectMask(50, 40, [{ x: 20, y: 10, w: 5, h: 5 }]);
  const whole = featherMask(m, 4);
  const region = { x: 25, y: 8, w: 12, h: 20 }; // starts right of the hole
  const part = featherMask(m, 4, region);
  for (let y = 0; y < region.h; y++) for (let x = 0; x < region.w; x++) assert.equal(part[y * region.w + x], whole[(region.y + y) * 50 + region.x + x]);
  assert.ok(part[2 * region.w] > 0, 'the pixel next to the hole is feathered');
  assert.ok(featherMask(rectMask(8, 8, []), 3).every((v) => v === 0));
});

// ---- crop plans ----

test('crop plan: a small hole in a 4000×3000 photo is one 128×128 crop at scale 1', () => {
  const crops = planCrops(4000, 3000, [{ x: 2000, y: 1500, w: 30, h: 12 }], PLAN);
  assert.equal(crops.length, 1);
  const c = crops[0];
  assert.equal(c.w, 128);
  assert.equal(c.h, 128);
  assert.equal(c.scale, 1);
  assert.equal(c.modelWidth, 128);
  assert.equal(c.modelHeight, 128);
  // Centred: context of at least the hole's size on every side.
  assert.ok(c.x <= 2000 - 30 && c.x + c.w >= 2030 + 30 && c.y <= 1500 - 12 && c.y + c.h >= 1512 + 12);
  checkCrops(4000, 3000, crops, PLAN);
  // The same plan from a mask: only the crop is computed.
  const m = rectMask(4000, 3000, [{ x: 2000, y: 1500, w: 30, h: 12 }]);
  assert.deepEqual(planInpaint(m, { context: 1 }), crops);
});

test('crop plan: a big hole scales down so it fits the model limit, with context of its size all round', () => {
  const hole = { x: 1500, y: 1000, w: 600, h: 400 };
  const [c] = planCrops(4000, 3000, [hole], PLAN);
  assert.ok(c.scale < 1);
  assert.equal(c.w, c.h, 'square window');
  assert.ok(c.w >= 3 * 600);
  assert.equal(c.modelWidth, 128);
  assert.equal(c.modelHeight, 128);
  assert.ok(Math.abs(c.w * c.scale - 128) < 1e-9, 'the window becomes exactly model-size');
  assert.ok(600 * c.scale <= 48);
  assert.ok(c.x <= hole.x - hole.w && c.x + c.w >= hole.x + 2 * hole.w, 'context ≥ the hole on left and right');
  checkCrops(4000, 3000, [c], PLAN);
  // A hole at the limit of the context rule alone (3·side > modelSize·side/maxHole here) and a tighter model limit.
  const strict = { ...PLAN, maxHole: 24 };
  const [s] = planCrops(4000, 3000, [{ x: 100, y: 100, w: 100, h: 100 }], strict);
  assert.ok(100 * s.scale <= 24 + 1e-9);
  checkCrops(4000, 3000, [s], strict);
});

test('crop plan: separate holes get one crop each, even where their windows overlap; nearby holes merge only where that keeps them as sharp', () => {
  const far = planCrops(4000, 3000, [
    { x: 100, y: 100, w: 20, h: 20 },
    { x: 3000, y: 2500, w: 40, h: 10 },
    { x: 2000, y: 200, w: 8, h: 8 },
  ], PLAN);
  assert.equal(far.length, 3);
  assert.ok(far.every((c) => c.scale === 1 && c.holes === 1));
  assert.deepEqual(far.map((c) => c.hole.x), [100, 2000, 3000], 'top to bottom, left to right');
  checkCrops(4000, 3000, far, PLAN);

  // 10 px apart: each inside the other's context and window, but beyond the feather: two sharp crops.
  const near = planCrops(4000, 3000, [
    { x: 1000, y: 1000, w: 20, h: 20 },
    { x: 1030, y: 1010, w: 20, h: 20 },
    { x: 3000, y: 2000, w: 20, h: 20 },
  ], PLAN);
  assert.equal(near.length, 3);
  assert.ok(near.every((c) => c.scale === 1 && c.holes === 1));
  assert.ok(overlap(near[0], near[1]) && overlap(near[0].context, near[1].context), 'windows and contexts overlap');
  checkCrops(4000, 3000, near, PLAN);

  // 6 px apart with a 4 px feather, small enough that together they still fit one window at scale 1: one crop.
  const specks = planCrops(4000, 3000, [
    { x: 1000, y: 1000, w: 10, h: 10 },
    { x: 1016, y: 1004, w: 10, h: 10 },
    { x: 1032, y: 1000, w: 10, h: 10 }, // a chain: the third touches the merged pair
  ], PLAN);
  assert.equal(specks.length, 1);
  assert.equal(specks[0].holes, 3);
  assert.deepEqual(specks[0].hole, { x: 1000, y: 1000, w: 42, h: 14 });
  assert.equal(specks[0].scale, 1);
  checkCrops(4000, 3000, specks, PLAN);

  // Letters of a caption: within the feather of each other, but together their window would be shrunk,
  // so each keeps its own window at scale 1 and their write boxes overlap.
  const letters = [0, 1, 2, 3, 4].map((i) => ({ x: 500 + 24 * i, y: 500, w: 20, h: 30 })); // 4 px apart
  const caption = planCrops(2000, 2000, letters, PLAN);
  assert.equal(caption.length, 5);
  assert.ok(caption.every((c) => c.scale === 1 && c.holes === 1));
  assert.ok(overlap(caption[0].writes, caption[1].writes), 'neighbouring letters\' write boxes overlap');
  checkCrops(2000, 2000, caption, PLAN);
});

test('crop plan: a small hole inside a big hole\'s window stays its own sharp crop, and runs first', () => {
  const crops = planCrops(4000, 3000, [
    { x: 100, y: 100, w: 800, h: 600 },
    { x: 1900, y: 1000, w: 40, h: 20 }, // inside the big hole's 2400 px window, outside its context
  ], PLAN);
  assert.equal(crops.length, 2);
  assert.equal(crops[0].scale, 1);
  assert.deepEqual(crops[0].hole, { x: 1900, y: 1000, w: 40, h: 20 });
  assert.ok(crops[1].scale < 1);
  assert.ok(overlap(crops[0], crops[1]) && !overlap(crops[0].writes, crops[1].writes), 'the windows overlap; the write boxes do not');
  checkCrops(4000, 3000, crops, PLAN);
});

test('crop plan: holes at the border keep the window inside the image', () => {
  const boxes = [
    { x: 0, y: 0, w: 10, h: 10 },
    { x: 3990, y: 1500, w: 10, h: 30 },
    { x: 1500, y: 2950, w: 300, h: 50 },
  ];
  const crops = planCrops(4000, 3000, boxes, PLAN);
  assert.equal(crops.length, 3);
  checkCrops(4000, 3000, crops, PLAN);
  const corner = crops.find((c) => c.hole.x === 0)!;
  assert.deepEqual([corner.x, corner.y, corner.w, corner.h, corner.scale], [0, 0, 128, 128, 1]);
  const bottom = crops.find((c) => c.hole.y === 2950)!;
  assert.equal(bottom.y + bottom.h, 3000);
});

test('crop plan: an image smaller than the window is one crop of the whole image, never upscaled', () => {
  const [c] = planCrops(100, 80, [{ x: 40, y: 30, w: 10, h: 10 }], PLAN);
  assert.deepEqual([c.x, c.y, c.w, c.h, c.scale, c.modelWidth, c.modelHeight], [0, 0, 100, 80, 1, 100, 80]);
  // A long strip with a wide hole: the window is the strip's height, scaled for the hole.
  const [s] = planCrops(3000, 60, [{ x: 1000, y: 10, w: 400, h: 40 }], PLAN);
  assert.equal(s.h, 60);
  assert.ok(400 * s.scale <= 48 + 1e-9);
  assert.ok(s.modelWidth <= 128 && s.modelHeight < 128);
  checkCrops(3000, 60, [s], PLAN);
});

// ---- x1 and the model hole ----

test('model hole: the mask itself at scale 1; scaled down, no hole pixel is lost and none leaks into the context', () => {
  const m = rectMask(12, 12, [{ x: 3, y: 4, w: 2, h: 1 }]);
  assert.deepEqual(modelHole(m, 12, 12), Uint8Array.from(m.data));
  // A one-pixel scratch on a 400 px window scaled to 100.
  const scratch = rectMask(400, 400, [{ x: 0, y: 201, w: 400, h: 1 }]);
  const h = modelHole(scratch, 100, 100);
  for (let x = 0; x < 100; x++) assert.equal(h[50 * 100 + x], 1, 'the row standing for y = 200 … 203');
  assert.equal(h[10 * 100 + 5], 0);
  // Every model pixel whose bicubic taps read a hole pixel is in the model hole: a bicubic resize of
  // the 0/1 mask is exactly 0 wherever no tap reads the hole, so any other value must be hole.
  const blob = rectMask(333, 250, [{ x: 100, y: 90, w: 37, h: 21 }, { x: 250, y: 10, w: 1, h: 1 }]);
  for (const [mw, mh] of [[128, 96], [100, 75], [41, 31]]) {
    const hole = modelHole(blob, mw, mh);
    const resized = resizeBicubic(Float32Array.from(blob.data), 1, 333, 250, mw, mh);
    for (let i = 0; i < hole.length; i++) if (resized[i] !== 0) assert.equal(hole[i], 1, `${mw}×${mh} pixel ${i}`);
    assert.ok(hole.some((v, i) => v === 1 && i % mw > 0.7 * mw), 'the single pixel survives the downscale');
  }
});

function testImage(w: number, h: number, alpha = false): Planes {
  const n = w * h;
  const rgb = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = i % w, y = Math.floor(i / w);
    rgb[i] = Math.sin(x * 0.05) * 0.8;
    rgb[n + i] = Math.cos(y * 0.07) * 0.8;
    rgb[2 * n + i] = ((x * 7 + y * 13) % 50) / 25 - 1;
  }
  const a = alpha ? Float32Array.from({ length: n }, (_, i) => (i % 3) / 2) : null;
  return { width: w, height: h, rgb, alpha: a };
}

test('x1: noise only inside the (model) hole, the window elsewhere, reproducible per seed', () => {
  const img = testImage(300, 200);
  const m = rectMask(300, 200, [{ x: 100, y: 80, w: 20, h: 10 }]);
  const [c] = planInpaint(m);
  assert.equal(c.scale, 1);
  const a = buildInpaintX1(img, m, c, 128, 7);
  const b = buildInpaintX1(img, m, c, 128, 7);
  const other = buildInpaintX1(img, m, c, 128, 8);
  assert.deepEqual(a.x1, b.x1, 'same seed, same x1');
  const n = 128 * 128;
  let inside = 0, differs = 0;
  for (let p = 0; p < 3; p++) {
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        const i = y * 128 + x;
        const gi = (c.y + y) * 300 + c.x + x;
        if (m.data[gi]) {
          inside++;
          assert.equal(a.hole[i], 1);
          if (a.x1[p * n + i] !== other.x1[p * n + i]) differs++;
        } else {
          assert.equal(a.hole[i], 0);
          assert.equal(a.x1[p * n + i], img.rgb[p * 300 * 200 + gi], 'outside the hole x1 is the image');
        }
      }
    }
  }
  assert.equal(inside, 3 * 200);
  assert.equal(differs, inside, 'another seed, another fill');
  // Noise statistics inside: roughly N(0, 1), clearly not image values in [−1, 1].
  const vals = Array.from({ length: n }, (_, i) => i).filter((i) => a.hole[i]).flatMap((i) => [a.x1[i], a.x1[n + i], a.x1[2 * n + i]]);
  const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
  const sd = Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / vals.length);
  assert.ok(Math.abs(mean) < 0.15 && Math.abs(sd - 1) < 0.15, `mean ${mean}, sd ${sd}`);
  assert.notEqual(cropSeed(7, 0), cropSeed(7, 1));
  assert.equal(cropSeed(7, 0), 7);
});

// ---- end to end with a fake model ----

interface Call {
  size: number;
  x1: Float32Array;
}

function constantModel(value: number, calls: Call[]) {
  return async (x1: Float32Array, size: number) => {
    calls.push({ size, x1: x1.slice() });
    assert.equal(x1.length, 3 * size * size);
    return new Float32Array(3 * size * size).fill(value);
  };
}

function checkComposite(img: Planes, out: Planes, m: Mask, feather: number, fill: number): void {
  const d = bruteDistanceFast(m);
  const n = img.width * img.height;
  let unchanged = 0, changed = 0, inHole = 0;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 3; p++) {
      const before = img.rgb[p * n + i], after = out.rgb[p * n + i];
      if (d[i] > feather) {
        assert.ok(Object.is(before, after), `pixel ${i} at distance ${d[i]} changed`);
        unchanged++;
      } else if (d[i] === 0) {
        assert.ok(Math.abs(after - fill) < 1e-5, `hole pixel ${i}: ${after}`);
        if (Math.abs(before - fill) > 1e-4) changed++;
        inHole++;
      }
    }
  }
  assert.ok(unchanged > 0);
  assert.ok(inHole > 0 && changed > 0.9 * inHole, `${changed} of ${inHole} hole samples changed`);
  assert.equal(out.alpha, img.alpha, 'alpha is the input');
}

/** Distance via the mask's own feather: weight 0 ⇔ distance > feather (checked against brute force above). */
function bruteDistanceFast(m: Mask): Float64Array {
  // A direct windowed search: fine for the test sizes here.
  const { width: w, height: h } = m;
  const out = new Float64Array(w * h).fill(Infinity);
  const R = 8;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let best = Infinity;
      for (let dy = -R; dy <= R; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -R; dx <= R; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w || !m.data[yy * w + xx]) continue;
          best = Math.min(best, Math.hypot(dx, dy));
        }
      }
      out[y * w + x] = best;
    }
  }
  return out;
}

test('inpaintImage: pixels beyond the feather untouched, hole filled, one model call per model-size crop', async () => {
  const img = testImage(500, 300, true);
  const m = rectMask(500, 300, [
    { x: 20, y: 30, w: 15, h: 10 },
    { x: 400, y: 200, w: 12, h: 30 },
    { x: 490, y: 0, w: 10, h: 6 }, // at the corner
  ]);
  const calls: Call[] = [];
  const progress: number[] = [];
  const { planes: out, crops } = await inpaintImage(img, m, constantModel(0.25, calls), { seed: 3, onCrop: (done) => progress.push(done) });
  assert.equal(crops.length, 3);
  assert.equal(calls.length, crops.length);
  assert.ok(calls.every((c) => c.size === 128 && c.x1.length === 3 * 128 * 128));
  assert.deepEqual(progress, [1, 2, 3]);
  checkComposite(img, out, m, 4, 0.25);
  const fresh = testImage(500, 300, true).rgb;
  assert.ok(img.rgb.every((v, i) => v === fresh[i]), 'the input planes are not modified');

  // Reproducible per seed, different across seeds.
  const again: Call[] = [];
  await inpaintImage(img, m, constantModel(0.25, again), { seed: 3 });
  assert.deepEqual(again.map((c) => c.x1), calls.map((c) => c.x1));
  const other: Call[] = [];
  await inpaintImage(img, m, constantModel(0.25, other), { seed: 4 });
  assert.notDeepEqual(other[0].x1, calls[0].x1);
});

test('inpaintImage inPlace: the given planes become the result, the same as the copy a plain run fills', async () => {
  const m = rectMask(500, 300, [{ x: 20, y: 30, w: 15, h: 10 }, { x: 200, y: 100, w: 90, h: 70 }]);
  const copied = await inpaintImage(testImage(500, 300, true), m, constantModel(0.25, []), { seed: 5 });
  const img = testImage(500, 300, true);
  const { planes: out } = await inpaintImage(img, m, constantModel(0.25, []), { seed: 5, inPlace: true });
  assert.equal(out, img, 'no copy: the result is the planes given');
  assert.ok(out.rgb.every((v, i) => Object.is(v, copied.planes.rgb[i])), 'the same pixels as a run on a copy');
});

test('inpaintImage: a big hole is run scaled down and brought back; outside the feather still bit-identical', async () => {
  const img = testImage(900, 700);
  const m = rectMask(900, 700, [{ x: 300, y: 250, w: 160, h: 120 }]);
  const calls: Call[] = [];
  const { planes: out, crops } = await inpaintImage(img, m, constantModel(-0.5, calls), { seed: 1 });
  assert.equal(crops.length, 1);
  assert.ok(crops[0].scale < 1);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].size, 128);
  checkComposite(img, out, m, 4, -0.5);
  // The model saw noise in the (scaled) hole and the image around it.
  const n = 128 * 128;
  const c = crops[0];
  const x1 = calls[0].x1;
  const { hole } = buildInpaintX1(img, m, c, 128, cropSeed(1, 0));
  const window = new Float32Array(3 * c.w * c.h);
  for (let p = 0; p < 3; p++) for (let y = 0; y < c.h; y++) for (let x = 0; x < c.w; x++) window[p * c.w * c.h + y * c.w + x] = img.rgb[p * 900 * 700 + (c.y + y) * 900 + c.x + x];
  const scaled = resizeBicubic(window, 3, c.w, c.h, 128, 128);
  let holePixels = 0;
  for (let i = 0; i < n; i++) {
    if (hole[i]) holePixels++;
    for (let p = 0; p < 3; p++) {
      if (hole[i]) assert.notEqual(x1[p * n + i], scaled[p * n + i]);
      else assert.equal(x1[p * n + i], scaled[p * n + i], 'outside the hole: the window, bicubic-scaled');
    }
  }
  // The scaled hole is the box at scale plus at most a couple of pixels of bicubic reach on each side.
  const area = 160 * c.scale * 120 * c.scale;
  assert.ok(holePixels >= area && holePixels <= (160 * c.scale + 4) * (120 * c.scale + 4), `${holePixels} model pixels for ${area.toFixed(0)}`);
});

test('inpaintImage: refuses an empty, too-large or mis-sized mask before running anything', async () => {
  const img = testImage(40, 30);
  const calls: Call[] = [];
  const run = constantModel(0, calls);
  await assert.rejects(inpaintImage(img, rectMask(40, 30, []), run, { seed: 0 }), (e: unknown) => e instanceof MaskError && e.problem.code === 'mask-empty');
  await assert.rejects(inpaintImage(img, rectMask(40, 30, [{ x: 0, y: 0, w: 40, h: 25 }]), run, { seed: 0 }), (e: unknown) => e instanceof MaskError && e.problem.code === 'mask-too-large');
  await assert.rejects(inpaintImage(img, rectMask(40, 31, [{ x: 0, y: 0, w: 4, h: 4 }]), run, { seed: 0 }), (e: unknown) => e instanceof MaskError && e.problem.code === 'mask-size');
  assert.equal(calls.length, 0);
});

test('inpaintImage: a small image runs padded to model size and keeps its size', async () => {
  const img = testImage(60, 40);
  const m = rectMask(60, 40, [{ x: 50, y: 30, w: 10, h: 10 }]); // touches the right and bottom edges
  const calls: Call[] = [];
  const { planes: out, crops } = await inpaintImage(img, m, constantModel(0.75, calls), { seed: 2 });
  assert.deepEqual([crops[0].w, crops[0].h, crops[0].modelWidth, crops[0].modelHeight], [60, 40, 60, 40]);
  assert.equal(calls[0].size, 128);
  // The padding repeats the edge, hole included: the hole at the corner stays noise out to the model's edge.
  const x1 = calls[0].x1;
  const plain = buildInpaintX1(img, m, crops[0], 128, cropSeed(2, 0));
  assert.deepEqual(plain.x1, x1);
  assert.equal(plain.hole[127 * 128 + 127], 1);
  assert.equal(plain.hole[0], 0);
  checkComposite(img, out, m, 4, 0.75);
});

test('inpaintImage: crops run in turn; a later crop sees the earlier fill, not noise, and writes only its own hole and feather', async () => {
  const img = testImage(1200, 900);
  const small = { x: 650, y: 400, w: 12, h: 10 };
  const big = { x: 100, y: 100, w: 250, h: 200 };
  const m = rectMask(1200, 900, [big, small]);
  const calls: Call[] = [];
  const values = [0.25, -0.5];
  const run = async (x1: Float32Array, size: number) => {
    calls.push({ size, x1: x1.slice() });
    return new Float32Array(3 * size * size).fill(values[calls.length - 1]);
  };
  const { planes: out, crops } = await inpaintImage(img, m, run, { seed: 9 });
  assert.equal(crops.length, 2);
  assert.deepEqual(crops[0].hole, small);
  assert.ok(contains(crops[1], small), 'the big crop\'s window holds the small hole');
  assert.ok(out.rgb[400 * 1200 + 655] === 0.25, 'the small hole has the first crop\'s fill');
  assert.ok(Math.abs(out.rgb[200 * 1200 + 200] + 0.5) < 1e-5, 'the big hole has the second crop\'s');
  // In the second x1, the model pixels over the (filled) small hole carry the fill, not noise.
  const c = crops[1];
  const mx = Math.floor((655 - c.x) * c.scale), my = Math.floor((405 - c.y) * c.scale);
  // The image the second crop saw: the output with the second crop's write box put back.
  const seen = out.rgb.slice();
  const r = c.writes, n = 1200 * 900;
  for (let p = 0; p < 3; p++) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) seen[p * n + y * 1200 + x] = img.rgb[p * n + y * 1200 + x];
  const seenPlanes = { width: 1200, height: 900, rgb: seen, alpha: null };
  const written = new Uint8Array(1200 * 900);
  markWritten(written, 1200, crops[0].writes);
  const rebuilt = buildInpaintX1(seenPlanes, m, c, 128, cropSeed(9, 1), written);
  assert.deepEqual(rebuilt.x1, calls[1].x1);
  assert.equal(rebuilt.hole[my * 128 + mx], 0, 'the filled small hole is context now');
  assert.equal(buildInpaintX1(seenPlanes, m, c, 128, cropSeed(9, 1)).hole[my * 128 + mx], 1, 'unfilled, it would be noise');
  const d = bruteDistanceFast(m);
  for (let i = 0; i < d.length; i++) if (d[i] > 4) for (let p = 0; p < 3; p++) assert.ok(Object.is(out.rgb[p * d.length + i], img.rgb[p * d.length + i]));
});

test('inpaintImage: letters kept apart (overlapping write boxes) are each written once, by the first crop that holds them', async () => {
  const img = testImage(600, 400);
  const letters = [0, 1, 2].map((i) => ({ x: 200 + 24 * i, y: 150, w: 20, h: 30 })); // 4 px apart
  const m = rectMask(600, 400, letters);
  const calls: Call[] = [];
  const run = async (x1: Float32Array, size: number) => {
    calls.push({ size, x1: x1.slice() });
    return new Float32Array(3 * size * size).fill(0.1 * calls.length); // crop k fills with 0.1·k
  };
  const { planes: out, crops } = await inpaintImage(img, m, run, { seed: 3, context: 1 });
  assert.equal(crops.length, 3, 'one crop per letter');
  assert.ok(crops.every((c) => c.scale === 1));
  const n = 600 * 400;
  for (let y = 0; y < 400; y++) {
    for (let x = 0; x < 600; x++) {
      const i = y * 600 + x;
      if (!m.data[i]) continue;
      const first = crops.findIndex((c) => x >= c.writes.x && x < c.writes.x + c.writes.w && y >= c.writes.y && y < c.writes.y + c.writes.h);
      assert.ok(Math.abs(out.rgb[i] - 0.1 * (first + 1)) < 1e-6, `hole pixel (${x}, ${y}) holds the fill of crop ${first}, the first whose write box holds it`);
    }
  }
  // The second letter's pixels the first crop filled are context, not noise, for the second crop.
  const c1 = crops[1];
  const lx = 224 - c1.x, ly = 160 - c1.y; // the second letter's first column, inside crop 0's write box (x ≤ 224)
  const written = new Uint8Array(n);
  markWritten(written, 600, crops[0].writes);
  assert.equal(buildInpaintX1(img, m, c1, 128, cropSeed(3, 1), written).hole[ly * 128 + lx], 0);
  assert.equal(buildInpaintX1(img, m, c1, 128, cropSeed(3, 1)).hole[ly * 128 + lx], 1, 'unfilled, it would be hole');
  const d = bruteDistanceFast(m);
  for (let i = 0; i < n; i++) if (d[i] > 4) for (let p = 0; p < 3; p++) assert.ok(Object.is(out.rgb[p * n + i], img.rgb[p * n + i]));
});

// ---- bringing scaled-down fills back with the restore upscalers ----

const TINY_INPAINT = readCard('test/fixtures/tiny-inpaint.json'); // model size 32
const TINY_X2 = readCard('test/fixtures/tiny-random.json'); // restore, upscale ×2
const TINY_X4 = readCard('test/fixtures/tiny-x4.json'); // restore, upscale ×4
const OPTS = { steps: 1, seed: 5, strength: 1 };
/** Holes in a 1200×900 image for the 32-px model: scale 1 (6×5), 32/90 (30×30: ×2 fits), 32/180 (60×50: ×4 fits). */
const SMALL = { x: 100, y: 100, w: 6, h: 5 };
const MID = { x: 400, y: 150, w: 30, h: 30 };
const BIG = { x: 700, y: 500, w: 60, h: 50 };

/** A session that counts its calls and answers f(x) (model units), so tests see what each link ran on. */
function countingSession(f: (x: Float32Array) => Float32Array = (x) => x.slice()): ModelSession & { inputs: Float32Array[] } {
  const inputs: Float32Array[] = [];
  return {
    backend: 'cpu',
    inputs,
    async run(x) {
      inputs.push(x.slice());
      return f(x);
    },
    async release() {},
  };
}

function photoPng(w: number, h: number): Uint8Array {
  return encodePng(fromPlanes(testImage(w, h)));
}

/** Every sample of a pixel farther than the feather from the mask is the input's byte. */
function assertFarBytesKept(input: Uint8Array, out: RawImage, m: Mask): void {
  const src = decodePng(input);
  const d = bruteDistanceFast(m);
  let checked = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] <= 4) continue;
    for (let c = 0; c < 3; c++) assert.equal(out.data[i * out.channels + c], src.data[i * src.channels + c], `pixel ${i} at distance ${d[i]}`);
    checked++;
  }
  assert.ok(checked > 0.9 * d.length);
}

/** The bytes of box `b` (RGB) of an image. */
function boxBytes(img: RawImage, b: Box): number[] {
  const out: number[] = [];
  for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) for (let c = 0; c < 3; c++) out.push(img.data[(y * img.width + x) * img.channels + c]);
  return out;
}

test('upscalerFor: the largest factor ≤ 1/scale, the first of equal factors, none below ×2', () => {
  const ups = [{ id: 'a2', factor: 2 }, { id: 'b2', factor: 2 }, { id: 'x4', factor: 4 }, { id: 'x1', factor: 1 }];
  assert.equal(upscalerFor(ups, 1), null);
  assert.equal(upscalerFor(ups, 0.6), null, '×1.7: bicubic alone');
  assert.equal(upscalerFor(ups, 0.5)?.id, 'a2');
  assert.equal(upscalerFor(ups, 0.3)?.id, 'a2', '×3.3: ×2, then bicubic');
  assert.equal(upscalerFor(ups, 0.25)?.id, 'x4');
  assert.equal(upscalerFor(ups, 32 / 180)?.id, 'x4');
  assert.equal(upscalerFor([], 0.1), null);
});

test('inpaintUpscalers: the build\'s upscale cards, one per scale, smallest first; toolChain puts them after the inpaint model', () => {
  const other2 = { ...TINY_X2, id: 'another-x2' };
  const cards = [TINY_X4, TINY_INPAINT, TINY_X2, other2, readCard('test/fixtures/tiny-clean.json')];
  assert.deepEqual(inpaintUpscalers(cards).map((c) => c.id), ['another-x2', 'tiny-x4']);
  const settings = { tool: 'inpaint' } as unknown as Settings;
  assert.deepEqual(toolChain(cards, 'inpaint', settings).map((c) => c.id), ['tiny-inpaint', 'another-x2', 'tiny-x4']);
  assert.deepEqual(toolChain([TINY_INPAINT], 'inpaint', settings).map((c) => c.id), ['tiny-inpaint']);
  assert.deepEqual(toolChain([TINY_X4], 'inpaint', settings), []);
});

test('inpaintImage: a fill scaled down ≥ 2 goes through the upscaler at model size, then bicubic to the window', async () => {
  const img = testImage(1200, 900);
  const m = rectMask(1200, 900, [SMALL, BIG]);
  const seen: Array<{ width: number; height: number }> = [];
  const x4 = { id: 'x4', factor: 4, run: async (rgb: Float32Array, width: number, height: number) => {
    seen.push({ width, height });
    return new Float32Array(rgb.length * 16).fill(-0.75);
  } };
  const opts = { seed: 1, modelSize: 32, context: 1 }; // the big hole's window then scales by ≤ 1/4
  const { planes: out, crops } = await inpaintImage(img, m, constantModel(0.25, []), { ...opts, upscalers: [x4] });
  assert.deepEqual(crops.map((c) => c.upscaler), [null, 'x4']);
  assert.ok(crops[1].scale <= 0.25);
  assert.deepEqual(seen, [{ width: crops[1].modelWidth, height: crops[1].modelHeight }], 'once, on the big crop\'s model-size fill');
  // The small crop keeps the model's fill, the big one the upscaler's; beyond the feather nothing moves.
  assert.equal(out.rgb[102 * 1200 + 102], 0.25);
  assert.ok(Math.abs(out.rgb[520 * 1200 + 720] + 0.75) < 1e-6);
  const d = bruteDistanceFast(m);
  for (let i = 0; i < d.length; i++) if (d[i] > 4) for (let p = 0; p < 3; p++) assert.ok(Object.is(out.rgb[p * d.length + i], img.rgb[p * d.length + i]));
  // Without upscalers: bicubic as before, and the small crop's pixels are the same either way.
  const plain = await inpaintImage(img, m, constantModel(0.25, []), opts);
  assert.deepEqual(plain.crops.map((c) => c.upscaler), [null, null]);
  assert.equal(plain.planes.rgb[102 * 1200 + 102], 0.25);
  assert.ok(Math.abs(plain.planes.rgb[520 * 1200 + 720] - 0.25) < 1e-6);
});

test('runInpaintMask: a crop scaled by ≤ 1/4 runs the ×4 upscaler; a crop at scale 1 runs none; bytes beyond the feather are the input\'s', async () => {
  const png = photoPng(1200, 900);
  const run = async (holes: Box[]) => {
    const inpaint = boxModel(4);
    const x4 = boxModel(4);
    const m = rectMask(1200, 900, holes);
    const r = await runInpaintMask([{ card: TINY_INPAINT, session: inpaint }, { card: TINY_X4, session: x4 }], png, () => m, OPTS);
    return { r, m, inpaintCalls: inpaint.calls.length, x4Calls: x4.calls.length };
  };
  const small = await run([SMALL]);
  assert.deepEqual(small.r.crops.map((c) => [c.scale, c.upscaler]), [[1, null]]);
  assert.equal(small.inpaintCalls, 1);
  assert.equal(small.x4Calls, 0, 'no upscaler for a crop that was not shrunk');
  assertFarBytesKept(png, small.r.image, small.m);
  // The same as the inpaint model alone (one link, the old call).
  const alone = await runInpaintMask({ card: TINY_INPAINT, session: boxModel(4) }, png, () => small.m, OPTS);
  assert.deepEqual(alone.image.data, small.r.image.data);

  const big = await run([BIG]);
  assert.equal(big.r.crops.length, 1);
  assert.ok(big.r.crops[0].scale <= 0.25, `scale ${big.r.crops[0].scale}`);
  assert.equal(big.r.crops[0].upscaler, 'tiny-x4');
  assert.equal(big.inpaintCalls, 1);
  assert.ok(big.x4Calls >= 1, 'the ×4 upscaler ran on the fill');
  assertFarBytesKept(png, big.r.image, big.m);
  assert.equal(big.r.backend, 'cpu');
  // It made a difference inside the hole (bicubic alone would give other bytes).
  const bicubic = await runInpaintMask({ card: TINY_INPAINT, session: boxModel(4) }, png, () => big.m, OPTS);
  assert.notDeepEqual(boxBytes(big.r.image, BIG), boxBytes(bicubic.image, BIG));
});

test('runInpaintMask: each crop gets the largest upscaler that fits, fed the fill as 8-bit (as a chain hands over), at its default steps', async () => {
  const png = photoPng(1200, 900);
  const m = rectMask(1200, 900, [BIG, SMALL, MID]);
  const inpaint = countingSession((x) => new Float32Array(x.length).fill(0.3));
  const x2 = countingSession();
  const x4 = countingSession();
  const links = [{ card: TINY_INPAINT, session: inpaint }, { card: TINY_X2, session: x2 }, { card: TINY_X4, session: x4 }];
  const r = await runInpaintMask(links, png, () => m, { ...OPTS, steps: 3 });
  assert.deepEqual(r.crops.map((c) => c.upscaler), [null, 'tiny-random', 'tiny-x4'], 'scale 1, then 32/90 (×2), then 32/180 (×4)');
  assert.equal(inpaint.inputs.length, 3 * 3, 'Steps count for the inpaint model');
  // The upscalers run their card's default (one step: one batched call over the fill's tiles).
  assert.deepEqual([x2.inputs.length, x4.inputs.length], [1, 1]);
  // 0.3 is no byte: the upscalers saw 166/255 (round((0.3 + 1) · 127.5)) in [−1, 1], bicubic-enlarged.
  const handed = (166 / 255) * 2 - 1;
  for (const x of [...x2.inputs, ...x4.inputs]) assert.ok(x.every((v) => Math.abs(v - handed) < 1e-5));
  assertFarBytesKept(png, r.image, m);
  const at = (x: number, y: number) => r.image.data[(y * 1200 + x) * r.image.channels];
  assert.deepEqual([at(102, 102), at(415, 165), at(730, 525)], [166, 166, 166]);
});

test('runInpaintMask: a link after the inpaint model that is not an upscaler is refused', async () => {
  const png = photoPng(64, 48);
  const m = rectMask(64, 48, [{ x: 10, y: 10, w: 4, h: 4 }]);
  const clean = readCard('test/fixtures/tiny-clean.json');
  await assert.rejects(
    runInpaintMask([{ card: TINY_INPAINT, session: boxModel(4) }, { card: clean, session: boxModel(4) }], png, () => m, OPTS),
    (e: unknown) => e instanceof EngineError && e.code === 'unsupported-tool',
  );
});

test('onestep inpaint --json: the zoo\'s upscalers join the chain; each crop reports the upscaler that ran (or null)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onestep-inpaint-'));
  try {
    const zoo = join(dir, 'zoo');
    mkdirSync(zoo);
    for (const id of ['tiny-inpaint', 'tiny-x4']) for (const ext of ['json', 'onnx']) copyFileSync(join('test/fixtures', `${id}.${ext}`), join(zoo, `${id}.${ext}`));
    const input = join(dir, 'in.png'), maskPath = join(dir, 'mask.png'), out = join(dir, 'out.png');
    const png = photoPng(1200, 900);
    writeFileSync(input, png);
    const m = rectMask(1200, 900, [SMALL, BIG]);
    writeFileSync(maskPath, encodePng({ width: 1200, height: 900, channels: 1, depth: 8, data: Uint8Array.from(m.data, (v) => (v > 0 ? 255 : 0)) }));
    const lines: string[] = [], errs: string[] = [];
    const code = await main(['inpaint', input, '--mask', maskPath, '-o', out, '--json', '--zoo', zoo], { out: (l) => lines.push(l), err: (l) => errs.push(l) });
    assert.equal(code, 0, errs.join('\n'));
    const report = JSON.parse(lines.join('\n'));
    assert.equal(report.model, 'tiny-inpaint');
    assert.deepEqual(report.models, ['tiny-inpaint@0.1.0', 'tiny-x4@0.1.0']);
    assert.deepEqual(report.crops.map((c: { scale: number; upscaler: string | null }) => [c.scale === 1, c.upscaler]), [[true, null], [false, 'tiny-x4']]);
    assert.ok(report.crops[1].scale <= 0.25);
    assert.deepEqual([report.output.width, report.output.height], [1200, 900], 'the upscalers do not enlarge the image');
    assertFarBytesKept(png, decodePng(new Uint8Array(readFileSync(out))), m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real tiny-inpaint model takes the hole as its mask input: pixels outside it come back exactly, and a run without it is refused', async () => {
  const { openCardModel } = await import('../../ui/engine/node');
  assert.ok(TINY_INPAINT.inputs && 'mask' in TINY_INPAINT.inputs, 'the card declares the mask input');
  const session = await openCardModel('test/fixtures', TINY_INPAINT);
  try {
    const n = 32 * 32;
    const x = new Float32Array(3 * n).map((_, i) => Math.sin(i * 0.37) * 0.8);
    const hole = new Float32Array(n);
    for (let y = 10; y < 20; y++) hole.fill(1, y * 32 + 8, y * 32 + 22);
    await assert.rejects(session.run(x, 32, 32, 1, 0, 1, 'y'), (e: EngineError) => e.code === 'internal' && /mask/.test(e.message));
    const y = await session.run(x, 32, 32, 1, 0, 1, 'y', hole);
    let changed = 0;
    for (let i = 0; i < 3 * n; i++) {
      if (hole[i % n] === 0) assert.equal(y[i], x[i], `value ${i} outside the hole`);
      else if (Math.abs(y[i] - x[i]) > 1e-3) changed++;
    }
    assert.ok(changed > 0.9 * 3 * 140, `the hole is filled (${changed} values changed)`);
    // through the pipeline: the crop's hole is what the model is fed, and bytes beyond the feather are the input's
    const png = photoPng(96, 80);
    const m: Mask = { width: 96, height: 80, data: new Uint8Array(96 * 80) };
    for (let yy = 30; yy < 40; yy++) m.data.fill(1, yy * 96 + 40, yy * 96 + 52);
    const r = await runInpaintMask({ card: TINY_INPAINT, session }, png, () => m, OPTS);
    assertFarBytesKept(png, r.image, m);
    assert.notDeepEqual(boxBytes(r.image, { x: 40, y: 30, w: 12, h: 10 }), boxBytes(decodePng(png), { x: 40, y: 30, w: 12, h: 10 }));
  } finally {
    await session.release();
  }
});

test('runInpaintMask: the result choice is the inpaint model\'s; the upscaler after it runs its card\'s default', async () => {
  const png = photoPng(1200, 900);
  const m = rectMask(1200, 900, [BIG]);
  const inpaint = boxModel(4);
  const x4 = boxModel(4);
  const faithfulX4 = { ...TINY_X4, default_output: 'faithful' as const, one_step: 'gctm' as const };
  await runInpaintMask([{ card: TINY_INPAINT, session: inpaint }, { card: faithfulX4, session: x4 }], png, () => m, { ...OPTS, output: 'detailed' });
  assert.ok(inpaint.calls.length >= 1 && inpaint.calls.every((c) => c.t === 1 && c.s === 0), 'the inpaint model: Detailed, G(x1, 1, 0)');
  assert.ok(x4.calls.length >= 1 && x4.calls.every((c) => c.s === c.t), 'the upscaler: its default, the denoiser g(x1, 1, 1)');
});

test('inpaintRaw: the same bytes as inpaintImage on the whole image, for RGB, RGBA (opaque or not), grey and 16-bit; crops in image coordinates', async () => {
  // a model whose output depends on its whole input (context and noise), so any shifted window shows
  const echo: RunModel = async (x1) => x1.map((v, i) => Math.tanh(v * 0.9 + x1[(i * 7) % x1.length] * 0.2));
  const w = 420, h = 300;
  const holes = [{ x: 40, y: 30, w: 12, h: 9 }, { x: 300, y: 200, w: 70, h: 60 }, { x: 330, y: 40, w: 8, h: 30 }];
  const m = rectMask(w, h, holes);
  const opts = { seed: 9, modelSize: 64, maxHole: 24 };
  const rgb = fromPlanes(testImage(w, h));
  const rgba = fromPlanes(testImage(w, h, true));
  const opaqueRgba: RawImage = { ...rgb, channels: 4, data: Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : rgb.data[(i >> 2) * 3 + (i % 4)])) };
  const grey: RawImage = { width: w, height: h, channels: 1, depth: 8, data: Uint8Array.from({ length: w * h }, (_, i) => rgb.data[i * 3]) };
  const deep: RawImage = { width: w, height: h, channels: 3, depth: 16, data: Uint16Array.from(rgb.data, (v, i) => v * 257 + (i % 200)) };
  for (const [name, img] of [['RGB', rgb], ['RGBA', rgba], ['opaque RGBA', opaqueRgba], ['grey', grey], ['16-bit RGB', deep]] as const) {
    const whole = await inpaintImage(toPlanes(img), m, echo, opts);
    const expected = fromPlanes(whole.planes);
    const copy: RawImage = { ...img, data: img.data.slice() };
    const got = await inpaintRaw(copy, m, echo, opts);
    assert.equal(got.crops.length, 3, name);
    assert.deepEqual(got.crops, whole.crops, `${name}: the same crops, in image coordinates`);
    if (got.image.channels === expected.channels) {
      // inside the crops' windows the bytes inpaintImage gives; outside them the input's own bytes, which
      // inpaintImage also gives wherever a pixel is visible (it whitens the colour of fully transparent ones)
      const region = unionBox(got.crops);
      const ch = img.channels >= 3 && img.depth === 8 ? img.channels : expected.channels;
      for (let i = 0; i < w * h; i++) {
        const x = i % w, y = Math.floor(i / w);
        const inside = x >= region.x && x < region.x + region.w && y >= region.y && y < region.y + region.h;
        const px = Array.from(got.image.data.subarray(i * ch, (i + 1) * ch));
        const theirs = Array.from(expected.data.subarray(i * ch, (i + 1) * ch));
        const visible = ch === 3 || theirs[3] > 0;
        if (inside || visible) assert.deepEqual(px, theirs, `${name}: pixel ${x},${y}`);
        if (!inside && img.depth === 8 && img.channels >= 3) assert.deepEqual(px, Array.from(img.data.subarray(i * ch, (i + 1) * ch)), `${name}: pixel ${x},${y} untouched`);
      }
    } else {
      // an opaque RGBA image keeps its alpha channel (255): its colour is what inpaintImage gives
      assert.equal(name, 'opaque RGBA');
      assert.equal(expected.channels, 3);
      for (let i = 0; i < w * h; i++) {
        for (let c = 0; c < 3; c++) assert.equal(got.image.data[i * 4 + c], expected.data[i * 3 + c], `${name}: pixel ${i}`);
        assert.equal(got.image.data[i * 4 + 3], 255);
      }
      assert.deepEqual(withoutOpaqueAlpha(got.image), expected, 'and written without it, it is inpaintImage\'s result');
    }
    if (img.depth === 8 && img.channels >= 3) assert.equal(got.image, copy, `${name}: filled in place`);
  }
  assert.equal(withoutOpaqueAlpha(rgba), rgba, 'a semi-transparent image keeps its alpha');
});

test('runInpaintMask: decoded pixels (as the CLI hands over a JPEG) give the bytes the same image as PNG gives, and are not written into', async () => {
  const png = photoPng(300, 200);
  const raw = decodePng(png);
  const before = raw.data.slice();
  const m = rectMask(300, 200, [{ x: 120, y: 80, w: 20, h: 16 }]);
  const fromPng = await runInpaintMask({ card: TINY_INPAINT, session: boxModel(4) }, png, () => m, OPTS);
  const fromRaw = await runInpaintMask({ card: TINY_INPAINT, session: boxModel(4) }, raw, () => m, OPTS);
  assert.deepEqual(fromRaw.image, fromPng.image);
  assert.notDeepEqual(Array.from(fromRaw.image.data), Array.from(before), 'the hole was filled');
  assert.deepEqual(raw.data, before, 'the caller\'s pixels are as they were');
});
