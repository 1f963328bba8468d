// Rewrites the model tables in README.md from models/zoo's cards (`npm run readme`): the restore
// models' table, then the sketch and inpaint tables (bin/zoo-tables.mjs).
import { register } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

register('./ts-hooks.mjs', import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { peerTable, zooTable } = await import(resolve(root, 'ui/engine/cli.ts'));
const { readCards } = await import(resolve(root, 'ui/engine/node.ts'));
const { readmeZooTables } = await import(resolve(root, 'bin/zoo-tables.mjs'));
const path = resolve(root, 'README.md');
const readme = readFileSync(path, 'utf8');
const cards = readCards(resolve(root, 'models/zoo'));
const next = readme
  .replace(/<!-- zoo-table -->[\s\S]*?<!-- \/zoo-table -->/, `<!-- zoo-table -->\n${readmeZooTables(cards, zooTable)}\n<!-- /zoo-table -->`)
  .replace(/<!-- peer-table -->[\s\S]*?<!-- \/peer-table -->/, `<!-- peer-table -->\n${peerTable(cards)}\n<!-- /peer-table -->`);
writeFileSync(path, next);
console.log(next === readme ? 'README.md model table is up to date' : 'README.md model table rewritten');
