// The message contract and the user-facing message catalogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMainToUi, isUiToMain, MAX_SEED, normaliseRunOptions, normaliseSeed, outputSize, resultSizeProblem, RESULT_MAX_SIDE, type ErrorCode } from '../../src/protocol';
import { gaussian } from '../../ui/engine/random';
import { MESSAGES, messageFor } from '../../src/messages';
import { parseCard, stepTimes, cardScale, effectiveOutput } from '../../ui/engine/zoo';
import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../ui/engine/sha256';
import { createHash } from 'node:crypto';

test('guards accept each side\'s messages and reject the rest', () => {
  assert.ok(isMainToUi({ type: 'init' }));
  assert.ok(isMainToUi({ type: 'job-request' }));
  assert.ok(!isMainToUi({ type: 'run-request' }), 'a UI message is not a main message');
  assert.ok(isUiToMain({ type: 'close' }));
  for (const junk of [null, undefined, 3, 'init', {}, { type: 5 }, { type: 'evil' }, { type: 'toString' }, { type: '__proto__' }]) {
    assert.ok(!isMainToUi(junk) && !isUiToMain(junk), JSON.stringify(junk));
  }
});

const png = () => new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0]);
const OPTIONS = { modelIds: ['clean', 'restore-x4'], scale: 4, steps: 0, seed: 0, strength: 1, placement: 'beside' };
/** One valid message of each kind the UI sends. */
const VALID: Record<string, Record<string, unknown>> = {
  'run-request': { type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'Clean up + Upscale ×4' },
  'job-result': {
    type: 'job-result', jobId: 3, backend: 'wasm', timings: { infer: 12.5 },
    results: [{ width: 6000, height: 100, pieces: [{ x: 0, y: 0, width: 3000, height: 100, png: png() }, { x: 3000, y: 0, width: 3000, height: 100, png: png() }] }],
  },
  'job-failed': { type: 'job-failed', jobId: 3, code: 'decode-failed', detail: 'bad PNG' },
  cancel: { type: 'cancel', runId: 2 },
  'save-settings': { type: 'save-settings', settings: { modelId: null, clean: true, steps: 2, seed: 0, strength: 1, placement: 'replace' } },
  resize: { type: 'resize', width: 320, height: 520 },
};

