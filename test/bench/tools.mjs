// The sketch and inpaint parts of `npm run bench` (test/bench/bench.mjs --only sketch|inpaint): each
// tool's speed goals, measured in one run and printed as measured / goal (never asserted).
//
// The plugin's engine, bundled for a headless Chromium page (test/bench/tools/page.ts, as bench:peer
// does), on onnxruntime-web's wasm build with one thread, the binary the plugin inlines; the models
// as the plugin ships them (build.mjs collectModels: a card's fp16-weight variant when it has one).
//   sketch   heldout-sketch-1F34E.png → 512×512: runVariations over sketchChain(cards, sketch, 512 / size),
//            one result (goal < 1 s) and 4 variations in one call (goal < 2 s)
//   inpaint  runInpaint on a 1024×1024 photo with a 10 % hole (goal < 1.5 s) and on a 4000×3000 photo
//            with a 60×40 hole (goal < 3 s; only the hole's crop goes through the model): each case as
//            the CLI runs it (a mask PNG of the photo's size) and as the plugin does (the mask from the
//            shape's own export, the result encoded in pieces of Figma's image size)
// Each case: one first run (it pays for ORT's kernel compilation, which the panel's preload pays for
// the user), then a pause for the browser's optimised code (settle.mjs) and the median of `reps`
// runs; the goal ratio is the median's. The zoo's model of the
// tool when there is one, else its random-weight fixture (test/fixtures/tiny-*, said in the output).
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage } from './bundle-page.mjs';
import { collectModels } from '../../build.mjs';
import { sampleRss } from '../helpers/rss.mjs';
import { settle } from './settle.mjs';
import { decodePng, encodePng } from '../../ui/engine/codec.ts';
import { fromPlanes, toPlanes } from '../../ui/engine/image/raw.ts';
import { resizeBicubic } from '../../ui/engine/image/resize.ts';
import * as inpaintTool from '../../ui/engine/tools/inpaint.ts';
import { sketchChain } from '../../ui/engine/tools/sketch.ts';
import { parseCard } from '../../ui/engine/zoo.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORT_WASM = join(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm');
const SKETCH_PNG = 'test/fixtures/heldout-sketch-1F34E.png';
const PHOTO_PNG = 'test/fixtures/heldout-photo-128.png';
const FIXTURES = { sketch: 'test/fixtures/tiny-sketch.json', inpaint: 'test/fixtures/tiny-inpaint.json' };

/** The speed goals (seconds, PNG in → PNG out, warm). */
export const GOALS = { sketch512: 1, sketch4: 2, inpaint1024: 1.5, inpaint4000: 3 };

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
/** The run whose `value(run)` is nearest the median of all the runs' (the median run itself when their count is odd). */
export const medianRun = (runs, value) => {
  const m = median(runs.map(value));
  return runs.reduce((best, r) => (Math.abs(value(r) - m) < Math.abs(value(best) - m) ? r : best));
};
const stages = (t) => ['decode', 'prepare', 'infer', 'encode'].map((k) => `${k} ${fmt(t[k] ?? 0)}`).join(', ');
const rel = (p) => relative(ROOT, p);

/** The tool's model: the zoo's card (as the plugin ships it), else the random-weight fixture. */
function toolModel(tool, zoo) {
  const shipped = zoo.find((m) => m.card.tool === tool);
  if (shipped) return { ...shipped, fixture: false };
  const cardPath = join(ROOT, FIXTURES[tool]);
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  return { card, path: join(dirname(cardPath), card.file), fixture: true };
}

function modelWords(m) {
  const size = m.card.source.size;
  return m.fixture
    ? `${m.card.id} (FIXTURE: random weights, ${size} px, ${rel(m.path)}; no ${m.card.tool} model in models/zoo, so these are NOT the shipped model's numbers)`
    : `${m.card.id} ${m.card.version}${m.card.weights === 'fp16' ? ' (fp16 weights)' : ''}, ${size} px`;
}

// ---- inputs ----

/** 8-bit RGB photo, w × h: the held-out 128² photo resized (bicubic) to `side`, mirrored tiles of it beyond, plus fixed grain. */
function photo(base, side, w, h) {
  const n = w * h;
  const data = new Uint8Array(n * 3);
  let seed = 20261130;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  for (let y = 0; y < h; y++) {
    const ty = Math.floor(y / side) % 2 ? side - 1 - (y % side) : y % side;
    for (let x = 0; x < w; x++) {
      const tx = Math.floor(x / side) % 2 ? side - 1 - (x % side) : x % side;
      const grain = (rand() - 0.5) * 8; // ±4 levels, as camera noise: the PNG is not unnaturally small
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[(ty * side + tx) * 3 + c] + grain)));
    }
  }
  return encodePng({ width: w, height: h, channels: 3, depth: 8, data });
}

