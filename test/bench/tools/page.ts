// The page side of the sketch and inpaint parts of `npm run bench` (test/bench/tools.mjs bundles this
// with esbuild and serves it on 127.0.0.1). The plugin's own engine on onnxruntime-web's wasm build,
// numThreads 1, called as the panel's worker calls it:
//   sketch  — runVariations(links, png, options, count): the sketch model (B = count in one call),
//             then each result through the upscalers of the chain (tools/sketch.ts sketchChain);
//   inpaint — runInpaint(links, png, maskPng, options): one model evaluation per hole crop, a fill
//             scaled down by 2 or more brought back by the chain's restore upscalers (the CLI's way);
//             and as the plugin's worker runs it: runInpaintMask with the mask from the shapes'
//             own exports (maskFromLayers), the result encoded in pieces of Figma's image size.
// Every file (the ORT wasm, the models, the images) comes from the local server and is fetched once,
// before any timed call: a timed call is PNG bytes in → PNG bytes out.
import * as ortWeb from 'onnxruntime-web/wasm';
import { setupOrt } from '../../../ui/engine/ort-web';
import { openModel } from '../../../ui/engine/model';
import { runInpaint, runInpaintMask } from '../../../ui/engine/inpaint-pipeline';
import { encodePng } from '../../../ui/engine/codec';
import { maskFromLayers } from '../../../ui/engine/image/mask-layers';
import { encodePieces } from '../../../ui/engine/image/split';
import { FIGMA_IMAGE_MAX } from '../../../src/protocol';
import { runVariations } from '../../../ui/engine/variations';
import type { ChainLink } from '../../../ui/engine/pipeline';
import type { EngineOptions } from '../../../ui/engine/tools/types';
import { parseCard } from '../../../ui/engine/zoo';
import type { OrtModule } from '../../../ui/engine/session';

let ort: OrtModule;
const links = new Map<string, ChainLink>();
const opened = new Map<string, { id: string; backend: string; loadMs: number }>();
const files = new Map<string, Uint8Array>();
const engineLog: string[] = [];

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function init(o: { ortWasmUrl: string }) {
  ort = setupOrt(await fetchBytes(o.ortWasmUrl));
  return { ort: ortWeb.env.versions.web ?? ortWeb.env.versions.common, numThreads: ortWeb.env.wasm.numThreads, crossOriginIsolated: globalThis.crossOriginIsolated };
}

/** Opens one model on wasm (sha256 checked as the plugin does); loadMs: the session's creation, not the fetch. */
async function open(o: { card: unknown; url: string }) {
  const card = parseCard(o.card);
  const known = opened.get(card.id);
  if (known) return known; // one session per model, as the worker keeps them
  const bytes = await fetchBytes(o.url);
  const t0 = performance.now();
  const session = await openModel(ort, card, bytes, ['wasm'], (m) => engineLog.push(m));
  links.set(card.id, { card, session });
  const r = { id: card.id, backend: session.backend as string, loadMs: performance.now() - t0 };
  opened.set(card.id, r);
  return r;
}

/** Fetches the inputs into the page once (not timed). */
async function load(o: { urls: string[] }) {
  for (const u of o.urls) if (!files.has(u)) files.set(u, await fetchBytes(u));
}

function file(url: string): Uint8Array {
  const f = files.get(url);
  if (!f) throw new Error(`${url} was not loaded`);
  return f;
}

function chainOf(ids: string[]): ChainLink[] {
  return ids.map((id) => {
    const l = links.get(id);
    if (!l) throw new Error(`${id} is not open`);
    return l;
  });
}

const OPTIONS: EngineOptions = { steps: 0, seed: 1, strength: 1 };

/** One runVariations call: the chain's result(s) at the chain's size. */
async function sketch(o: { chain: string[]; png: string; count: number; seed: number }) {
  const png = file(o.png);
  const t0 = performance.now();
  const r = await runVariations(chainOf(o.chain), png, { ...OPTIONS, seed: o.seed }, o.count);
  const wall = performance.now() - t0;
  const first = r.results[0].image;
  return { wall, timings: r.timings, backend: r.backend, results: r.results.length, width: first.width, height: first.height, kind: r.sketch.kind, bytes: r.results.reduce((s, x) => s + x.png.length, 0) };
}

/**
 * One runInpaint call: the whole image in, the whole composited image out. `chain` is the inpaint
 * model, then the restore upscalers a scaled-down fill comes back with (as the panel and the CLI
 * chain them); a chain of one is passed as the single link runInpaint took before upscalers.
 */
async function inpaint(o: { chain: string[]; png: string; mask: string; seed: number }) {
  const png = file(o.png);
  const mask = file(o.mask);
  const links = chainOf(o.chain);
  const t0 = performance.now();
  const r = await runInpaint((links.length === 1 ? links[0] : links) as Parameters<typeof runInpaint>[0], png, mask, { ...OPTIONS, seed: o.seed });
  const wall = performance.now() - t0;
  // runInpaint adds the time of its whole call (mask decode + runInpaintMask) to timings.decode, so
  // that figure also holds infer and encode: the decode shown is the rest of the wall time instead.
  const timings = { ...r.timings, decode: Math.max(0, wall - r.timings.prepare - r.timings.infer - r.timings.encode) };
  return {
    wall,
    timings,
    reportedDecode: r.timings.decode,
    backend: r.backend,
    width: r.image.width,
    height: r.image.height,
    crops: r.crops.map((c) => ({ w: c.w, h: c.h, scale: c.scale, modelWidth: c.modelWidth, modelHeight: c.modelHeight, holes: c.holes, upscaler: (c as { upscaler?: string | null }).upscaler ?? null })),
  };
}

/**
 * One job as the plugin's worker runs it (worker.ts tools.inpaint, then its encode): the image PNG and
 * the shape layers' exports in, the result's PNG piece(s) out. No mask PNG of the image's size is decoded.
 */
async function inpaintLayers(o: { chain: string[]; png: string; layers: Array<{ x: number; y: number; png: string }>; seed: number }) {
  const png = file(o.png);
  const layers = o.layers.map((l) => ({ x: l.x, y: l.y, png: file(l.png) }));
  const chain = chainOf(o.chain);
  const t0 = performance.now();
  const r = await runInpaintMask(chain.length === 1 ? chain[0] : chain, png, (w, h) => maskFromLayers(w, h, layers), { ...OPTIONS, seed: o.seed });
  const t1 = performance.now();
  const pieces = encodePieces(r.image, FIGMA_IMAGE_MAX, encodePng);
  const wall = performance.now() - t0;
  const timings = { ...r.timings, encode: r.timings.encode + performance.now() - t1 };
  return { wall, timings, backend: r.backend, width: r.image.width, height: r.image.height, pieces: pieces.length, crops: r.crops.length };
}

async function release() {
  for (const l of links.values()) await l.session.release();
  links.clear();
  opened.clear();
}

const api = { init, open, load, sketch, inpaint, inpaintLayers, release, log: () => engineLog.slice() };
(globalThis as unknown as { toolsBench: typeof api }).toolsBench = api;
document.title = 'tools bench ready';
