// The CLI as a user runs it: a child process on real files, with a zoo holding the tiny test model.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '../../ui/engine/codec';
import { parseArgs, UsageError } from '../../ui/engine/cli';

let dir = '';
let zoo = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'onestep-cli-'));
  zoo = join(dir, 'zoo');
  spawnSync('mkdir', [zoo]);
  for (const f of ['tiny-random.json', 'tiny-random.onnx']) copyFileSync(join('test/fixtures', f), join(zoo, f));
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/onestep.mjs', ...args, '--zoo', zoo], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('onestep models lists the zoo with summaries', () => {
  const r = cli('models');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /tiny-random\s+restore\s+Tiny random/);
  assert.match(r.out, /Random-weight ×2 restore model/);
  const json = JSON.parse(cli('models', '--json').out);
  assert.deepEqual(json.map((c: { id: string }) => c.id), ['tiny-random']);
});

test('onestep restore writes a ×2 PNG and --json reports sizes, model and stage timings', () => {
  const out = join(dir, 'out.png');
  const r = cli('restore', 'ui/standin/examples/Icon.png', '-o', out, '--json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.model, 'tiny-random');
  assert.deepEqual([report.input.width, report.output.width, report.output.height], [96, 192, 192]);
  for (const k of ['load', 'decode', 'prepare', 'infer', 'encode', 'write']) assert.ok(report.ms[k] >= 0, k);
  const img = decodePng(new Uint8Array(readFileSync(out)));
  assert.deepEqual([img.width, img.height, img.channels], [192, 192, 4], 'the icon keeps its alpha');
});

test('the same input and options give the same bytes (the CLI is deterministic)', () => {
  const a = join(dir, 'a.png'), b = join(dir, 'b.png');
  assert.equal(cli('tiny-random', 'ui/standin/examples/Pattern.png', '-o', a, '--steps', '2').code, 0);
  assert.equal(cli('restore', 'ui/standin/examples/Pattern.png', '-o', b, '--steps', '2', '--model', 'tiny-random').code, 0);
  assert.deepEqual(readFileSync(a), readFileSync(b));
});

test('--backend wasm (onnxruntime-web, as in Figma) gives the same image as the native cpu backend', () => {
  const a = join(dir, 'cpu.png'), b = join(dir, 'wasm.png');
  assert.equal(cli('restore', 'ui/standin/examples/Landscape.png', '-o', a).code, 0);
  const r = cli('restore', 'ui/standin/examples/Landscape.png', '-o', b, '--backend', 'wasm', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).backend, 'wasm');
  const x = decodePng(new Uint8Array(readFileSync(a))), y = decodePng(new Uint8Array(readFileSync(b)));
  let max = 0;
  for (let i = 0; i < x.data.length; i++) max = Math.max(max, Math.abs(x.data[i] - y.data[i]));
  assert.ok(max <= 1, `cpu vs wasm: max ${max} levels`);
  assert.equal(cli('restore', 'ui/standin/examples/Landscape.png', '-o', b, '--backend', 'gpu').code, 2);
});

test('bad input: corrupt PNG, missing file, unknown tool, wrong scale, option misuse', () => {
  const bad = join(dir, 'bad.png');
  writeFileSync(bad, readFileSync('ui/standin/examples/Pattern.png').subarray(0, 100));
  const corrupt = cli('restore', bad, '-o', join(dir, 'x.png'));
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.err, /could not be read/);
  assert.equal(existsSync(join(dir, 'x.png')), false, 'no output file on failure');
  assert.match(cli('restore', join(dir, 'none.png'), '-o', join(dir, 'x.png')).err, /cannot read .*ENOENT/);
  const unknown = cli('colorize', bad, '-o', join(dir, 'x.png'));
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no model for "colorize".*tiny-random/s);
  assert.match(cli('restore', bad, '-o', join(dir, 'x.png'), '--scale', '4').err, /at ×4/);
  assert.equal(cli('restore', bad, '-o', join(dir, 'x.png'), '--strength', '0.5').code, 2);
  assert.equal(cli('restore', bad, '-o', join(dir, 'x.png'), '--steps', '9').code, 2);
  assert.equal(cli('restore', bad).code, 2);
});

test('parseArgs rejects unknown options and non-numbers', () => {
  assert.throws(() => parseArgs(['restore', 'a.png', '-o', 'b.png', '--fast', '1']), UsageError);
  assert.throws(() => parseArgs(['restore', 'a.png', '-o', 'b.png', '--seed', 'x']), /must be a number/);
  assert.deepEqual(parseArgs(['models']).command, 'models');
});
