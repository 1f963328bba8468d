// `node --import ./bin/register-ts.mjs …` installs the TypeScript hooks (see ts-hooks.mjs).
import { register } from 'node:module';
register('./ts-hooks.mjs', import.meta.url);
