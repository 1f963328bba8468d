import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Channels, RawImage } from '../../ui/engine/image/raw';
import {
  DESPECKLE_MIN,
  KERNEL_1,
  KERNEL_2,
  MIN_RANGE,
  SHARPEN,
  THRESHOLD,
  blur,
  despeckle,
  extractSketch,
  looksLikeSketch,
  normaliseSketch,
  sketchToPlanes,
  toSketch,
  xdogResponse,
} from '../../ui/engine/image/sketch-extract';

const FIXTURE = 'test/fixtures/sketch-extract.json';
/** Parity bound before thresholding (the two sides are meant to agree to the bit; this is the contract). */
const TOL = 1e-4;

interface Case {
  name: string;
  width: number;
  height: number;
  channels: Channels;
  pixels: string;
  response?: string;
  ink?: string;
  near_threshold?: number;
  extracted: string;
  normalised?: string;
  normalise_info: { inverted: boolean; blank: boolean };
  looks_like_sketch: boolean;
  to_sketch_kind: 'sketch' | 'extracted';
}

function load() {
  // Written by models/ (python3 -m gctm.sketch_extract --write-fixture); a missing file is a failure.
  assert.ok(existsSync(FIXTURE), `${FIXTURE} is missing: models/ writes it to pin the engine's extractor to the Python one`);
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    constants: { kernel_1: number[]; kernel_2: number[]; sharpen: number; threshold: number; min_range: number; despeckle_min: number };
    cases: Case[];
  };
}

function bytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}
function floats(b64: string): Float32Array {
  const b = bytes(b64);
  const out = new Float32Array(b.length / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
function bits(b64: string, n: number): Uint8Array {
  const b = bytes(b64);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (b[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}
function image(c: Case): RawImage {
  return { width: c.width, height: c.height, channels: c.channels, depth: 8, data: bytes(c.pixels) };
}

test('the constants are the ones the Python side used', () => {
  const fx = load();
  assert.deepEqual(Array.from(KERNEL_1), fx.constants.kernel_1.map(Math.fround));
  assert.deepEqual(Array.from(KERNEL_2), fx.constants.kernel_2.map(Math.fround));
  assert.equal(SHARPEN, Math.fround(fx.constants.sharpen));
  assert.equal(THRESHOLD, Math.fround(fx.constants.threshold));
  assert.equal(MIN_RANGE, Math.fround(fx.constants.min_range));
  assert.equal(DESPECKLE_MIN, fx.constants.despeckle_min);
});

test('the kernels are normalised Gaussians of σ 0.8 and 1.28 on 9 taps', () => {
  for (const [k, sigma] of [[KERNEL_1, 0.8], [KERNEL_2, 1.28]] as const) {
    const g = Array.from({ length: 9 }, (_, i) => Math.exp(-((i - 4) ** 2) / (2 * sigma * sigma)));
    const sum = g.reduce((a, b) => a + b, 0);
    g.forEach((v, i) => assert.ok(Math.abs(k[i] - v / sum) < 1e-7, `σ ${sigma} tap ${i}`));
  }
});

test('extractor parity with the Python fixture: response within 1e-4, masks identical off the threshold', () => {
  const fx = load();
  const cases = fx.cases.filter((c) => c.response);
  assert.ok(cases.length >= 3);
  let worst = 0, nearTotal = 0, pixels = 0;
  for (const c of cases) {
    const img = image(c);
    const n = c.width * c.height;
    const s = xdogResponse(img);
    const ref = floats(c.response!);
    assert.equal(s.length, ref.length, c.name);
    const near = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(s[i] - ref[i]));
      if (Math.abs(ref[i] - THRESHOLD) < TOL) near[i] = 1;
    }
    const nNear = near.reduce((a, b) => a + b, 0);
    assert.equal(nNear, c.near_threshold, `${c.name}: pixels within 1e-4 of the threshold`);
    nearTotal += nNear;
    pixels += n;
    // The threshold's mask: identical except on pixels within 1e-4 of it.
    const ink = bits(c.ink!, n);
    for (let i = 0; i < n; i++) {
      if (!near[i]) assert.equal(s[i] < THRESHOLD ? 1 : 0, ink[i], `${c.name}: ink at ${i % c.width},${Math.floor(i / c.width)}`);
    }
    // The final sketch: identical except within one pixel of a near-threshold pixel (despeckling looks one pixel out).
    const out = extractSketch(img);
    const ext = bits(c.extracted, n);
    for (let i = 0; i < n; i++) {
      const x = i % c.width, y = Math.floor(i / c.width);
      let touched = false;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < c.width && yy < c.height && near[yy * c.width + xx]) touched = true;
      }
      if (!touched) assert.equal(out.data[i] === 0 ? 1 : 0, ext[i], `${c.name}: sketch at ${x},${y}`);
    }
  }
  assert.ok(worst <= TOL, `response differs by up to ${worst}`);
  // The fixture is made so that no pixel sits on the threshold; the bound is what the contract allows.
  assert.ok(nearTotal <= 0.005 * pixels, `${nearTotal} of ${pixels} pixels within 1e-4 of the threshold`);
});

