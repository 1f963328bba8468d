// Node module hooks that let the CLI and the unit tests import the TypeScript sources directly
// (Node 20 cannot strip types itself). esbuild transforms one file at a time; nothing is bundled.
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';

const EXTENSIONS = ['.ts', '.tsx'];

function tryFile(path) {
  return existsSync(path) && statSync(path).isFile();
}

export async function resolve(specifier, context, nextResolve) {
  // Sources import each other without extensions (esbuild's bundler resolution): add them back here.
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  if (relative && context.parentURL && context.parentURL.startsWith('file:')) {
    const base = fileURLToPath(new URL(specifier, context.parentURL));
    if (!tryFile(base)) {
      for (const ext of EXTENSIONS) {
        if (tryFile(base + ext)) return { url: pathToFileURL(base + ext).href, shortCircuit: true };
      }
      for (const ext of EXTENSIONS) {
        const index = `${base}/index${ext}`;
        if (tryFile(index)) return { url: pathToFileURL(index).href, shortCircuit: true };
      }
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (EXTENSIONS.some((ext) => url.endsWith(ext))) {
    const path = fileURLToPath(url);
    const source = await readFile(path, 'utf8');
    const out = await transform(source, {
      loader: url.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: path,
      jsx: 'automatic',
      jsxImportSource: 'preact',
    });
    return { format: 'module', source: out.code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
