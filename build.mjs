// Builds the plugin: dist/code.js (Figma main thread, es2017, no DOM) and ONE dist/ui.html holding the
// panel, the engine worker, the ORT wasm (gzipped; inflated with DecompressionStream at start) and the
// zoo models. Also the Figma stand-in page used by `npm start` and the browser tests.
//
//   node build.mjs [--out dir] [--test-models] [--hosted]
//     --test-models  also inline test/fixtures/tiny-random (browser tests)
//     --fp32         inline the fp32 model files; by default a card's fp16-weight variant is inlined when it
//                    has one (half the size; it computes in fp32, and matches the golden output within 1 level)
//     --demo         like the default, but falls back to the test model when models/zoo is empty (npm start)
//     --hosted       the same UI for a secure origin: WebGPU-capable ORT, written to <out>/hosted/index.html
//     --hosted-url U also write <out>/hosted/figma-ui.html, the tiny UI Figma loads that navigates to U
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = dirname(fileURLToPath(import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'onestep');

function parseArgs(argv) {
  const args = { out: 'dist', testModels: false, hosted: false, demo: false, fp16Weights: true, hostedUrl: '' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') args.out = argv[++i];
    else if (argv[i] === '--test-models') args.testModels = true;
    else if (argv[i] === '--hosted') args.hosted = true;
    else if (argv[i] === '--demo') args.demo = true;
    else if (argv[i] === '--fp32') args.fp16Weights = false;
    else if (argv[i] === '--hosted-url') {
      args.hostedUrl = argv[++i];
      args.hosted = true;
      if (!/^https:\/\//.test(args.hostedUrl ?? '')) throw new Error('--hosted-url must be an https:// URL (WebGPU needs a secure context)');
    }
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return args;
}

/** gzip -9 of a file, cached by content hash (the 14 MB wasm takes seconds to compress). */
function gzipCached(path) {
  const bytes = readFileSync(path);
  const key = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const cached = join(CACHE, `${key}.gz`);
  if (existsSync(cached)) return readFileSync(cached);
  const gz = gzipSync(bytes, { level: 9 });
  mkdirSync(CACHE, { recursive: true });
  // written aside and renamed: two builds at once (npm test's lanes) never read a half-written file
  const partial = `${cached}.${process.pid}.partial`;
  writeFileSync(partial, gz);
  renameSync(partial, cached);
  return gz;
}

/** Cards and model files to inline; a card whose file is missing or whose sha256 differs stops the build. */
export function collectModels({ testModels, fp16Weights = false }) {
  const dirs = [join(ROOT, 'models', 'zoo')];
  if (testModels) dirs.push(join(ROOT, 'test', 'fixtures'));
  const models = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const isZoo = dir.endsWith('zoo');
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.json')) continue;
      // In fixtures only files beside an .onnx of the same name are cards (others are test vectors).
      if (!isZoo && !existsSync(join(dir, f.replace(/\.json$/, '.onnx')))) continue;
      let card = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      // The fp16-weight variant computes in fp32 (Casts after the weights), so it runs on any backend.
      if (fp16Weights && card.fp16_file) {
        card = { ...card, file: card.fp16_file, sha256: card.fp16_sha256, bytes: card.fp16_bytes, weights: 'fp16' };
      }
      const file = join(dir, card.file ?? '');
      if (!card.file || !existsSync(file)) throw new Error(`${f}: model file ${card.file} is missing`);
      const bytes = readFileSync(file);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== card.sha256) throw new Error(`${f}: sha256 of ${card.file} is ${digest}, the card says ${card.sha256}`);
      if (models.some((m) => m.card.id === card.id)) continue; // the zoo's copy wins over a fixture
      models.push({ card, path: file });
    }
  }
  return models;
}

const workerSourcePlugin = (source) => ({
  name: 'worker-source',
  setup(build) {
    build.onResolve({ filter: /^virtual:worker-source$/ }, () => ({ path: 'worker-source', namespace: 'virtual' }));
    build.onLoad({ filter: /.*/, namespace: 'virtual' }, () => ({ contents: `export default ${JSON.stringify(source)};`, loader: 'js' }));
  },
});

