// `npm run bench:peer`: our ×4 upscaler against UpscalerJS's esrgan-slim ×4, in the SAME headless
// Chromium page, both on WebAssembly with one thread; everything is served from this machine.
//
//   node test/bench/peer.mjs [--model m.onnx] [--card m.json] [--json out.json] [--save DIR]
//                            [--config models/configs/restore-x4.toml] [--heldout DIR]
//                            [--size 256] [--big 512] [--reps 3] [--strict] [--write-card]
//
//   --model/--card  our model and its card (default models/zoo/restore-x4.onnx + .json; either one
//                   alone finds the other: the card's `file` beside it, or the .json beside the .onnx)
//   --config        held-out pairs come from `python3 -m gctm.heldout <config> --out <tmp>` (run in models/)
//   --heldout DIR   use pairs already written there instead
//   --size N        speed: N×N → 4N×4N for both upscalers (warm-up, then median of --reps)
//   --big N         ours only, N×N → 4N×4N: wall time and the renderer's peak memory (0 skips it)
//   --save DIR      also write every output image (bicubic, esrgan-slim, ours) as PNG
//   --strict        exit 1 when a target is not met
//   --write-card    record the comparison in the card (metrics.peer), for the README's tables
//
// Ours runs through the plugin's engine (ui/engine runPipeline: bicubic x1 → padded, feathered tiles →
// onnxruntime-web wasm, numThreads 1 → 8-bit), bundled for the page from test/bench/peer/page.ts.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage } from './bundle-page.mjs';
import { sampleRss } from '../helpers/rss.mjs';
import { launchBrowser } from '../helpers/browser.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NM = join(ROOT, 'node_modules');

const args = process.argv.slice(2);
const KNOWN = ['--model', '--card', '--json', '--save', '--config', '--heldout', '--size', '--big', '--reps'];
for (let i = 0; i < args.length; i++) {
  if (KNOWN.includes(args[i])) i++;
  else if (args[i] !== '--strict' && args[i] !== '--write-card') {
    console.error(`bench:peer: unknown option ${args[i]}`);
    process.exit(2);
  }
}
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SIZE = Number(opt('--size', '256'));
const BIG = Number(opt('--big', '512'));
const REPS = Math.max(1, Number(opt('--reps', '3')));
const CONFIG = opt('--config', 'models/configs/restore-x4.toml');
const JSON_OUT = opt('--json', '');
const SAVE = opt('--save', '');
const STRICT = args.includes('--strict');

/** Our model and card: explicit paths, or the zoo's restore-x4. */
function locateModel() {
  let model = opt('--model', '');
  let card = opt('--card', '');
  if (!model && !card) {
    model = join(ROOT, 'models/zoo/restore-x4.onnx');
    card = join(ROOT, 'models/zoo/restore-x4.json');
  } else if (!card) {
    card = model.replace(/\.onnx$/, '.json');
  } else if (!model) {
    model = join(dirname(card), JSON.parse(readFileSync(card, 'utf8')).file ?? '');
  }
  for (const [what, p] of [['card', card], ['model', model]]) {
    if (!existsSync(p)) throw new Error(`${what} ${p} is missing (pass --model path.onnx --card path.json)`);
  }
  return { model: resolve(model), card: resolve(card) };
}

function pkgVersion(name) {
  return JSON.parse(readFileSync(join(NM, name, 'package.json'), 'utf8')).version;
}

function cpuModel() {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return `${m ? m[1].trim() : cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} logical cores)`;
}

