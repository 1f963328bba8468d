// The Restore tool's size and clean-up choices resolve to the right chain of models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainTitle, choose, restoreChoices, settingsForChain } from '../../ui/panel/restore-choice';
import type { ModelCard } from '../../ui/engine/zoo';

function card(id: string, kind: string, scale: number, title = id): ModelCard {
  return {
    id, tool: 'restore', version: '1', title, summary: '', file: `${id}.onnx`, sha256: '0'.repeat(64), bytes: 1, multiple: 4,
    tile: { size: 256, overlap: 32 }, source: { kind, scale }, time: { sigma_max: 80, grid: [0, 1], one_step: { t: 1, s: 0 } },
  };
}

const x4 = card('restore-x4', 'upscale', 4, 'Upscale ×4');
const x2 = card('restore-x2', 'upscale', 2, 'Upscale ×2');
const clean = card('clean', 'clean', 1, 'Clean up');
const ids = (cs: ModelCard[]) => cs.map((c) => c.id);

test('sizes are ×1 (when a clean-up model exists) then the upscalers by scale', () => {
  assert.deepEqual(restoreChoices([x4, clean, x2]).sizes.map((s) => [s.id, s.label]), [['', '×1 (same size)'], ['restore-x2', '×2'], ['restore-x4', '×4']]);
  assert.deepEqual(restoreChoices([x4, x2]).sizes.map((s) => s.id), ['restore-x2', 'restore-x4']);
  assert.equal(restoreChoices([x4, x2]).cleaner, null);
});

test('two upscalers at one scale are named apart', () => {
  const tiny = card('tiny-random', 'upscale', 2, 'Tiny');
  assert.deepEqual(restoreChoices([x2, tiny]).sizes.map((s) => s.label), ['×2 · Upscale ×2', '×2 · Tiny']);
});

test('the chain: upscaler alone, clean-up first when ticked, clean-up alone at ×1', () => {
  const cards = [x2, x4, clean];
  assert.deepEqual(ids(choose(cards, { modelId: 'restore-x4', clean: false }).chain), ['restore-x4']);
  assert.deepEqual(ids(choose(cards, { modelId: 'restore-x4', clean: true }).chain), ['clean', 'restore-x4']);
  const same = choose(cards, { modelId: '', clean: false });
  assert.deepEqual(ids(same.chain), ['clean']);
  assert.ok(same.clean && same.cleanForced, '×1 has nothing to do but clean');
});

test('unknown or missing choices fall back to the smallest upscale; no clean-up model means no clean-up', () => {
  assert.deepEqual(ids(choose([x4, x2, clean], { modelId: null, clean: false }).chain), ['restore-x2']);
  assert.deepEqual(ids(choose([x4, x2, clean], { modelId: 'gone', clean: false }).chain), ['restore-x2']);
  assert.deepEqual(ids(choose([x4], { modelId: '', clean: true }).chain), ['restore-x4']);
  assert.deepEqual(ids(choose([clean], { modelId: null, clean: false }).chain), ['clean']);
  assert.deepEqual(choose([], { modelId: null, clean: true }).chain, []);
});

test('a stored chain maps back to the panel settings; titles join', () => {
  assert.deepEqual(settingsForChain([x2, x4, clean], ['clean', 'restore-x4']), { modelId: 'restore-x4', clean: true });
  assert.deepEqual(settingsForChain([x2, x4, clean], ['clean']), { modelId: '', clean: true });
  assert.deepEqual(settingsForChain([x2, x4, clean], ['restore-x2']), { modelId: 'restore-x2', clean: false });
  assert.equal(chainTitle([clean, x4]), 'Clean up + Upscale ×4');
});