function scriptSafe(js) {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

async function bundle(options) {
  const result = await esbuild.build({ bundle: true, write: false, minify: true, legalComments: 'none', logLevel: 'warning', ...options });
  return result.outputFiles;
}

async function buildUi({ hosted, models }) {
  const alias = hosted ? { 'onnxruntime-web/wasm': 'onnxruntime-web/webgpu' } : {};
  const [worker] = await bundle({
    entryPoints: [join(ROOT, 'ui/engine/worker.ts')],
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    alias,
    // ORT's bundle reads import.meta.url only to find files we hand it as bytes instead.
    define: { 'import.meta.url': '""' },
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const outputs = await bundle({
    entryPoints: [join(ROOT, 'ui/index.tsx')],
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    plugins: [workerSourcePlugin(worker.text)],
  });
  const js = outputs.find((o) => o.path.endsWith('.js')).text;
  const css = outputs.find((o) => o.path.endsWith('.css'))?.text ?? '';
  const wasmFile = hosted ? 'ort-wasm-simd-threaded.asyncify.wasm' : 'ort-wasm-simd-threaded.wasm';
  const wasmGz = gzipCached(join(ROOT, 'node_modules/onnxruntime-web/dist', wasmFile));
  const cards = models.map((m) => m.card);
  const assets = [
    `<script type="application/octet-stream" id="onestep-ort-wasm" data-encoding="gzip">${wasmGz.toString('base64')}</script>`,
    ...models.map((m) => {
      // fp32 weights barely compress; inline them raw unless gzip saves at least a tenth.
      const raw = readFileSync(m.path);
      const gz = gzipCached(m.path);
      const useGz = gz.length < raw.length * 0.9;
      return `<script type="application/octet-stream" id="onestep-model-${m.card.id}"${useGz ? ' data-encoding="gzip"' : ''}>${(useGz ? gz : raw).toString('base64')}</script>`;
    }),
    `<script type="application/json" id="onestep-zoo">${asciiJson(cards)}</script>`,
  ];
  return asciiOnly([
    '<!doctype html>',
    `<html lang="en" data-flavour="${hosted ? 'hosted' : 'figma'}">`,
    '<head><meta charset="utf-8"><title>Onestep</title>',
    `<style>${css}</style></head>`,
    '<body><div id="app"></div>',
    ...assets,
    `<script>${scriptSafe(js)}</script>`,
    '</body></html>',
  ].join('\n'));
}

/** JSON for an inline script block: `<` escaped (no `</script>` inside), and every character past
 * ASCII written as \uXXXX, so the page stays ASCII (see asciiOnly). */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[<\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * ui.html must be pure ASCII: one character past it (a "×" in a card) makes the whole 20 MB page a
 * two-byte string in the JavaScript engine, and every copy of it (Figma's __html__, the post into the
 * plugin frame, the parse) then costs seconds instead of tens of milliseconds.
 */
function asciiOnly(html) {
  const at = html.search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`build: ui.html has a character past ASCII at ${at}: …${html.slice(Math.max(0, at - 40), at + 10)}…`);
  return html;
}

async function buildMain() {
  const [code] = await bundle({
    entryPoints: [join(ROOT, 'src/main.ts')],
    format: 'iife',
    platform: 'neutral',
    // Figma's main-thread VM: build conservatively (no object spread/rest, no newer syntax).
    target: 'es2017',
  });
  return code.text;
}

async function buildStandin() {
  const [host] = await bundle({
    entryPoints: [join(ROOT, 'ui/standin/host.ts')],
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: false,
  });
  return host.text;
}

export async function build(opts = {}) {
  const args = { out: 'dist', testModels: false, hosted: false, fp16Weights: true, ...opts };
  const out = resolve(ROOT, args.out);
  mkdirSync(out, { recursive: true });
  let models = collectModels(args);
  if (models.length === 0 && args.demo) {
    console.log('models/zoo is empty: the playground gets the random-weight test model instead');
    models = collectModels({ testModels: true, fp16Weights: args.fp16Weights });
  }
  const started = Date.now();
  const [code, html, host] = await Promise.all([buildMain(), buildUi({ hosted: false, models }), buildStandin()]);
  writeFileSync(join(out, 'code.js'), code);
  writeFileSync(join(out, 'ui.html'), html);
  mkdirSync(join(out, 'standin'), { recursive: true });
  writeFileSync(join(out, 'standin', 'host.js'), host);
  writeFileSync(join(out, 'standin', 'index.html'), readFileSync(join(ROOT, 'ui/standin/index.html')));
  if (args.hosted) {
    mkdirSync(join(out, 'hosted'), { recursive: true });
    writeFileSync(join(out, 'hosted', 'index.html'), await buildUi({ hosted: true, models }));
    if (args.hostedUrl) {
      // Figma's hosted-UI pattern: the plugin's own UI only navigates to the secure origin.
      writeFileSync(join(out, 'hosted', 'figma-ui.html'), `<!doctype html><script>location.href = ${JSON.stringify(args.hostedUrl)};</script>\n`);
    }
  }
  const mb = (n) => (n / 1048576).toFixed(2);
  console.log(
    `built ${args.out}/code.js (${mb(code.length)} MiB), ${args.out}/ui.html (${mb(html.length)} MiB, models: ${models.map((m) => m.card.id).join(', ') || 'none'})` +
      `${args.hosted ? `, ${args.out}/hosted/index.html` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { out, models };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  Promise.resolve()
    .then(() => build(parseArgs(process.argv.slice(2))))
    .catch((err) => {
      console.error(`build failed: ${err.message}`);
      process.exit(1);
    });
}