/** Changes each field main uses to something malformed: every one must be dropped. */
const BAD: Array<[string, string, (m: any) => void]> = [
  ['run-request', 'runId not a number', (m) => (m.runId = '1')],
  ['run-request', 'runId fractional', (m) => (m.runId = 1.5)],
  ['run-request', 'no options', (m) => delete m.options],
  ['run-request', 'no models', (m) => (m.options.modelIds = [])],
  ['run-request', 'a model id not a string', (m) => (m.options.modelIds = [7])],
  ['run-request', 'too many models', (m) => (m.options.modelIds = Array(50).fill('x'))],
  ['run-request', 'scale 0', (m) => (m.options.scale = 0)],
  ['run-request', 'scale negative', (m) => (m.options.scale = -2)],
  ['run-request', 'scale NaN', (m) => (m.options.scale = NaN)],
  ['run-request', 'scale Infinity', (m) => (m.options.scale = Infinity)],
  ['run-request', 'scale huge', (m) => (m.options.scale = 1e6)],
  ['run-request', 'scale a string', (m) => (m.options.scale = '4')],
  ['run-request', 'steps negative', (m) => (m.options.steps = -1)],
  ['run-request', 'steps huge', (m) => (m.options.steps = 1e9)],
  ['run-request', 'seed fractional', (m) => (m.options.seed = 0.5)],
  ['run-request', 'seed negative (the engine would read −1 as 4294967295)', (m) => (m.options.seed = -1)],
  ['run-request', 'seed past 32 bits (the engine would read 2^32 as 0)', (m) => (m.options.seed = 2 ** 32)],
  ['run-request', 'variations whose last seed is past 32 bits', (m) => ((m.options.seed = 0xffffffff - 2), (m.options.tool = 'sketch'), (m.options.variations = 4))],
  ['run-request', 'strength above 1', (m) => (m.options.strength = 2)],
  ['run-request', 'unknown placement', (m) => (m.options.placement = 'over')],
  ['run-request', 'no title', (m) => delete m.toolTitle],
  ['run-request', 'title too long', (m) => (m.toolTitle = 'x'.repeat(10_000))],
  ['job-result', 'jobId missing', (m) => delete m.jobId],
  ['job-result', 'a negative seed', (m) => (m.results[0].seed = -3)],
  ['job-result', 'width 0', (m) => (m.results[0].width = 0)],
  ['job-result', 'width over the limit', (m) => (m.results[0].width = 9000)],
  ['job-result', 'area over the limit', (m) => ((m.results[0].width = 8000), (m.results[0].height = 8000))],
  ['job-result', 'height fractional', (m) => (m.results[0].height = 100.5)],
  ['job-result', 'no pieces', (m) => (m.results[0].pieces = [])],
  ['job-result', 'pieces not an array', (m) => (m.results[0].pieces = { 0: m.results[0].pieces[0] })],
  ['job-result', 'a piece without bytes', (m) => delete m.results[0].pieces[0].png],
  ['job-result', 'a piece with a string for bytes', (m) => (m.results[0].pieces[0].png = 'abc')],
  ['job-result', 'a piece over 4096 px', (m) => ((m.results[0].pieces = [{ x: 0, y: 0, width: 6000, height: 100, png: png() }]))],
  ['job-result', 'a piece outside the result', (m) => (m.results[0].pieces[1].x = 3001)],
  ['job-result', 'a piece at a negative position', (m) => (m.results[0].pieces[0].x = -1)],
  ['job-result', 'overlapping pieces', (m) => ((m.results[0].pieces[1].x = 2000), (m.results[0].pieces[0].width = 3000), (m.results[0].width = 5000))],
  ['job-result', 'pieces that leave a gap', (m) => (m.results[0].pieces[1].width = 2999)],
  ['job-result', 'a piece with zero width', (m) => (m.results[0].pieces[1].width = 0)],
  ['job-result', 'backend not a string', (m) => (m.backend = null)],
  ['job-result', 'timings not numbers', (m) => (m.timings = { infer: 'fast' })],
  ['job-result', 'no results', (m) => (m.results = [])],
  ['job-result', 'more results than variations', (m) => (m.results = Array.from({ length: 9 }, () => m.results[0]))],
  ['job-result', 'a seed that is not a whole number', (m) => (m.results[0].seed = 1.5)],
  ['job-result', 'a sketch that is not bytes', (m) => (m.sketch = 'abc')],
  ['run-request', 'unknown tool', (m) => (m.options.tool = 'paint')],
  ['run-request', 'variations over the limit', (m) => (m.options.variations = 9)],
  ['run-request', 'a colour that is not #rrggbb', (m) => (m.options.color = 'red')],
  ['run-request', 'latent strength over 2', (m) => (m.options.latentStrength = 2.5)],
  ['save-settings', 'unknown tool', (m) => (m.settings.tool = 'paint')],
  ['save-settings', 'edit strength 0', (m) => (m.settings.editStrength = 0)],
  ['job-failed', 'unknown code', (m) => (m.code = 'evil')],
  ['job-failed', 'detail not a string', (m) => (m.detail = { x: 1 })],
  ['cancel', 'runId a string', (m) => (m.runId = 'all')],
  ['save-settings', 'settings missing', (m) => delete m.settings],
  ['save-settings', 'clean not a boolean', (m) => (m.settings.clean = 'yes')],
  ['save-settings', 'steps negative', (m) => (m.settings.steps = -3)],
  ['save-settings', 'modelId a number', (m) => (m.settings.modelId = 3)],
  ['save-settings', 'unknown placement', (m) => (m.settings.placement = 1)],
  ['save-settings', 'unknown result', (m) => (m.settings.output = 'sharp')],
  ['run-request', 'unknown result', (m) => (m.options.output = 'sharp')],
  ['resize', 'width NaN', (m) => (m.width = NaN)],
  ['resize', 'height huge', (m) => (m.height = 1e6)],
];

test('UI → main: a well-formed message of each kind is accepted', () => {
  for (const [type, m] of Object.entries(VALID)) assert.ok(isUiToMain(structuredClone(m)), type);
  assert.ok(isUiToMain({ type: 'cancel', runId: null }), 'cancel whatever runs');
  for (const output of ['faithful', 'detailed']) {
    const run = structuredClone(VALID["run-request"]) as Record<string, any>;
    run.options.output = output;
    assert.ok(isUiToMain(run), `run with ${output}`);
    const save = structuredClone(VALID["save-settings"]) as Record<string, any>;
    save.settings.output = output;
    assert.ok(isUiToMain(save), `settings with ${output}`);
  }
  const older = structuredClone(VALID["save-settings"]) as Record<string, any>;
  delete older.settings.output;
  assert.ok(isUiToMain(older), 'settings saved before the result choice existed');
});

test('UI → main: every field main uses is checked; a malformed message is dropped', () => {
  for (const [type, what, spoil] of BAD) {
    const m = structuredClone(VALID[type]);
    spoil(m);
    assert.equal(isUiToMain(m), false, `${type}: ${what} was accepted`);
  }
});

test('result size limits: floor like torch, refuse beyond the maximum', () => {
  assert.deepEqual(outputSize(101, 33, 2), { width: 202, height: 66 });
  assert.deepEqual(outputSize(5, 5, 1.5), { width: 7, height: 7 });
  assert.equal(resultSizeProblem(4096, 4096), null);
  assert.equal(resultSizeProblem(RESULT_MAX_SIDE + 1, 10), 'too-large');
  assert.equal(resultSizeProblem(8000, 8000), 'too-large', 'over the pixel budget');
  assert.equal(resultSizeProblem(0, 10), 'no-pixels');
});

