// `npm run bench`: speed, measured in one run (ratios only compare numbers from this run and machine).
// For each model in the build, in headless Chromium on the Figma stand-in (WASM, one thread):
//   model load, ms per output megapixel, plugin round trip (run request → commitUndo) / bare inference;
// and the same engine through the CLI (onnxruntime-node): process wall time / bare inference.
// Then the speed goals of Sketch → image and Inpaint (test/bench/tools.mjs), measured / goal, and the
// panel's opening time with the page users get (test/bench/open.mjs).
//   node test/bench/bench.mjs [--dist dist/bench] [--size 256x192] [--model id] [--webgpu]
//                             [--only restore|sketch|inpaint|open[,…]] [--reps 3]
//   --only   the parts to run (default all): restore = the models above, sketch and inpaint = their goals,
//            open = showUI to the panel ready
//   --reps   timed runs after the first one and a pause (test/bench/settle.mjs); their median is the
//            warm number (sketch and inpaint: compared with the goal)
// e.g. the case: npm run bench -- --size 512x512 --model restore-x4 (a 2048×2048 result)
//      npm run bench -- --only sketch,inpaint
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encode } from 'fast-png';
import { build } from '../../build.mjs';
import { launchBrowser, openPlayground, runTool, TIMEOUTS } from '../helpers/browser.mjs';
import { sampleRss } from '../helpers/rss.mjs';
import { settle, SETTLE_MS } from './settle.mjs';
import { benchOpen } from './open.mjs';
import { benchTools, medianRun } from './tools.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const DIST = opt('--dist', 'dist/bench');
const [W, H] = opt('--size', '256x192').split('x').map(Number);
const WEBGPU = args.includes('--webgpu');
const ONLY = opt('--model', '');
const PARTS = ['restore', 'sketch', 'inpaint', 'open'];
const ONLY_PARTS = opt('--only', PARTS.join(',')).split(',').filter(Boolean);
for (const p of ONLY_PARTS) {
  if (!PARTS.includes(p)) {
    console.error(`bench: --only ${p}: the parts are ${PARTS.join(', ')}`);
    process.exit(2);
  }
}
const REPS = Math.max(1, Number(opt('--reps', '3')));

/** A deterministic test image with edges, gradients and texture. */
function benchPng(w, h) {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const check = (Math.floor(x / 16) + Math.floor(y / 16)) % 2;
      data[i] = 128 + 100 * Math.sin(x / 9);
      data[i + 1] = check ? 200 : 60;
      data[i + 2] = (x * 255) / w;
    }
  }
  return encode({ width: w, height: h, data, depth: 8, channels: 3 });
}

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** One run of the tool on the layer, timed from the panel's request to main's undo step. */
async function timedRun(page, ui, card) {
  const before = await page.evaluate(() => ({ log: window.standin.uiLog.length, commits: window.standin.commitTimes.length }));
  await runTool(page, ui, 'Bench', card.id);
  await page.waitForFunction((n) => window.standin.commitTimes.length > n, before.commits, { timeout: TIMEOUTS.run * 5 });
  const r = await page.evaluate((b) => {
    const log = window.standin.uiLog.slice(b.log);
    const start = log.find((m) => m.type === 'run-request').at;
    const result = log.find((m) => m.type === 'job-result');
    return { roundTrip: window.standin.commitTimes[b.commits] - start, ...result.info };
  }, before);
  await page.evaluate(() => window.standin.undo());
  return r;
}

/**
 * The first run right after the panel opens (what a user who runs at once waits), then, after the
 * browser has settled (settle.mjs), `REPS` runs: the median run by inference is the warm number a user
 * sees on every later run.
 */
async function browserRun(context, card, png, hosted = false) {
  const pg = await openPlayground(context, DIST, { hosted, model: card.id });
  try {
    const { page, ui } = pg;
    await page.evaluate((bytes) => window.standin.addImageLayer('Bench', new Uint8Array(bytes), 40, 700), Array.from(png));
    const rss = sampleRss(100);
    const first = await timedRun(page, ui, card);
    await settle();
    const runs = [];
    for (let i = 0; i < REPS; i++) runs.push(await timedRun(page, ui, card));
    const memory = rss.stop();
    const warm = medianRun(runs, (r) => r.timings.infer);
    const backend = await ui.locator('[data-testid=done]').innerText().catch(() => '');
    return { first, warm, runs, backend, memory };
  } finally {
    await pg.page.close();
    await pg.close();
  }
}

