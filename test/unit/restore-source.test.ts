// The Restore tool's x1 for a model trained on a perturbed source (card source.sigma_p > 0): Detailed
// is given x1 + σp·ε with the seed's ε (white, or drawn at 1/k of x1's size and resized where the card
// says so), Faithful the unperturbed x1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildRestoreSource } from '../../ui/engine/tools/restore';
import { resizeBicubic } from '../../ui/engine/image/resize';
import { gaussian } from '../../ui/engine/random';
import type { EngineOptions } from '../../ui/engine/tools/types';
import type { ModelCard } from '../../ui/engine/zoo';

function card(sigma_p: number, sigma_p_scale?: number): ModelCard {
  return {
    id: 'x2', tool: 'restore', version: '1', title: 'x2', summary: '', file: 'x2.onnx', sha256: '0'.repeat(64), bytes: 1, multiple: 2,
    tile: { size: 256, overlap: 32 }, source: { kind: 'upscale', scale: 2, resize: 'bicubic', sigma_p, ...(sigma_p_scale ? { sigma_p_scale } : {}) },
    time: { sigma_max: 80, grid: [0, 1], one_step: { t: 1, s: 0 } }, outputs: ['y', 'g'], default_output: 'faithful',
  };
}

const planes = { width: 4, height: 3, rgb: Float32Array.from({ length: 36 }, (_, i) => ((i * 7) % 11) / 5.5 - 1), alpha: null };
const options = (o: Partial<EngineOptions>): EngineOptions => ({ steps: 0, seed: 1, strength: 0, ...o });
const x1 = (sigma: number, o: Partial<EngineOptions>) => buildRestoreSource(card(sigma), { planes, options: options(o) }).x1;
const rms = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

test('Faithful is given the unperturbed source, whatever the seed', () => {
  const plain = x1(0, { output: 'detailed' });
  assert.deepEqual(x1(0.02, { output: 'faithful', seed: 1 }), plain);
  assert.deepEqual(x1(0.02, { output: 'faithful', seed: 9 }), plain);
  assert.deepEqual(x1(0.02, {}), plain, "the card's default is faithful");
});

test('Detailed is given x1 + σp·ε: the seed picks ε', () => {
  const plain = x1(0, { output: 'detailed' });
  const a = x1(0.02, { output: 'detailed', seed: 1 });
  assert.deepEqual(x1(0.02, { output: 'detailed', seed: 1 }), a);
  assert.notDeepEqual(x1(0.02, { output: 'detailed', seed: 2 }), a);
  const r = rms(a, plain);
  assert.ok(r > 0.01 && r < 0.03, `perturbation of σp's size, got rms ${r}`);
});

test('Noise at 1/k of the source (source.sigma_p_scale): the resize of white noise at 1/k; at k = scale, of the noised input', () => {
  const build = (o: Partial<EngineOptions>) => buildRestoreSource(card(0.02, 2), { planes, options: options(o) }).x1;
  const plain = x1(0, { output: 'detailed' });
  const eps = gaussian(planes.rgb.length, 3);
  const smooth = resizeBicubic(eps, 3, planes.width, planes.height, 8, 6);
  const got = build({ output: 'detailed', seed: 3 });
  assert.ok(rms(got, plain.map((v, i) => v + 0.02 * smooth[i])) < 1e-6, 'x1 + σp·resize(ε at 1/k)');
  // resizing is linear: for k = the upscale factor, the same as the resize of input + σp·ε
  const noisedInput = resizeBicubic(planes.rgb.map((v, i) => v + 0.02 * eps[i]), 3, planes.width, planes.height, 8, 6);
  assert.ok(rms(got, noisedInput) < 1e-6);
  assert.ok(rms(got, x1(0.02, { output: 'detailed', seed: 3 })) > 0.005, 'not white noise on x1');
  assert.deepEqual(build({ output: 'faithful', seed: 3 }), plain, 'Faithful: the plain resize');
});

test("Detailed's x1 is the golden files' x1 from the same seed (test/fixtures/source-noise.json, written by the training code)", () => {
  const v = JSON.parse(readFileSync(new URL('../fixtures/source-noise.json', import.meta.url), 'utf8'));
  const input = { width: v.input.w, height: v.input.h, rgb: Float32Array.from(v.input.data), alpha: null };
  for (const c of v.cases) {
    const upscaler: ModelCard = { ...card(v.sigma_p, c.sigma_p_scale), multiple: c.scale };
    upscaler.source = { ...upscaler.source, scale: c.scale };
    const got = buildRestoreSource(upscaler, { planes: input, options: options({ output: 'detailed', seed: v.seed }) });
    assert.equal(got.width, c.w);
    assert.equal(got.height, c.h);
    let worst = 0;
    for (let i = 0; i < c.data.length; i++) worst = Math.max(worst, Math.abs(got.x1[i] - c.data[i]));
    assert.ok(worst < 1e-5, `×${c.scale}, noise at 1/${c.sigma_p_scale}: off by ${worst}`);
  }
});