/** Held-out pairs written by the training code, into a temp dir (or an existing --heldout dir). */
function heldoutPairs(tmp) {
  let dir = opt('--heldout', '');
  if (!dir) {
    dir = join(tmp, 'heldout');
    const config = resolve(ROOT, CONFIG);
    const r = spawnSync('/usr/bin/python3', ['-m', 'gctm.heldout', config, '--out', dir], { cwd: join(ROOT, 'models'), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gctm.heldout failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  if (!index.pairs?.length) throw new Error(`${dir}/index.json lists no pairs`);
  return { dir: resolve(dir), index };
}


/** 127.0.0.1 only: the page, its bundle, the wasm binaries and models from node_modules, our model, the pairs. */
function serve({ js, model, heldoutDir }) {
  const requests = [];
  const mounts = {
    '/ort/': join(NM, 'onnxruntime-web/dist'),
    '/tfjs-wasm/': join(NM, '@tensorflow/tfjs-backend-wasm/dist'),
    '/esrgan-slim/models/x4/': join(NM, '@upscalerjs/esrgan-slim/models/x4'),
    '/heldout/': heldoutDir,
  };
  const types = { '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send('text/html; charset=utf-8', '<!doctype html><meta charset="utf-8"><title>peer bench</title><script src="/peer.js"></script>');
    if (path === '/peer.js') return send('text/javascript', js);
    if (path === '/ours/model.onnx') return send('application/octet-stream', readFileSync(model));
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const name = path.slice(prefix.length);
      const file = join(dir, name);
      if (name.includes('..') || name.includes('/') || !existsSync(file) || !statSync(file).isFile()) break;
      return send(types[extname(file)] ?? 'application/octet-stream', readFileSync(file));
    }
    res.writeHead(404);
    res.end('not found');
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, requests, origin: `http://127.0.0.1:${server.address().port}` })));
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** Warm-up run(s), then `reps` timed runs of each upscaler, interleaved so both see the same machine load. */
async function timeRuns(page, whos, size) {
  const runs = Object.fromEntries(whos.map((w) => [w, []]));
  const warmup = {};
  for (const who of whos) warmup[who] = await page.evaluate((o) => window.peer.speedRun(o), { who, size });
  for (let i = 0; i < REPS; i++) {
    for (const who of whos) runs[who].push(await page.evaluate((o) => window.peer.speedRun(o), { who, size }));
  }
  return Object.fromEntries(
    whos.map((who) => {
      const r = runs[who];
      const output = [r[0].width, r[0].height];
      const upscaleMs = median(r.map((x) => x.upscale));
      const wallMs = median(r.map((x) => x.wall));
      return [who, { input: [size, size], output, warmup: warmup[who], runs: r, upscaleMs, wallMs, msPerMp: upscaleMs / MP(...output), wallMsPerMp: wallMs / MP(...output) }];
    }),
  );
}

// ---- formatting ----

const MP = (w, h) => (w * h) / 1e6;
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtDb = (v) => (Number.isFinite(v) ? v.toFixed(2) : String(v));
const MB = (b) => `${(b / 1e6).toFixed(0)} MB`;

function table(head, rows) {
  const all = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

async function openPage(context, origin, init) {
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.peer, null, { timeout: 60_000 });
  const info = await page.evaluate((o) => window.peer.init(o), init).catch((err) => {
    throw new Error(`${err.message}\n${logs.join('\n')}`);
  });
  return { page, logs, info };
}