test('every error code has a message that says what to do, within Figma\'s 100 characters', () => {
  for (const [code, text] of Object.entries(MESSAGES)) {
    assert.ok(text.length > 20 && text.length <= 100, `${code}: ${text.length} characters`);
  }
  const long = messageFor('too-large' as ErrorCode, 'A'.repeat(200));
  assert.equal(long.length, 100);
  assert.ok(long.endsWith('\u2026'));
  assert.match(messageFor('no-pixels', 'Frame 1'), /^“Frame 1”: /);
});

test('model cards: the tiny card parses, broken cards name their first bad field', () => {
  const card = parseCard(JSON.parse(readFileSync('test/fixtures/tiny-random.json', 'utf8')));
  assert.equal(cardScale(card), 2);
  const bad = (patch: object) => () => parseCard({ ...card, ...patch });
  assert.throws(bad({ sha256: 'xyz' }), /sha256/);
  assert.throws(bad({ tile: { size: 30, overlap: 8 } }), /multiple/);
  assert.throws(bad({ time: { ...card.time, grid: [1, 0] } }), /increase/);
  assert.throws(bad({ source: {} }), /source.kind/);
  assert.throws(bad({ source: { ...card.source, sigma_p_scale: 3 } }), /sigma_p_scale must divide/);
  assert.throws(bad({ source: { ...card.source, sigma_p_scale: 0.5 } }), /sigma_p_scale must be a positive whole/);
  assert.equal(parseCard({ ...card, source: { ...card.source, sigma_p_scale: 2 } }).source.sigma_p_scale, 2);
});

test('step schedule: one step is (1, 0); k steps walk the grid down to 0', () => {
  const card = parseCard(JSON.parse(readFileSync('test/fixtures/tiny-random.json', 'utf8')));
  assert.deepEqual(stepTimes(card, 1), [{ t: 1, s: 0 }]);
  const g = card.time.grid;
  const four = stepTimes(card, 4);
  assert.deepEqual(four.map((p) => [p.t, p.s]), [[g[4], g[3]], [g[3], g[2]], [g[2], g[1]], [g[1], g[0]]]);
  const two = stepTimes(card, 2);
  assert.equal(two[0].t, 1);
  assert.equal(two.at(-1)!.s, 0);
  assert.equal(two[0].s, two[1].t, 'steps chain');
  assert.equal(stepTimes(card, 99).length, g.length - 1, 'capped by the grid');
});

test('step schedule: Faithful is one evaluation of the denoiser output at s = t; models without g stay Detailed', () => {
  const card = parseCard(JSON.parse(readFileSync('test/fixtures/tiny-random.json', 'utf8')));
  assert.deepEqual(stepTimes(card, 4, 'faithful'), [{ t: 1, s: 1, output: 'g' }]);
  assert.deepEqual(stepTimes(card, 1, 'detailed'), [{ t: 1, s: 0 }]);
  assert.equal(effectiveOutput(card, undefined), 'detailed');
  assert.equal(effectiveOutput({ ...card, default_output: 'faithful' }, undefined), 'faithful');
  const older = { ...card, outputs: undefined };
  assert.equal(effectiveOutput(older, 'faithful'), 'detailed');
  assert.deepEqual(stepTimes(older, 1, 'faithful'), [{ t: 1, s: 0 }]);
  assert.throws(() => parseCard({ ...card, default_output: 'sharp' }), /default_output/);
  assert.throws(() => parseCard({ ...card, outputs: ['g'] }), /outputs/);
});

test('sha256 in JS equals node:crypto (block boundaries included)', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100_003]) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), `n=${n}`);
  }
});

test('run options stored before chains (one modelId) still read back as a chain', () => {
  assert.deepEqual(normaliseRunOptions({ modelId: 'restore-x2', scale: 2, steps: 1, seed: 0, strength: 1, placement: 'replace' }),
    { modelIds: ['restore-x2'], scale: 2, steps: 1, seed: 0, strength: 1, placement: 'replace' });
  assert.deepEqual(normaliseRunOptions({ modelIds: ['clean', 'restore-x4'], scale: 4 }),
    { modelIds: ['clean', 'restore-x4'], scale: 4, steps: 0, seed: 0, strength: 1, placement: 'beside' });
  assert.equal(normaliseRunOptions({ scale: 2 }), null);
  assert.equal(normaliseRunOptions('junk'), null);
});

test('a seed stored before seeds were bounded reads back as the seed that draws the same noise', () => {
  for (const [stored, seed] of [[-1, MAX_SEED], [2 ** 32 + 5, 5], [-(2 ** 32) + 7, 7], [12, 12]]) {
    const options = normaliseRunOptions({ modelIds: ['sketch'], scale: 1, seed: stored, tool: 'sketch', variations: 1 });
    assert.equal(options?.seed, seed, `stored ${stored}`);
    assert.ok(isUiToMain({ type: 'run-request', runId: 1, toolTitle: 'Sketch', options }), 'and is sent as it is');
    assert.deepEqual(gaussian(6, seed), gaussian(6, stored), 'the noise the engine drew for the stored seed');
  }
  assert.equal(normaliseSeed(0.5), null);
  assert.equal(normaliseSeed('3'), null);
  assert.equal(normaliseRunOptions({ modelIds: ['sketch'], scale: 1, seed: 'x' }), null);
});
