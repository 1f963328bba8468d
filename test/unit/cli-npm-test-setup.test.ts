// `npm test` on a fresh Debian machine: it installs the Debian packages its suites need (root) or stops
// at once with the apt-get command (anyone else), from the one list in packages.debian.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs helper without types
import { aptInstall, neededBy, readPackages, setupPlan } from '../debian-packages.mjs';

type Pkg = { name: string; suites: string[] };

test('packages.debian holds every package CI installed, python3-opencv, and says which suite needs each', () => {
  const pkgs: Pkg[] = readPackages();
  const names = pkgs.map((p) => p.name);
  for (const n of ['chromium', 'python3-torch', 'python3-onnx', 'python3-numpy', 'python3-pil', 'python3-skimage', 'python3-pytest',
    'python3-opencv', 'mate-backgrounds', 'plasma-workspace-wallpapers']) assert.ok(names.includes(n), n);
  assert.deepEqual(neededBy(pkgs, ['browser']), ['chromium']);
  assert.ok(neededBy(pkgs, ['models']).includes('python3-torch') && !neededBy(pkgs, ['models']).includes('chromium'));
  assert.deepEqual(neededBy(pkgs, ['unit', 'typecheck']), [], 'unit and typecheck need no Debian package');
  assert.deepEqual(neededBy(pkgs, []), names, 'all suites: every package');
  // .ci/run keeps no list of its own: it only calls npm ci and npm test.
  const ci = readFileSync('.ci/run', 'utf8');
  for (const n of names) assert.ok(!ci.includes(n), `.ci/run names ${n}`);
  assert.match(ci, /^npm test$/m);
});

test('the plan: nothing missing runs on; root installs; anyone else stops with the exact apt-get command', () => {
  assert.deepEqual(setupPlan({ missing: [], isRoot: false }), { action: 'none' });
  const root = setupPlan({ missing: ['chromium', 'python3-opencv'], isRoot: true });
  assert.equal(root.action, 'install');
  assert.deepEqual(root.commands, [['apt-get', 'update', '-q'], aptInstall(['chromium', 'python3-opencv'])]);
  const user = setupPlan({ missing: ['chromium', 'python3-opencv'], isRoot: false });
  assert.equal(user.action, 'stop');
  assert.match(user.message, /sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium python3-opencv$/m);
  const other = setupPlan({ missing: null, needed: ['chromium'], isRoot: false });
  assert.equal(other.action, 'stop');
  assert.match(other.message, /Debian 12.*chromium/s);
});

test('npm test (run-all) acts on missing packages before any suite starts', (t) => {
  // A PATH where dpkg-query finds nothing installed and apt-get records its arguments and fails to install.
  const dir = mkdtempSync(join(tmpdir(), 'onestep-setup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'apt.log');
  writeFileSync(join(dir, 'dpkg-query'), '#!/bin/sh\nexit 1\n');
  writeFileSync(join(dir, 'apt-get'), `#!/bin/sh\necho "$@" >> ${log}\n[ "$1" = update ] && exit 0\nexit 100\n`);
  writeFileSync(join(dir, 'sudo'), `#!/bin/sh\necho "sudo $@" >> ${log}\nexit 1\n`);
  for (const f of ['dpkg-query', 'apt-get', 'sudo']) chmodSync(join(dir, f), 0o755);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['test/run-all.mjs', 'browser'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, ONESTEP_SKIP_PACKAGES: '', NODE_TEST_CONTEXT: '' },
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.ok(r.status !== null, `run-all did not stop at once (killed after ${Date.now() - t0} ms):\n${out.slice(-2000)}`);
  assert.notEqual(r.status, 0, out);
  assert.doesNotMatch(out, /=== browser/, 'no suite starts');
  if (process.getuid?.() === 0) {
    const calls = existsSync(log) ? readFileSync(log, 'utf8') : '';
    assert.match(calls, /^update -q$/m);
    assert.match(calls, /^install -y -q --no-install-recommends chromium$/m, 'only what the browser suite needs');
    assert.match(out, /apt-get install .*failed/);
  } else {
    assert.match(out, /sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium/);
    assert.ok(!existsSync(log), 'nothing is run on a user\'s behalf');
  }
});