/** A shape's export as the plugin's main thread sends it: an opaque w × h RGBA PNG, placed at the hole. */
function layerPng(hole) {
  return encodePng({ width: hole.w, height: hole.h, channels: 4, depth: 8, data: new Uint8Array(hole.w * hole.h * 4).fill(255) });
}

/** Grey mask PNG, 255 = hole, one rectangle. */
function maskPng(w, h, hole) {
  const data = new Uint8Array(w * h);
  for (let y = hole.y; y < hole.y + hole.h; y++) data.fill(255, y * w + hole.x, y * w + hole.x + hole.w);
  return encodePng({ width: w, height: h, channels: 1, depth: 8, data });
}

function makeInputs(dir) {
  const src = toPlanes(decodePng(readFileSync(join(ROOT, PHOTO_PNG))));
  const side = 1024;
  const rgb = resizeBicubic(src.rgb, 3, src.width, src.height, side, side);
  const base = fromPlanes({ width: side, height: side, rgb, alpha: null }).data;
  const cases = {
    inpaint1024: { w: 1024, h: 1024, hole: { x: 380, y: 340, w: 324, h: 324 } },
    inpaint4000: { w: 4000, h: 3000, hole: { x: 2610, y: 1290, w: 60, h: 40 } },
  };
  const out = {};
  for (const [name, c] of Object.entries(cases)) {
    writeFileSync(join(dir, `${name}.png`), photo(base, side, c.w, c.h));
    writeFileSync(join(dir, `${name}-mask.png`), maskPng(c.w, c.h, c.hole));
    writeFileSync(join(dir, `${name}-layer.png`), layerPng(c.hole));
    out[name] = { ...c, png: `/in/${name}.png`, mask: `/in/${name}-mask.png`, layer: `/in/${name}-layer.png`, share: (c.hole.w * c.hole.h) / (c.w * c.h) };
  }
  return out;
}

// ---- page ----