function cliRun(card, pngPath, zooDir, backend = 'cpu') {
  const out = join(tmpdir(), `onestep-bench-${card.id}.png`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/onestep.mjs', card.id, pngPath, '-o', out, '--json', '--zoo', zooDir, '--backend', backend], { encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
  return { wall, report: JSON.parse(r.stdout) };
}

async function main() {
  const restore = ONLY_PARTS.includes('restore');
  const tools = ONLY_PARTS.filter((p) => p === 'sketch' || p === 'inpaint');
  const built = restore ? await build({ out: DIST, testModels: true, hosted: WEBGPU }) : { models: [] };
  // this part times the Restore tool's models; Sketch and Inpaint have parts of their own (their goals
  // are whole-tool cases: a sketch chained through the upscalers, a hole in a large photo)
  const restoreModels = built.models.filter((m) => m.card.tool === 'restore');
  const other = ONLY && built.models.find((m) => m.card.id === ONLY && !restoreModels.includes(m));
  if (other) throw new Error(`--model ${ONLY} is the ${other.card.tool} tool's model: its speed goals are measured by --only ${other.card.tool}`);
  const models = ONLY ? restoreModels.filter((m) => m.card.id === ONLY) : restoreModels;
  if (restore && models.length === 0) throw new Error(ONLY ? `no model ${ONLY} in the build` : 'no models to benchmark');
  const dir = mkdtempSync(join(tmpdir(), 'onestep-bench-'));
  const pngPath = join(dir, 'bench.png');
  const png = benchPng(W, H);
  writeFileSync(pngPath, png);
  if (restore) console.log(`Onestep bench: input ${W}×${H}, headless Chromium (Figma-like frame, WASM one thread) and CLI (onnxruntime-node)\n`);
  else console.log(`Onestep bench: ${ONLY_PARTS.join(', ')} (--only), headless Chromium, WASM one thread\n`);
  const browser = await launchBrowser({ webgpu: WEBGPU });
  const rows = [];
  let toolRows = [];
  let open = null;
  try {
    for (const { card, path } of models) {
      // The CLI reads every card in its zoo folder: give it one holding just this model.
      const zooDir = join(dir, `zoo-${card.id}`);
      mkdirSync(zooDir, { recursive: true });
      mkdirSync(dirname(join(zooDir, card.file)), { recursive: true }); // fp16 variants live in fp16/
      copyFileSync(path, join(zooDir, card.file));
      writeFileSync(join(zooDir, `${card.id}.json`), JSON.stringify(card));
      const { first: cold, warm, memory } = await browserRun(browser.context, card, png);
      const mp = (warm.width * warm.height) / 1e6;
      const cli = cliRun(card, pngPath, zooDir);
      const cliWasm = cliRun(card, pngPath, zooDir, 'wasm');
      const row = {
        id: card.id,
        out: `${warm.width}×${warm.height}`,
        load: cold.timings.load,
        coldRoundTrip: cold.roundTrip,
        coldInfer: cold.timings.infer,
        infer: warm.timings.infer,
        msPerMp: warm.timings.infer / mp,
        roundTrip: warm.roundTrip,
        ratio: warm.roundTrip / warm.timings.infer,
        cliWall: cli.wall,
        cliInfer: cli.report.ms.infer,
        cliRatio: cli.wall / cli.report.ms.infer,
        cliInProcess: Object.values(cli.report.ms).reduce((a, b) => a + b, 0) / cli.report.ms.infer,
        cliWasmInfer: cliWasm.report.ms.infer,
        peakRendererMb: memory.peakBytes / 1e6,
      };
      if (WEBGPU) {
        const gpu = await browserRun(browser.context, card, png, true);
        row.webgpuInfer = gpu.warm.timings.infer;
      }
      rows.push(row);
      console.log(`${card.id}${card.id === 'tiny-random' ? ' (random weights, test model)' : ''} → ${row.out}`);
      console.log(`  first run, right after the panel opens: round trip ${fmt(row.coldRoundTrip)}`);
      const stages = (t) => ['queued', 'load', 'decode', 'prepare', 'infer', 'encode'].map((k) => `${k} ${fmt(t[k] ?? 0)}`).join(', ');
      console.log(`    engine stages, first run: ${stages(cold.timings)}`);
      console.log(`    engine stages, ${SETTLE_MS / 1000} s later (median of ${REPS}): ${stages(warm.timings)}`);
      console.log(`  inference, WASM 1 thread                 ${fmt(row.infer)}  = ${row.msPerMp.toFixed(0)} ms per output megapixel`);
      console.log(`  plugin round trip (request → undo step)  ${fmt(row.roundTrip)}  = ${row.ratio.toFixed(3)} × inference (goal < 1.15)`);
      console.log(`  peak renderer memory (VmRSS, /proc)      ${row.peakRendererMb.toFixed(0)} MB over all its runs (the renderer that grew most)`);
      console.log(`  CLI process wall time                    ${fmt(row.cliWall)}  = ${row.cliRatio.toFixed(2)} × its inference (${fmt(row.cliInfer)}); in-process stages ${row.cliInProcess.toFixed(3)} ×`);
      console.log(`  backends: native cpu (CLI) ${fmt(row.cliInfer)}, wasm 1 thread in Node ${fmt(row.cliWasmInfer)}, wasm in the Figma-like frame ${fmt(row.infer)}`);
      console.log(`            native cpu is ${(row.infer / row.cliInfer).toFixed(2)} × faster than the frame; Node wasm / frame wasm = ${(row.cliWasmInfer / row.infer).toFixed(2)}`);
      if (row.webgpuInfer) console.log(`  WebGPU (hosted build) vs WASM            ${(row.webgpuInfer / row.infer).toFixed(2)} × the WASM time`);
      console.log('');
    }
    if (tools.length > 0) toolRows = await benchTools(browser.context, { parts: tools, reps: REPS, dir });
    // its own build, after the others: the page users get, not the bench's test-model build
    if (ONLY_PARTS.includes('open')) open = await benchOpen(browser.context, { reps: REPS, dist: `${DIST}-open` });
  } finally {
    await browser.close();
  }
  if (rows.length > 1) {
    const base = rows[0];
    console.log('Tool vs tool (ms per output megapixel, WASM):');
    for (const r of rows) console.log(`  ${r.id.padEnd(20)} ${r.msPerMp.toFixed(0).padStart(8)}  (${(r.msPerMp / base.msPerMp).toFixed(2)} × ${base.id})`);
  }
  mkdirSync(DIST, { recursive: true });
  writeFileSync(join(DIST, 'bench.json'), JSON.stringify({ input: [W, H], parts: ONLY_PARTS, rows, tools: toolRows, open }, null, 2));
}

main().catch((err) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
