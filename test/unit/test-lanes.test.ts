// `npm test`'s lanes: the unit and models suites run one after the other beside the rest (whose output
// stays live), their output is kept whole and given back when they end, and their failures count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain .mjs helper without types
import { BESIDE, planLanes, runBeside, runLane } from '../lanes.mjs';

const SUITES: [string, string][] = [['typecheck', 'a'], ['unit', 'b'], ['browser', 'c'], ['models', 'd']];

const names = (suites: [string, string][]) => suites.map(([n]) => n);

test('planLanes: unit then models beside the rest; with --serial, or when a side would be empty, everything in turn', () => {
  assert.deepEqual(BESIDE, ['unit', 'models']);
  const all = planLanes(SUITES);
  assert.deepEqual(names(all.beside), ['unit', 'models']);
  assert.deepEqual(names(all.inTurn), ['typecheck', 'browser']);
  const serial = planLanes(SUITES, { serial: true });
  assert.deepEqual(serial.beside, []);
  assert.deepEqual(names(serial.inTurn), ['typecheck', 'unit', 'browser', 'models']);
  assert.deepEqual(planLanes([['models', 'd']]), { inTurn: [['models', 'd']], beside: [] }, 'a suite chosen alone prints as it goes');
  assert.deepEqual(names(planLanes([['models', 'd'], ['unit', 'b']]).inTurn), ['models', 'unit'], 'nothing left to run in turn: no lane');
  const two = planLanes([['unit', 'b'], ['browser', 'c']]);
  assert.deepEqual([names(two.inTurn), names(two.beside)], [['browser'], ['unit']]);
  assert.deepEqual(planLanes([['typecheck', 'a'], ['browser', 'c']]).beside, [], 'neither unit nor models: nothing beside');
});

test('runBeside: the whole output in order, the exit status, and a command that fails counts as a failure', async () => {
  const ok = await runBeside(['models', 'echo one; echo two >&2; echo three']);
  assert.equal(ok.ok, true);
  assert.equal(ok.output, 'one\ntwo\nthree\n');
  const bad = await runBeside(['models', 'echo before; exit 3']);
  assert.equal(bad.ok, false);
  assert.equal(bad.output, 'before\n');
  const missing = await runBeside(['models', 'no-such-command-anywhere-1234']);
  assert.equal(missing.ok, false);
  assert.match(missing.output, /not found/);
});

test('runBeside runs while the parent is held by the suites in turn', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'onestep-lanes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const flag = join(dir, 'beside-ran');
  const lane = runBeside(['models', `sleep 0.2; echo x > '${flag}'; echo done`]);
  // a suite in turn, holding this process as spawnSync does, that ends only once the lane has written
  const held = spawnSync(`for i in $(seq 300); do [ -f '${flag}' ] && exit 0; sleep 0.1; done; exit 1`, { shell: true });
  assert.equal(held.status, 0, 'the lane did not run while the parent was held');
  assert.equal((await lane).output, 'done\n');
});

test('runLane: its suites one after another, each run even after one fails, results in order', async () => {
  const results = await runLane([['unit', 'echo u; exit 1'], ['models', 'echo m']]);
  assert.deepEqual(results.map((r: { name: string; ok: boolean; output: string }) => [r.name, r.ok, r.output]), [['unit', false, 'u\n'], ['models', true, 'm\n']]);
});