/** 127.0.0.1 only: the page, its bundle, the ORT wasm, the models by id, the inputs. */
function serve({ js, models, inputDir }) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (type, body) => {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send('text/html; charset=utf-8', '<!doctype html><meta charset="utf-8"><title>tools bench</title><script src="/tools.js"></script>');
    if (path === '/tools.js') return send('text/javascript', js);
    if (path === '/favicon.ico') return (res.writeHead(204), res.end());
    if (path === '/ort.wasm') return send('application/wasm', readFileSync(ORT_WASM));
    const model = /^\/model\/([\w.-]+)$/.exec(path);
    if (model && models.has(model[1])) return send('application/octet-stream', readFileSync(models.get(model[1])));
    if (path === '/sketch.png') return send('image/png', readFileSync(join(ROOT, SKETCH_PNG)));
    const input = /^\/in\/([\w-]+\.png)$/.exec(path);
    if (input && existsSync(join(inputDir, input[1]))) return send('image/png', readFileSync(join(inputDir, input[1])));
    res.writeHead(404);
    res.end('not found');
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${server.address().port}` })));
}

async function openPage(context, origin) {
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.toolsBench, null, { timeout: 60_000 });
  const call = (fn, arg) =>
    page.evaluate(([f, a]) => window.toolsBench[f](a), [fn, arg]).catch((err) => {
      throw new Error(`${fn}: ${err.message}\n${logs.slice(-20).join('\n')}`);
    });
  const info = await call('init', { ortWasmUrl: '/ort.wasm' });
  return { page, logs, call, info };
}

/** A first run, then, after the browser has settled (settle.mjs), the median of `reps` runs of the same call. */
async function timed(call, fn, arg, reps) {
  const first = await call(fn, arg);
  await settle();
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await call(fn, arg));
  return { first, runs, wall: median(runs.map((r) => r.wall)), typical: medianRun(runs, (r) => r.wall) };
}

const row = (label, value) => `  ${label.padEnd(45)} ${value}`;
const goalLine = (label, wall, goal) => row(label, `${fmt(wall).padStart(7)}  = ${(wall / 1000 / goal).toFixed(2)} × the goal (< ${goal} s)`);

// ---- parts ----

async function sketchPart(pg, zoo, reps) {
  const m = toolModel('sketch', zoo);
  const card = parseCard(m.card);
  const size = card.source.size;
  const scale = 512 / size;
  const ups = zoo.filter((z) => z.card.tool === 'restore');
  const chain = Number.isInteger(scale) ? sketchChain(ups.map((z) => parseCard(z.card)), card, scale) : null;
  console.log(`sketch → image: ${modelWords(m)}`);
  if (!chain) {
    const have = ups.map((z) => z.card.id).join(', ') || 'none';
    console.log(`  no chain of the zoo's upscalers (${have}) takes ${size} px to 512 px (×${scale}): not measured\n`);
    return { tool: 'sketch', model: card.id, fixture: m.fixture, measured: false };
  }
  const ids = chain.map((c) => c.id);
  const opened = [];
  for (const id of ids) {
    if (opened.some((o) => o.id === id)) continue;
    const entry = id === card.id ? m : ups.find((z) => z.card.id === id);
    opened.push(await pg.call('open', { card: entry.card, url: `/model/${id}` }));
  }
  await pg.call('load', { urls: ['/sketch.png'] });
  const rss = sampleRss(100);
  const one = await timed(pg.call, 'sketch', { chain: ids, png: '/sketch.png', count: 1, seed: 1 }, reps);
  const four = await timed(pg.call, 'sketch', { chain: ids, png: '/sketch.png', count: 4, seed: 1 }, reps);
  const memory = rss.stop();
  const r = one.typical;
  console.log(`  ${SKETCH_PNG} (128×128, read as ${r.kind}) → ${ids.join(' → ')} = ${r.width}×${r.height} (×${scale} after the ${size} px model)`);
  console.log(`  sessions opened in ${opened.map((o) => `${o.id} ${fmt(o.loadMs)}`).join(', ')} (the panel preloads them); backend ${r.backend}`);
  console.log(`  first run: one result ${fmt(one.first.wall)} (ORT compiles its kernels; the panel's preload pays that), 4 variations ${fmt(four.first.wall)}`);
  console.log(`    engine stages, median run: one result ${stages(r.timings)}`);
  console.log(`                               4 variations ${stages(four.typical.timings)}`);
  console.log(goalLine(`one result, ${r.width}×${r.height} (runVariations count 1)`, one.wall, GOALS.sketch512));
  console.log(goalLine(`4 variations at once, ${four.typical.width}×${four.typical.height} each`, four.wall, GOALS.sketch4));
  console.log(row('4 variations / one result', `${(four.wall / one.wall).toFixed(2)} × (4 separate runs: 4 ×)`));
  console.log(row('peak renderer memory (VmRSS, /proc)', `${(memory.peakBytes / 1e6).toFixed(0)} MB over both cases`));
  if (m.fixture) console.log('  (random-weight fixture model: the chain and the upscalers are real, the sketch model\'s cost is not)');
  console.log('');
  return {
    tool: 'sketch',
    model: card.id,
    fixture: m.fixture,
    chain: ids,
    out: [r.width, r.height],
    load: opened,
    one: { first: one.first.wall, runs: one.runs.map((x) => x.wall), median: one.wall, timings: r.timings, goal: GOALS.sketch512, ratio: one.wall / 1000 / GOALS.sketch512 },
    four: { first: four.first.wall, runs: four.runs.map((x) => x.wall), median: four.wall, timings: four.typical.timings, goal: GOALS.sketch4, ratio: four.wall / 1000 / GOALS.sketch4 },
    peakRendererMb: memory.peakBytes / 1e6,
  };
}