async function main() {
  const started = performance.now();
  const paths = locateModel();
  const cardJson = JSON.parse(readFileSync(paths.card, 'utf8'));
  const scale = cardJson.source?.scale;
  if (cardJson.source?.kind !== 'upscale' || scale !== 4) throw new Error(`${paths.card}: not a ×4 upscaler (source ${JSON.stringify(cardJson.source)})`);
  const tmp = mkdtempSync(join(tmpdir(), 'onestep-peer-'));
  const { dir: heldoutDir, index } = heldoutPairs(tmp);
  const js = await bundlePage(join(ROOT, 'test/bench/peer/page.ts'));
  const { server, requests, origin } = await serve({ js, model: paths.model, heldoutDir });
  const versions = {
    upscaler: pkgVersion('upscaler'),
    esrganSlim: pkgVersion('@upscalerjs/esrgan-slim'),
    tfjs: pkgVersion('@tensorflow/tfjs'),
    tfjsBackendWasm: pkgVersion('@tensorflow/tfjs-backend-wasm'),
    onnxruntimeWeb: pkgVersion('onnxruntime-web'),
  };
  const device = cpuModel();
  const ours = { card: cardJson, modelUrl: '/ours/model.onnx', ortWasmUrl: '/ort/ort-wasm-simd-threaded.wasm' };
  const peerInit = { modelUrl: `${origin}/esrgan-slim/models/x4/model.json`, wasmDir: `${origin}/tfjs-wasm/` };

  const browser = await launchBrowser();
  const external = [];
  // Nothing may leave the machine: any request not to our server is refused and counted.
  await browser.context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    external.push(url);
    return route.abort();
  });

  const result = { device, versions, model: paths, heldout: { config: CONFIG, dir: opt('--heldout', '') ? heldoutDir : null, task: index.task, scale: index.scale, pairs: index.pairs.length } };
  try {
    // 1. One page with both upscalers: quality on the held-out pairs, then warm speed at SIZE.
    const a = await openPage(browser.context, origin, { ...ours, peer: peerInit });
    result.ours = { ...a.info.ours, model: basename(paths.model) };
    result.peer = { ...a.info.peer, model: '@upscalerjs/esrgan-slim/4x', patchSize: null };
    const per = [];
    for (const p of index.pairs) {
      const q = await a.page.evaluate((o) => window.peer.quality(o), { source: `/heldout/${p.source}`, target: `/heldout/${p.target}`, save: !!SAVE });
      for (const [who, ok] of Object.entries(q.sizeOk)) {
        if (!ok) throw new Error(`${p.name}: ${who} output is ${q.sizes[who].join('×')}, the target is ${q.sizes.target.join('×')}`);
      }
      if (SAVE) {
        mkdirSync(SAVE, { recursive: true });
        for (const [who, b64] of Object.entries(q.png)) writeFileSync(join(SAVE, `${p.source.replace(/-source\.png$/, '')}-${who}.png`), Buffer.from(b64, 'base64'));
      }
      per.push({ name: p.name, source: q.sizes.source, target: q.sizes.target, psnr: q.psnr });
    }
    const mean = (k) => per.reduce((s, r) => s + r.psnr[k], 0) / per.length;
    result.psnr = { images: per, mean: { bicubic: mean('bicubic'), peer: mean('peer'), ours: mean('ours') } };

    const sp = await timeRuns(a.page, ['peer', 'ours'], SIZE);
    result.speed = { size: [SIZE, SIZE], reps: REPS, interleaved: true, peer: sp.peer, ours: sp.ours };
    result.speed.ratio = result.speed.ours.msPerMp / result.speed.peer.msPerMp;
    result.pageLog = [...(await a.page.evaluate(() => window.peer.log())), ...a.logs];
    await a.page.close();

    // 2. A fresh page with ours alone (its own renderer, no TF.js heap): BIG → 4·BIG, wall time and peak RSS.
    if (BIG > 0) {
      const b = await openPage(browser.context, origin, { ...ours, peer: null });
      const sampler = sampleRss(100);
      const { ours: big } = await timeRuns(b.page, ['ours'], BIG);
      const mem = sampler.stop();
      result.big = {
        ...big,
        memory: {
          method: `VmRSS from /proc/<pid>/status of every Chromium renderer process, sampled every 100 ms from node over the warm-up and ${REPS} timed runs; the page's renderer is the one that grew most`,
          ...mem,
        },
      };
      result.pageLog.push(...(await b.page.evaluate(() => window.peer.log())), ...b.logs);
      await b.page.close();
    }
  } finally {
    await browser.close();
    await new Promise((r) => (server.close(r), server.closeAllConnections()));
    rmSync(tmp, { recursive: true, force: true }); // holds the generated pairs (empty with --heldout)
  }
  result.requests = {
    external,
    wasm: [...new Set(requests.filter((r) => r.endsWith('.wasm')))],
    models: [...new Set(requests.filter((r) => r.endsWith('.onnx') || r.includes('/esrgan-slim/')))],
  };
  if (external.length) throw new Error(`the page tried to reach: ${external.join(', ')}`);

  // ---- targets ----
  const GB = 1e9;
  const t = [];
  const psnrOk = result.psnr.mean.ours >= result.psnr.mean.peer;
  t.push({ target: 'ours PSNR >= esrgan-slim PSNR', value: `${fmtDb(result.psnr.mean.ours)} vs ${fmtDb(result.psnr.mean.peer)} dB`, met: psnrOk });
  t.push({ target: 'ours ms/MP < 0.5 × esrgan-slim ms/MP', value: `${result.speed.ours.msPerMp.toFixed(0)} vs ${result.speed.peer.msPerMp.toFixed(0)} (ratio ${result.speed.ratio.toFixed(2)})`, met: result.speed.ratio < 0.5 });
  if (result.big) {
    t.push({ target: `${BIG}→${4 * BIG} under 4 s (PNG in → PNG out)`, value: fmtMs(result.big.wallMs), met: result.big.wallMs < 4000 });
    t.push({ target: 'peak renderer memory under 1.5 GB', value: MB(result.big.memory.peakBytes), met: result.big.memory.peakBytes < 1.5 * GB });
  }
  result.targets = t;
  result.seconds = (performance.now() - started) / 1000;

  // ---- report ----
  const o = result.ours;
  const p = result.peer;
  const out = [];
  out.push('Peer benchmark: Onestep ×4 vs UpscalerJS esrgan-slim ×4 — same headless Chromium page, WASM, one thread');
  out.push(`device   ${device}; Chromium ${await browserVersion()}`);
  out.push(`ours     ${o.card} ${o.version} (${o.model}) · onnxruntime-web ${o.ort} · backend ${o.backend} · numThreads ${o.numThreads} · crossOriginIsolated ${o.crossOriginIsolated}`);
  out.push(`peer     upscaler ${versions.upscaler} + @upscalerjs/esrgan-slim ${versions.esrganSlim} (4x, whole image, no patches) · tfjs ${p.tfjs} · tfjs-backend-wasm ${p.tfjsBackendWasm}`);
  out.push(`         tf.getBackend() = ${p.backend} · threads ${p.threads} · SIMD ${p.simd} · multithread ${p.multithread}`);
  out.push(`served   wasm: ${result.requests.wasm.join(', ')}; external requests: ${external.length}`);
  out.push('');
  out.push(`Quality: PSNR in dB against the ×4 ground truth, 8-bit RGB, all pixels, no border shave (held-out pairs of ${CONFIG})`);
  out.push(
    table(
      ['image', 'source → target', 'bicubic', 'esrgan-slim', 'ours'],
      [
        ...result.psnr.images.map((r) => [r.name, `${r.source.join('×')} → ${r.target.join('×')}`, fmtDb(r.psnr.bicubic), fmtDb(r.psnr.peer), fmtDb(r.psnr.ours)]),
        ['mean', `${result.psnr.images.length} images`, fmtDb(result.psnr.mean.bicubic), fmtDb(result.psnr.mean.peer), fmtDb(result.psnr.mean.ours)],
      ],
    ),
  );
  out.push('');
  const s = result.speed;
  out.push(`Speed: warm (one warm-up run each, then the median of ${REPS} runs, esrgan-slim and ours interleaved); ms per output megapixel`);
  const rows = [
    ['esrgan-slim', `${s.size.join('×')} → ${s.peer.output.join('×')}`, fmtMs(s.peer.upscaleMs), s.peer.msPerMp.toFixed(0), '', ''],
    ['ours', `${s.size.join('×')} → ${s.ours.output.join('×')}`, fmtMs(s.ours.upscaleMs), s.ours.msPerMp.toFixed(0), fmtMs(s.ours.wallMs), String(s.ours.runs[0].tiles)],
  ];
  if (result.big) {
    const bg = result.big;
    rows.push(['ours', `${bg.input.join('×')} → ${bg.output.join('×')}`, fmtMs(bg.upscaleMs), bg.msPerMp.toFixed(0), fmtMs(bg.wallMs), String(bg.runs[0].tiles)]);
  }
  out.push(table(['upscaler', 'input → output', 'upscale', 'ms/MP', 'PNG→PNG wall', 'tiles'], rows));
  out.push(`ratio ours / esrgan-slim (ms/MP at ${s.size.join('×')}): ${s.ratio.toFixed(2)}`);
  out.push('  upscale = pixels in → float pixels out: esrgan-slim Upscaler.execute(int32 tensor, {output: "tensor"}) + tensor.data();');
  out.push('            ours runPipeline stages prepare (bicubic x1) + infer (tiles + ORT). PNG→PNG wall: the whole runPipeline call.');
  if (result.big) {
    const m = result.big.memory;
    out.push('');
    out.push(`Memory, ours ${result.big.input.join('×')} → ${result.big.output.join('×')} in a fresh page: peak renderer RSS ${MB(m.peakBytes)} (${MB(m.idleBytes)} with the model loaded, before the runs; all ${m.renderers} renderers together peaked at ${MB(m.peakSumBytes)})`);
    out.push(`  ${m.method}; ${m.samples} samples, renderer pid ${m.pid}`);
  }
  out.push('');
  out.push('Targets');
  out.push(table(['target', 'value', ''], t.map((r) => [r.target, r.value, r.met ? 'met' : 'not met'])));
  out.push('');
  out.push(`one run took ${result.seconds.toFixed(0)} s`);
  console.log(out.join('\n'));
  for (const l of result.pageLog) if (!/^\[(log|debug|info)\]/.test(l)) console.log(`page: ${l}`);
  if (JSON_OUT) {
    mkdirSync(dirname(resolve(JSON_OUT)), { recursive: true });
    writeFileSync(JSON_OUT, JSON.stringify(result, null, 2));
    console.log(`wrote ${JSON_OUT}`);
  }
  if (args.includes('--write-card')) writeCard(result, device);
  if (STRICT && t.some((r) => !r.met)) process.exit(1);
}

