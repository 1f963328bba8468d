// The message contract and the user-facing message catalogue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMainToUi, isUiToMain, normaliseRunOptions, outputSize, resultSizeProblem, RESULT_MAX_SIDE, type ErrorCode } from '../../src/protocol';
import { MESSAGES, messageFor } from '../../src/messages';
import { parseCard, stepTimes, cardScale } from '../../ui/engine/zoo';
import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../ui/engine/sha256';
import { createHash } from 'node:crypto';

test('guards accept each side\'s messages and reject the rest', () => {
  assert.ok(isMainToUi({ type: 'init' }));
  assert.ok(isMainToUi({ type: 'job-request' }));
  assert.ok(!isMainToUi({ type: 'run-request' }), 'a UI message is not a main message');
  assert.ok(isUiToMain({ type: 'run-request' }));
  for (const junk of [null, undefined, 3, 'init', {}, { type: 5 }, { type: 'evil' }]) {
    assert.ok(!isMainToUi(junk) && !isUiToMain(junk), JSON.stringify(junk));
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
