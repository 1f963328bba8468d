// The page side of `npm run bench:peer` (test/bench/peer.mjs bundles this with esbuild and serves it on
// 127.0.0.1). One page holds both upscalers, each on WebAssembly with one thread:
//   ours  — the plugin's own engine (ui/engine: runPipeline = decode → bicubic x1 → padded, feathered
//           tiles → ORT → 8-bit → PNG) on onnxruntime-web's wasm build, numThreads 1;
//   peer  — UpscalerJS with @upscalerjs/esrgan-slim ×4 on TF.js's wasm backend (SIMD, not threaded, 1 thread).
// Every file (ORT and TF.js wasm, both models, the images) comes from the local server.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import Upscaler from 'upscaler';
import esrganSlimX4 from '@upscalerjs/esrgan-slim/4x';
import * as ortWeb from 'onnxruntime-web/wasm';
import { setupOrt } from '../../../ui/engine/ort-web';
import { openModel } from '../../../ui/engine/model';
import { runPipeline } from '../../../ui/engine/pipeline';
import { parseCard, type ModelCard } from '../../../ui/engine/zoo';
import { decodePng, encodePng } from '../../../ui/engine/codec';
import { fromPlanes, toPlanes, toRgba8, type RawImage } from '../../../ui/engine/image/raw';
import { resizeBicubic } from '../../../ui/engine/image/resize';
import type { FallbackSession } from '../../../ui/engine/session';

interface InitOptions {
  card: unknown;
  modelUrl: string;
  ortWasmUrl: string;
  /** null: our engine only (the memory run, so the peer's heap does not count against us). */
  peer: { modelUrl: string; wasmDir: string } | null;
}

let card: ModelCard;
let session: FallbackSession;
let upscaler: InstanceType<typeof Upscaler> | null = null;
const engineLog: string[] = [];
const OPTIONS = { steps: 1, seed: 0, strength: 0.5 };

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** 8-bit RGB bytes (interleaved) of any decoded image; alpha, if any, is dropped (held-out images are opaque). */
function rgb8(img: RawImage): Uint8Array {
  if (img.channels === 3 && img.depth === 8) return img.data as Uint8Array;
  const rgba = toRgba8(img);
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = rgba[i * 4 + c];
  return out;
}

/** PSNR over all pixels and channels of two 8-bit RGB images: 10·log10(255² / MSE). */
function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`PSNR of ${a.length} vs ${b.length} samples`);
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    se += d * d;
  }
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function init(o: InitOptions) {
  card = parseCard(o.card);
  const ort = setupOrt(await fetchBytes(o.ortWasmUrl));
  const t0 = performance.now();
  session = await openModel(ort, card, await fetchBytes(o.modelUrl), ['wasm'], (m) => engineLog.push(m));
  const ours = {
    card: card.id,
    version: card.version,
    ort: ortWeb.env.versions.web ?? ortWeb.env.versions.common,
    backend: session.backend,
    numThreads: ortWeb.env.wasm.numThreads,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    loadMs: performance.now() - t0,
  };
  if (!o.peer) return { ours, peer: null };

  // TF.js: the non-threaded SIMD binary from node_modules, one thread, then the wasm backend.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const dir = o.peer.wasmDir;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': `${dir}tfjs-backend-wasm.wasm`,
    'tfjs-backend-wasm-simd.wasm': `${dir}tfjs-backend-wasm-simd.wasm`,
    'tfjs-backend-wasm-threaded-simd.wasm': `${dir}tfjs-backend-wasm-threaded-simd.wasm`,
  });
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  const t1 = performance.now();
  // UpscalerJS documents overriding a model's `path` to load it from your own server instead of a CDN.
  upscaler = new Upscaler({ model: { ...esrganSlimX4, path: o.peer.modelUrl } });
  await upscaler.getModel();
  await upscaler.ready;
  const peer = {
    backend: tf.getBackend(),
    tfjs: tf.version.tfjs,
    tfjsBackendWasm: version_wasm,
    threads: getThreadsCount(),
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    scale: esrganSlimX4.scale,
    loadMs: performance.now() - t1,
  };
  return { ours, peer };
}

/** Ours through runPipeline, exactly as the plugin's worker calls it (PNG in, PNG out). */
async function runOurs(png: Uint8Array) {
  const t0 = performance.now();
  const r = await runPipeline(card, session, png, OPTIONS);
  return { wall: performance.now() - t0, result: r };
}