async function inpaintPart(pg, zoo, reps, inputs) {
  const m = toolModel('inpaint', zoo);
  const card = parseCard(m.card);
  // The chain the panel and the CLI run: the model, then the zoo's restore upscalers for scaled-down
  // fills (tools/inpaint.ts inpaintUpscalers, where the engine has them; else the model alone).
  const ups = inpaintTool.inpaintUpscalers ? inpaintTool.inpaintUpscalers(zoo.map((z) => parseCard(z.card))).map((c) => c.id) : [];
  const chain = [card.id, ...ups];
  console.log(`inpaint: ${modelWords(m)}${ups.length ? `; fills scaled down by 2 or more come back through ${ups.join(' / ')}` : ''}`);
  const opened = [];
  for (const id of chain) {
    const entry = id === card.id ? m : zoo.find((z) => z.card.id === id);
    opened.push(await pg.call('open', { card: entry.card, url: `/model/${id}` }));
  }
  console.log(`  sessions opened in ${opened.map((o) => `${o.id} ${fmt(o.loadMs)}`).join(', ')} (the panel preloads them)`);
  console.log(`  inputs: ${PHOTO_PNG} resized to 1024² (bicubic), mirrored tiles beyond, ±4 levels of grain; masks grey PNGs (255 = hole)`);
  const out = { tool: 'inpaint', model: card.id, fixture: m.fixture, chain, load: opened, cases: {} };
  for (const [name, goal, words] of [
    ['inpaint1024', GOALS.inpaint1024, 'hole'],
    ['inpaint4000', GOALS.inpaint4000, 'small hole'],
  ]) {
    const c = inputs[name];
    await pg.call('load', { urls: [c.png, c.mask] });
    const rss = sampleRss(100);
    const t = await timed(pg.call, 'inpaint', { chain, png: c.png, mask: c.mask, seed: 1 }, reps);
    const memory = rss.stop();
    const r = t.typical;
    const crops = r.crops.map((k) => `${k.w}×${k.h} → ${k.modelWidth}×${k.modelHeight}${k.upscaler ? ` (back through ${k.upscaler})` : ''}`).join(', ');
    console.log(`  ${c.w}×${c.h}, ${c.hole.w}×${c.hole.h} ${words} (${(c.share * 100).toFixed(c.share < 0.01 ? 3 : 1)} % of the image): ${r.crops.length} crop(s) ${crops}; first run ${fmt(t.first.wall)}`);
    console.log(`    engine stages, median run: ${stages(r.timings)} (decode: image and mask, the wall time less the others); peak renderer memory ${(memory.peakBytes / 1e6).toFixed(0)} MB`);
    console.log(goalLine(`${c.w}×${c.h} photo, PNG in → PNG out (CLI)`, t.wall, goal));
    // The plugin's way: the mask comes from the shape's own export, not from a mask PNG of the photo's size.
    await pg.call('load', { urls: [c.layer] });
    const p = await timed(pg.call, 'inpaintLayers', { chain, png: c.png, layers: [{ x: c.hole.x, y: c.hole.y, png: c.layer }], seed: 1 }, reps);
    console.log(`    as the plugin runs it (mask from the shape's ${c.hole.w}×${c.hole.h} export): ${stages(p.typical.timings)}; first run ${fmt(p.first.wall)}`);
    console.log(goalLine(`${c.w}×${c.h} photo, as the plugin runs it`, p.wall, goal));
    out.cases[name] = {
      size: [c.w, c.h], hole: c.hole, share: c.share, crops: r.crops, first: t.first.wall, runs: t.runs.map((x) => x.wall), median: t.wall, timings: r.timings, goal, ratio: t.wall / 1000 / goal, peakRendererMb: memory.peakBytes / 1e6,
      plugin: { first: p.first.wall, runs: p.runs.map((x) => x.wall), median: p.wall, timings: p.typical.timings, ratio: p.wall / 1000 / goal },
    };
  }
  if (m.fixture) console.log(`  (random-weight fixture model, ${card.source.size} px: decode, crops, compositing and encode are real, the model's cost is not)`);
  console.log('');
  return out;
}

/** Runs the chosen parts ('sketch', 'inpaint') in one page of `context`; returns their rows for bench.json. */
export async function benchTools(context, { parts, reps = 3, dir }) {
  const zoo = collectModels({ testModels: false, fp16Weights: true });
  const models = new Map(zoo.map((z) => [z.card.id, z.path]));
  for (const tool of parts) {
    const m = toolModel(tool, zoo);
    models.set(m.card.id, m.path);
  }
  const inputDir = join(dir, 'tools-in');
  mkdirSync(inputDir, { recursive: true });
  const inputs = parts.includes('inpaint') ? makeInputs(inputDir) : {};
  const { server, origin } = await serve({ js: await bundlePage(join(ROOT, 'test/bench/tools/page.ts')), models, inputDir });
  const rows = [];
  const pg = await openPage(context, origin);
  try {
    console.log(`tools: the engine in a headless Chromium page, onnxruntime-web ${pg.info.ort} wasm, numThreads ${pg.info.numThreads}; PNG in → PNG out, first run then the median of ${reps}\n`);
    if (parts.includes('sketch')) rows.push(await sketchPart(pg, zoo, reps));
    if (parts.includes('inpaint')) rows.push(await inpaintPart(pg, zoo, reps, inputs));
    const log = await pg.call('log');
    for (const l of [...log, ...pg.logs]) if (!/^\[(log|debug|info)\]/.test(l)) console.log(`page: ${l}`);
    await pg.call('release');
  } finally {
    await pg.page.close();
    await new Promise((r) => (server.close(r), server.closeAllConnections()));
    rmSync(inputDir, { recursive: true, force: true }); // the 4000×3000 photo and its mask
  }
  return rows;
}
