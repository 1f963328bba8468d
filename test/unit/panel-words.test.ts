// The panel's plain words: quality against the plain alternative, time for a selection, where it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aboutLines, backendWords, durationWords, estimateSeconds, qualityWords } from '../../ui/panel/plain';
import type { ModelCard } from '../../ui/engine/zoo';

function card(kind: string, scale: number, psnr: Record<string, number>, flops?: number): ModelCard {
  const summary = Object.fromEntries(Object.entries(psnr).map(([k, v]) => [k, { psnr: v }]));
  return {
    id: `m-${kind}-${scale}`, tool: 'restore', version: '1.0.0', title: kind === 'clean' ? 'Clean up' : `Upscale ×${scale}`, summary: '',
    file: 'm.onnx', sha256: '0'.repeat(64), bytes: 1048576, multiple: 2, tile: { size: 256, overlap: 32 }, source: { kind, scale },
    time: { sigma_max: 80, grid: [0, 0.5, 1], one_step: { t: 1, s: 0 } }, flops_per_output_pixel: flops, metrics: { images: 8, summary },
  };
}

const JARGON = /\bdB\b|PSNR|evaluation|bicubic|wasm|webgpu/i;

test('quality in plain words, graded by the measured gain over the plain alternative', () => {
  assert.equal(qualityWords(card('upscale', 2, { bicubic: 31.1, gctm_nfe1: 33.6 })), 'Clearly sharper than a standard resize.');
  assert.equal(qualityWords(card('upscale', 4, { bicubic: 26.5, gctm_nfe1: 27.8 })), 'Sharper than a standard resize.');
  assert.equal(qualityWords(card('upscale', 4, { bicubic: 26.5, gctm_nfe1: 26.9 })), 'A little sharper than a standard resize.');
  assert.equal(qualityWords(card('clean', 1, { input: 28.1, gctm_nfe1: 30.8 })), 'Clearly cleaner than the original.');
  assert.equal(qualityWords(card('upscale', 2, {})), 'Makes the layer 2× larger.', 'no measurement: what it does');
  assert.equal(qualityWords(card('upscale', 2, { bicubic: 31, gctm_nfe1: 30 })), 'Makes the layer 2× larger.', 'never claims a loss as a gain');
  for (const c of [card('upscale', 2, { bicubic: 31.1, gctm_nfe1: 33.6 }), card('clean', 1, { input: 28.1, gctm_nfe1: 30.8 })]) {
    assert.doesNotMatch(qualityWords(c), JARGON);
  }
});

test('time for a selection: the models\' cost per result pixel at WASM speed, in words', () => {
  const x4 = card('upscale', 4, {}, 10_400);
  const clean = card('clean', 1, {}, 49_600);
  // 512×512 → 2048×2048 with restore-x4 took 1.72 s of inference (README): the estimate is within 2×.
  const s = estimateSeconds([x4], 512 * 512)!;
  assert.ok(s > 1.72 / 2 && s < 1.72 * 2 + 1.5, `${s} s`);
  assert.ok(estimateSeconds([clean, x4], 512 * 512)! > s, 'clean-up first adds its time');
  assert.ok(estimateSeconds([x4], 1024 * 1024)! > 3 * s, 'grows with the layer');
  assert.equal(estimateSeconds([card('upscale', 2, {})], 100), null, 'unknown cost: no estimate');
  assert.deepEqual([0.4, 1.4, 42, 200].map(durationWords), ['under a second', 'about 1 s', 'about 42 s', 'about 3 min']);
});

test('where it runs, in plain words; the numbers go to "About this model"', () => {
  assert.equal(backendWords('wasm'), 'the processor');
  assert.equal(backendWords('webgpu'), 'the graphics card');
  assert.equal(backendWords('webgpu + wasm'), 'the graphics card and the processor');
  const about = aboutLines(card('upscale', 2, { bicubic: 31.1, gctm_nfe1: 33.6 }, 49_600)).join('\n');
  assert.match(about, /Upscale ×2, version 1\.0\.0, 1\.0 MB/);
  assert.match(about, /Measured on 8 held-out images: 33\.6 dB PSNR, bicubic resize 31\.1 dB/);
  assert.match(about, /once by default \(Steps\); up to 2 steps/);
  assert.match(about, /49\.6 k operations per result pixel: about 2\.0 s per megapixel/);
});