/** UpscalerJS on an int32 [h, w, 3] tensor (what tf.browser.fromPixels gives it), output as a tensor. */
async function runPeer(img: RawImage, data?: Uint8Array) {
  if (!upscaler) throw new Error('the peer is not loaded');
  const input = tf.tensor3d(Int32Array.from(data ?? rgb8(img)), [img.height, img.width, 3], 'int32');
  const t0 = performance.now();
  const out = (await upscaler.execute(input, { output: 'tensor' })) as unknown as tf.Tensor3D;
  const values = (await out.data()) as Float32Array;
  const ms = performance.now() - t0;
  const [h, w] = out.shape;
  out.dispose();
  input.dispose();
  // The output is clipped to [0, 255]; Upscaler's own base64 path puts it in ImageData, which rounds.
  const rgb = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) rgb[i] = Math.min(255, Math.max(0, Math.round(values[i])));
  return { ms, width: w, height: h, rgb };
}

/** One held-out pair: bicubic (the engine's resize alone), esrgan-slim and ours against the target. */
async function quality(p: { source: string; target: string; save: boolean }) {
  const srcPng = await fetchBytes(p.source);
  const src = decodePng(srcPng);
  const tgt = decodePng(await fetchBytes(p.target));
  const target = rgb8(tgt);
  const scale = card.source.scale ?? 1;

  const planes = toPlanes(src);
  const bw = Math.floor(src.width * scale);
  const bh = Math.floor(src.height * scale);
  const bic = fromPlanes({ width: bw, height: bh, rgb: resizeBicubic(planes.rgb, 3, src.width, src.height, bw, bh), alpha: null });

  const ours = await runOurs(srcPng);
  const peer = await runPeer(src);
  const sizes = {
    source: [src.width, src.height],
    target: [tgt.width, tgt.height],
    bicubic: [bw, bh],
    ours: [ours.result.image.width, ours.result.image.height],
    peer: [peer.width, peer.height],
  };
  const same = (s: number[]) => s[0] === tgt.width && s[1] === tgt.height;
  const sizeOk = { bicubic: same(sizes.bicubic), ours: same(sizes.ours), peer: same(sizes.peer) };
  const out = {
    sizes,
    sizeOk,
    psnr: {
      bicubic: sizeOk.bicubic ? psnr(rgb8(bic), target) : NaN,
      peer: sizeOk.peer ? psnr(peer.rgb, target) : NaN,
      ours: sizeOk.ours ? psnr(rgb8(ours.result.image), target) : NaN,
    },
    png: null as null | { bicubic: string; peer: string; ours: string },
  };
  if (p.save) {
    out.png = {
      bicubic: base64(encodePng(bic)),
      peer: base64(encodePng({ width: peer.width, height: peer.height, channels: 3, depth: 8, data: peer.rgb })),
      ours: base64(ours.result.png),
    };
  }
  return out;
}

/** A deterministic w × h RGB test image: gradients, stripes, a checkerboard, hard edges and fine noise. */
function benchImage(w: number, h: number): RawImage {
  const data = new Uint8Array(w * h * 3);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const check = (Math.floor(x / 16) + Math.floor(y / 16)) % 2;
      const disc = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2;
      const n = (rand() - 0.5) * 24;
      data[i] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 9 + y / 23) + n));
      data[i + 1] = Math.max(0, Math.min(255, (check ? 190 : 60) + (disc ? 40 : 0) + n));
      data[i + 2] = Math.max(0, Math.min(255, (x * 255) / w * 0.6 + (y * 255) / h * 0.4 + n));
    }
  }
  return { width: w, height: h, channels: 3, depth: 8, data };
}

const benchCache = new Map<number, { img: RawImage; png: Uint8Array; rgb: Uint8Array }>();

/** One timed run on the size × size bench image. Ours: runPipeline (PNG in → PNG out); the peer: Upscaler.execute. */
async function speedRun(o: { who: 'ours' | 'peer'; size: number }): Promise<Record<string, number>> {
  let b = benchCache.get(o.size);
  if (!b) {
    const img = benchImage(o.size, o.size);
    b = { img, png: encodePng(img), rgb: rgb8(img) };
    benchCache.set(o.size, b);
  }
  if (o.who === 'ours') {
    const { wall, result } = await runOurs(b.png);
    return { wall, upscale: result.timings.prepare + result.timings.infer, ...result.timings, tiles: result.tiles, width: result.image.width, height: result.image.height };
  }
  const before = tf.memory().numTensors;
  const r = await runPeer(b.img, b.rgb);
  if (tf.memory().numTensors !== before) engineLog.push(`tfjs: ${tf.memory().numTensors - before} tensors left after a run`);
  return { wall: r.ms, upscale: r.ms, width: r.width, height: r.height };
}

const api = { init, quality, speedRun, log: () => engineLog.slice() };
(globalThis as unknown as { peer: typeof api }).peer = api;
document.title = 'peer bench ready';
