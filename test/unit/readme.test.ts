// The README's promises that code can check: the two commands first, and a model table that matches the cards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { peerTable, zooTable } from '../../ui/engine/cli';
import { readCards } from '../../ui/engine/node';

const readme = readFileSync('README.md', 'utf8');

test('README starts with the two commands', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1];
  assert.match(firstBlock.split('\n')[0], /^npm install && npm start/);
  assert.match(firstBlock.split('\n')[1], /^npm test/);
});

test('README model table matches models/zoo (npm run readme rewrites it)', () => {
  const table = /<!-- zoo-table -->\n([\s\S]*?)\n<!-- \/zoo-table -->/.exec(readme)?.[1];
  assert.ok(table, 'README has the zoo-table markers');
  assert.equal(table, zooTable(readCards('models/zoo')), 'stale table: run `npm run readme`');
});

test('README peer comparison matches the cards (npm run readme rewrites it)', () => {
  const table = /<!-- peer-table -->\n([\s\S]*?)\n<!-- \/peer-table -->/.exec(readme)?.[1];
  assert.ok(table, 'README has the peer-table markers');
  assert.equal(table, peerTable(readCards('models/zoo')), 'stale table: run `npm run readme`');
});