/** metrics.peer in our card: the numbers of this run, so the README's tables come from the cards. */
function writeCard(result, device) {
  const { card: cardPath } = locateModel();
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  const r2 = (v) => Math.round(v * 100) / 100;
  card.metrics = card.metrics ?? {};
  card.metrics.peer = {
    what: 'npm run bench:peer: the same headless Chromium page, WASM, one thread; PSNR on the held-out pairs (8-bit RGB, all pixels)',
    date: new Date().toISOString().slice(0, 10),
    device,
    peer: `upscaler ${result.versions.upscaler} + @upscalerjs/esrgan-slim ${result.versions.esrganSlim} (TF.js ${result.versions.tfjs} wasm)`,
    ours: `onnxruntime-web ${result.versions.onnxruntimeWeb} wasm`,
    images: result.psnr.images.length,
    psnr: { bicubic: r2(result.psnr.mean.bicubic), esrgan_slim: r2(result.psnr.mean.peer), ours: r2(result.psnr.mean.ours) },
    ms_per_output_mp: { size: result.speed.size, esrgan_slim: Math.round(result.speed.peer.msPerMp), ours: Math.round(result.speed.ours.msPerMp), ratio: Math.round(result.speed.ratio * 100) / 100 },
    ...(result.big ? { big: { input: result.big.input, output: result.big.output, wall_ms: Math.round(result.big.wallMs), peak_rss_mb: Math.round(result.big.memory.peakBytes / 1e6) } } : {}),
    targets: result.targets.map((x) => ({ target: x.target, value: x.value, met: x.met })),
  };
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  console.log(`wrote metrics.peer into ${cardPath}`);
}

async function browserVersion() {
  const r = spawnSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
  return (r.stdout || '').trim().replace(/^Chromium\s+/, '') || 'unknown';
}

main().catch((err) => {
  console.error(`bench:peer failed: ${err.message}`);
  process.exit(1);
});
