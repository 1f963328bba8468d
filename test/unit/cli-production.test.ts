// A production install (`npm ci --omit=dev`) leaves a working CLI: every package it loads at run time is
// in `dependencies`, and the CLI runs from a tree holding only what such an install holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));

/** 'a/b/c' → 'a', '@s/a/b' → '@s/a'. */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

test('every package the CLI imports (the launcher, the TypeScript loader, the engine) is a dependency, not a devDependency', async () => {
  const result = await build({
    entryPoints: ['bin/onestep.mjs', 'bin/ts-hooks.mjs', 'ui/engine/cli.ts'],
    bundle: true,
    write: false,
    outdir: 'unused',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const imported = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const i of input.imports) if (i.external && !i.path.startsWith('node:')) imported.add(packageOf(i.path));
  }
  for (const name of ['esbuild', 'onnxruntime-node', 'onnxruntime-web', 'fast-png', '@jsquash/jpeg', '@jsquash/webp']) {
    assert.ok(imported.has(name), `the CLI was expected to import ${name} (found: ${[...imported].join(', ')})`);
  }
  for (const name of imported) {
    assert.ok(pkg.dependencies?.[name], `${name} is imported by the CLI at run time but is not in "dependencies"`);
    assert.equal(pkg.devDependencies?.[name], undefined, `${name} is in both`);
    assert.match(pkg.dependencies[name], /^\d+\.\d+\.\d+$/, `${name}: an exact version`);
  }
});

test('the CLI runs from a production tree: only the lockfile\'s non-dev packages (what npm ci --omit=dev installs)', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'onestep-prod-'));
  t.after(() => rmSync(root, { recursive: true, force: true })); // the links only, never what they point to
  // The package's files that the CLI uses (the zoo comes from the fixtures).
  for (const path of ['package.json', 'bin', 'src', 'ui/engine']) cpSync(path, join(root, path), { recursive: true });
  const zoo = join(root, 'models/zoo');
  mkdirSync(zoo, { recursive: true });
  for (const f of ['tiny-random.json', 'tiny-random.onnx']) cpSync(join('test/fixtures', f), join(zoo, f));
  // node_modules: a link to each installed top-level package that npm ci --omit=dev keeps (not "dev": true).
  let kept = 0;
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) {
    if (!path.startsWith('node_modules/') || path.slice('node_modules/'.length).includes('/node_modules/') || entry.dev) continue;
    if (!existsSync(path)) continue; // an optional package for another platform
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(resolve(path), join(root, path), 'dir');
    kept++;
  }
  assert.ok(!existsSync(join(root, 'node_modules/typescript')) && !existsSync(join(root, 'node_modules/playwright-core')), 'dev packages are left out');
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(root, 'bin/onestep.mjs'), ...args], { encoding: 'utf8', cwd: root });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const models = run('models');
  assert.equal(models.code, 0, `${kept} packages linked; ${models.err}`);
  assert.match(models.out, /tiny-random/);
  const icon = resolve('ui/standin/examples/Icon.png');
  for (const [out, extra] of [['out.png', []], ['out.webp', ['--backend', 'wasm']], ['out.jpg', []]] as const) {
    const r = run('restore', icon, '-o', join(root, out), '--json', ...extra);
    assert.equal(r.code, 0, `${out}: ${r.err}`);
    assert.equal(JSON.parse(r.out).output.width, 192);
  }
  // And back in: the WebP result as input.
  const again = run('restore', join(root, 'out.webp'), '-o', join(root, 'again.png'), '--json');
  assert.equal(again.code, 0, again.err);
  assert.equal(JSON.parse(again.out).input.format, 'webp');
});
