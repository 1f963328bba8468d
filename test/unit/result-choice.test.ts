// What the panel's Result choice is about, per tool: the run sends the user's Faithful/Detailed only
// to a tool whose own model offers both results; upscalers that follow Inpaint or Sketch get none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, isUiToMain, MAX_SEED, type Settings } from '../../src/protocol';
import type { ModelCard } from '../../ui/engine/zoo';
import { resultModels, runOptionsFor, seedFor, sentOutput } from '../../ui/panel/tool-choice';

function card(id: string, tool: string, one_step: 'gctm' | 'regressor', extra: Partial<ModelCard> = {}): ModelCard {
  return {
    id, tool, version: '1', title: id, summary: '', file: `${id}.onnx`, sha256: '0'.repeat(64), bytes: 1, multiple: 2,
    tile: { size: 256, overlap: 32 }, source: { kind: 'upscale', scale: 2, resize: 'bicubic' },
    time: { sigma_max: 80, grid: [0, 1], one_step: { t: 1, s: 0 } }, outputs: ['y', 'g'], default_output: 'faithful', one_step, ...extra,
  } as ModelCard;
}

const clean = card('clean', 'restore', 'gctm', { source: { kind: 'clean' } } as Partial<ModelCard>);
const x2 = card('x2', 'restore', 'gctm');
const x4 = card('x4', 'restore', 'regressor', { source: { kind: 'upscale', scale: 4, resize: 'bicubic' } } as Partial<ModelCard>);
const inpaintRegressor = card('inpaint', 'inpaint', 'regressor', { source: { kind: 'inpaint', size: 64 } } as Partial<ModelCard>);
const inpaintJump = card('inpaint', 'inpaint', 'gctm', { source: { kind: 'inpaint', size: 64 } } as Partial<ModelCard>);
const sketch = card('sketch', 'sketch', 'gctm', { source: { kind: 'sketch', size: 64 } } as Partial<ModelCard>);
const detailed: Settings = { ...DEFAULT_SETTINGS, output: 'detailed' };

test('Restore: the choice is about every model of the chain, and is sent when one of them offers both', () => {
  assert.deepEqual(resultModels('restore', [clean, x2]).map((c) => c.id), ['clean', 'x2']);
  assert.equal(sentOutput('restore', [clean, x4], detailed), 'detailed');
  assert.equal(sentOutput('restore', [x2], detailed), 'detailed');
  assert.equal(sentOutput('restore', [x4], detailed), undefined, 'a regressor alone has one result');
  assert.equal(sentOutput('restore', [x2], { ...detailed, output: null }), undefined, 'no pick: each card its default');
});

test('Inpaint: only its own model counts; a Detailed upscaler after a regressor inpaint model sends nothing', () => {
  assert.deepEqual(resultModels('inpaint', [inpaintRegressor, x2, x4]).map((c) => c.id), ['inpaint']);
  assert.equal(sentOutput('inpaint', [inpaintRegressor, x2, x4], detailed), undefined);
  assert.equal(runOptionsFor('inpaint', [inpaintRegressor, x2, x4], detailed)?.output, undefined);
  assert.equal(sentOutput('inpaint', [inpaintJump, x2, x4], detailed), 'detailed');
});

test('Sketch and Edit offer no choice, so a pick left from another tool is not sent', () => {
  assert.equal(resultModels('sketch', [sketch, x2]).length, 0);
  assert.equal(runOptionsFor('sketch', [sketch, x2], { ...detailed, output: 'faithful' })?.output, undefined);
  assert.equal(runOptionsFor('edit', [sketch], { ...detailed, output: 'faithful' })?.output, undefined);
});

test('Sketch: a saved seed near the top starts its variations low enough to stay seeds; the run is one main accepts', () => {
  for (const [seed, variations, sent] of [[MAX_SEED, 4, MAX_SEED - 3], [MAX_SEED, 1, MAX_SEED], [12, 4, 12]] as const) {
    const options = runOptionsFor('sketch', [sketch, x2], { ...detailed, seed, variations });
    assert.equal(options?.seed, sent, `seed ${seed}, ${variations} variations`);
    assert.equal(seedFor('sketch', { ...detailed, seed, variations }), sent, 'the Seed field shows the seed the run uses');
    assert.ok(isUiToMain({ type: 'run-request', runId: 1, toolTitle: 'Sketch', options }));
  }
  // Edit makes one result: the saved seed is the one it uses, up to the top
  assert.equal(seedFor('edit', { ...detailed, seed: MAX_SEED, variations: 4 }), MAX_SEED);
  assert.equal(runOptionsFor('edit', [sketch], { ...detailed, seed: MAX_SEED, variations: 4 })?.seed, MAX_SEED);
});

test("Steps: Restore's are bounded by every model of the chain; Inpaint's by its own model, not the upscalers after it", () => {
  const grid = (n: number) => ({ time: { sigma_max: 80, grid: Array.from({ length: n + 1 }, (_, i) => i / n), one_step: { t: 1, s: 0 } } });
  const fineInpaint = card('inpaint', 'inpaint', 'gctm', { source: { kind: 'inpaint', size: 64 }, ...grid(8) } as Partial<ModelCard>);
  const coarseX2 = card('x2', 'restore', 'gctm', grid(2) as Partial<ModelCard>);
  const fineClean = card('clean', 'restore', 'gctm', { source: { kind: 'clean' }, ...grid(8) } as Partial<ModelCard>);
  const six: Settings = { ...detailed, steps: 6 };
  assert.equal(runOptionsFor('inpaint', [fineInpaint, coarseX2], six)?.steps, 6);
  assert.equal(runOptionsFor('restore', [fineClean, coarseX2], six)?.steps, 2);
  assert.equal(runOptionsFor('inpaint', [fineInpaint, coarseX2], { ...six, steps: 0 })?.steps, 0, 'empty: the card default');
});
