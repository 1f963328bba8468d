// `npm test`'s lanes: the models suite runs beside the others (whose output stays live), its output is
// kept whole and given back when it ends, and its failure counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain .mjs helper without types
import { BESIDE, planLanes, runBeside } from '../lanes.mjs';

const SUITES: [string, string][] = [['typecheck', 'a'], ['unit', 'b'], ['browser', 'c'], ['models', 'd']];

test('planLanes: models beside the rest; alone, or with --serial, everything in turn', () => {
  assert.equal(BESIDE, 'models');
  const all = planLanes(SUITES);
  assert.deepEqual(all.beside, ['models', 'd']);
  assert.deepEqual(all.inTurn.map(([n]: [string]) => n), ['typecheck', 'unit', 'browser']);
  const serial = planLanes(SUITES, { serial: true });
  assert.equal(serial.beside, undefined);
  assert.deepEqual(serial.inTurn.map(([n]: [string]) => n), ['typecheck', 'unit', 'browser', 'models']);
  const alone = planLanes([['models', 'd']]);
  assert.equal(alone.beside, undefined, 'a suite chosen alone prints as it goes');
  assert.deepEqual(planLanes([['unit', 'b'], ['browser', 'c']]).beside, undefined, 'no models suite: nothing beside');
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
