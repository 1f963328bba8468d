#!/usr/bin/env node
// The onestep CLI. It runs the TypeScript engine sources directly (see ts-hooks.mjs), so it needs no
// build step: `node bin/onestep.mjs restore in.png -o out.png`.
import { register } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

register('./ts-hooks.mjs', import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { main } = await import(resolve(root, 'ui/engine/cli.ts'));
// The zoo is found from the package, not the working directory, unless --zoo says otherwise.
process.exitCode = await main(
  process.argv.slice(2),
  { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
  { defaultZoo: resolve(root, 'models/zoo') },
);
