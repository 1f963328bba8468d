// The Seed field of every tool: what is typed becomes the seed the engine uses (an unsigned 32-bit
// integer), never a value the engine would wrap onto another seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SEED } from '../../src/protocol';
import { clampSeed } from '../../ui/panel/SeedField';
import { mulberry32 } from '../../ui/engine/random';

test('a typed seed becomes a whole number the engine reads as itself', () => {
  assert.equal(clampSeed('42'), 42);
  assert.equal(clampSeed('7.9'), 7);
  for (const typed of ['', 'abc', 'NaN', 'Infinity']) assert.equal(clampSeed(typed), 0, typed);
  assert.equal(clampSeed('-1'), 0, 'the engine would read −1 as 4294967295');
  assert.equal(clampSeed('4294967296'), MAX_SEED, 'the engine would read 2^32 as 0');
  // the largest seed is still its own stream: unsigned 32-bit, as the engine reads it
  assert.notEqual(mulberry32(MAX_SEED)(), mulberry32(0)());
});

test('a tool that uses the seeds after this one (variations) keeps them in range', () => {
  assert.equal(clampSeed('4294967295', MAX_SEED - 8), MAX_SEED - 8);
  assert.equal(clampSeed('12', MAX_SEED - 8), 12);
});
