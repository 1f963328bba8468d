// The benchmark scripts as a user starts them (`npm run bench`, `npm run bench:peer`): each must load
// its whole module graph, TypeScript engine modules included, before it reads its options. A bad
// option is the cheapest way to reach that point without running a benchmark: the script answers it
// with exit status 2 and its own message, where a script that cannot load dies with another error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function npmRun(script: string, args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', script, '--', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

test('npm run bench loads and refuses an unknown part', () => {
  const r = npmRun('bench', ['--only', 'no-such-part']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--only no-such-part: the parts are restore, sketch, inpaint/);
});

test('npm run bench:peer loads and refuses an unknown option', () => {
  const r = npmRun('bench:peer', ['--no-such-option']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bench:peer: unknown option --no-such-option/);
});

test('npm run bench times the Restore models only: a Sketch or Inpaint model is pointed to its own part', () => {
  const r = npmRun('bench', ['--model', 'inpaint', '--dist', 'dist/bench-test']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /--model inpaint is the inpaint tool's model: its speed goals are measured by --only inpaint/);
});