test('normaliser, classifier and toSketch parity with the Python fixture', () => {
  const fx = load();
  for (const c of fx.cases) {
    const img = image(c);
    const norm = normaliseSketch(img);
    assert.equal(norm.inverted, c.normalise_info.inverted, `${c.name}: inverted`);
    assert.equal(norm.blank, c.normalise_info.blank, `${c.name}: blank`);
    if (c.normalised) {
      const ref = floats(c.normalised);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(norm.data[i] - ref[i]));
      assert.ok(worst <= TOL, `${c.name}: normalised differs by up to ${worst}`);
    }
    assert.equal(looksLikeSketch(img), c.looks_like_sketch, `${c.name}: looks like a sketch`);
    const s = toSketch(img);
    assert.equal(s.kind, c.to_sketch_kind, `${c.name}: kind`);
    if (s.kind === 'extracted') {
      const ext = bits(c.extracted, c.width * c.height);
      // No fixture pixel is near the threshold (checked above), so the sketch is the same to the pixel.
      for (let i = 0; i < ext.length; i++) assert.equal(s.data[i] === 0 ? 1 : 0, ext[i], `${c.name}: toSketch at ${i}`);
    }
  }
});

test('the fixture covers every path: outlined and flat art, a photo, grey paper, a dark background, transparency, blank', () => {
  const fx = load();
  const kinds = new Set(fx.cases.map((c) => c.to_sketch_kind));
  assert.deepEqual([...kinds].sort(), ['extracted', 'sketch']);
  assert.ok(fx.cases.some((c) => c.normalise_info.inverted));
  assert.ok(fx.cases.some((c) => c.normalise_info.blank));
  assert.deepEqual(new Set(fx.cases.map((c) => c.channels)), new Set([1, 2, 3, 4]));
});

test('blur is edge-clamped and keeps constants; despeckle drops lone pixels and keeps strokes', () => {
  const w = 6, h = 5;
  const flat = new Float32Array(w * h).fill(0.25);
  for (const v of blur(flat, w, h, KERNEL_2)) assert.ok(Math.abs(v - 0.25) < 1e-6);
  const ink = new Uint8Array(w * h);
  ink[0] = 1; // a lone pixel in the corner
  for (let x = 1; x < 6; x++) ink[3 * w + x] = ink[4 * w + x] = 1; // a stroke 2 px wide
  const out = despeckle(ink, w, h);
  assert.equal(out[0], 0);
  for (let x = 1; x < 6; x++) assert.equal(out[3 * w + x] & out[4 * w + x], 1);
});

test('a dark line on white gives one stroke, not two edges; a white layer gives nothing', () => {
  const w = 32, h = 32;
  const data = new Uint8Array(w * h).fill(255);
  for (let y = 0; y < h; y++) { data[y * w + 15] = 0; data[y * w + 16] = 0; }
  const s = extractSketch({ width: w, height: h, channels: 1, depth: 8, data });
  const row = Array.from(s.data.subarray(16 * w, 17 * w));
  const runs = row.map((v, i) => (v === 0 && (i === 0 || row[i - 1] !== 0) ? 1 : 0) as number).reduce((a, b) => a + b, 0);
  assert.equal(runs, 1, `one run of ink across the line: ${row.join('')}`);
  const white = extractSketch({ width: w, height: h, channels: 1, depth: 8, data: new Uint8Array(w * h).fill(255) });
  assert.ok(white.data.every((v) => v === 1));
  const t = toSketch({ width: w, height: h, channels: 4, depth: 8, data: new Uint8Array(w * h * 4) });
  assert.equal(t.blank, true, 'a fully transparent layer is blank (white)');
});

test('16-bit input, and the model planes: grey to 3 channels in [−1, 1]', () => {
  const w = 8, h = 8;
  const d16 = new Uint16Array(w * h).fill(65535);
  for (let x = 0; x < w; x++) d16[4 * w + x] = 0;
  const d8 = new Uint8Array(w * h).fill(255);
  for (let x = 0; x < w; x++) d8[4 * w + x] = 0;
  const a = normaliseSketch({ width: w, height: h, channels: 1, depth: 16, data: d16 });
  const b = normaliseSketch({ width: w, height: h, channels: 1, depth: 8, data: d8 });
  assert.deepEqual(a.data, b.data);
  const p = sketchToPlanes(b);
  assert.equal(p.rgb.length, 3 * w * h);
  assert.equal(p.rgb[4 * w], -1);
  assert.equal(p.rgb[2 * w * h], 1);
  assert.equal(p.alpha, null);
});
