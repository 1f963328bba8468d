// Worker entry: keeps ORT and one session per model, runs jobs one at a time, reports progress.
// Created from a blob URL by the panel, so a long inference never blocks the UI thread.
import { planBackends, type BackendPlan } from './backend';
import { toFailure, EngineError } from './errors';
import { gunzip } from './gzip';
import { openModel } from './model';
import { setupOrt } from './ort-web';
import { runChain, runChainToImage, type ChainLink, type PipelineHooks } from './pipeline';
import { decodePng, encodePng } from './codec';
import { encodePieces } from './image/split';
import { maskFromLayers } from './image/mask-layers';
import type { Mask } from './image/mask';
import { toPlanes, type RawImage } from './image/raw';
import { runInpaintMask } from './inpaint-pipeline';
import { runEdit, runVariations } from './variations';
import { wallClock } from './worker-protocol';
import { FIGMA_IMAGE_MAX, type ErrorCode, type ResultImage } from '../../src/protocol';
import type { SketchInfo } from './tools/types';
import type { FallbackSession, ModelSession, OrtModule } from './session';
import type { FromWorker, ToWorker } from './worker-protocol';
import type { ModelCard } from './zoo';

interface Scope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as Scope;

// Runs and preloads may arrive before 'init' (the panel reads the wasm asynchronously): they wait for it.
type Engine = { ort: OrtModule; plan: BackendPlan };
let initialise: (engine: Promise<Engine>) => void = () => {};
const ready = new Promise<Engine>((resolve) => (initialise = resolve));
const sessions = new Map<string, Promise<FallbackSession>>();
const loadFailures = new Map<string, { code: ErrorCode; detail: string }>();
const aborts = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

const post = (m: FromWorker, transfer?: Transferable[]) => scope.postMessage(m, transfer);
const log = (message: string) => post({ type: 'log', message });

async function init(wasmGz: Uint8Array, allowWebgpu: boolean) {
  const wasm = await gunzip(wasmGz).catch((err) => {
    throw new EngineError('backend-failed', `the inlined ORT wasm is damaged: ${(err as Error).message}`);
  });
  const ort = setupOrt(wasm);
  const plan = await planBackends(allowWebgpu, self as unknown as { navigator: unknown; isSecureContext: boolean });
  log(`backends: ${plan.order.join(' → ')} (${plan.reason})`);
  return { ort, plan };
}

/** The model's session: the one already opening or open, else a new one from `model`. */
async function sessionFor(card: ModelCard, model: Uint8Array | null): Promise<Promise<FallbackSession>> {
  const { ort, plan } = await ready;
  let session = sessions.get(card.id);
  if (!session) {
    if (!model) {
      // No bytes because the panel sent them with a preload that failed (its notice may still be on the way).
      const failed = loadFailures.get(card.id);
      throw failed ? new EngineError(failed.code, failed.detail) : new EngineError('model-missing', `no bytes for ${card.id}`);
    }
    loadFailures.delete(card.id);
    session = openModel(ort, card, model, plan.order, log);
    sessions.set(card.id, session);
    session.catch((err) => {
      sessions.delete(card.id); // a failed load may be retried with fresh bytes
      loadFailures.set(card.id, toFailure(err));
    });
  }
  return session;
}

/**
 * One small run right after a model opens: the first run of the JS paths (resize, tiles, PNG) and of
 * ORT's kernels is slow (compilation, arena growth), and the user's first run should not pay for it.
 */
async function warmUp(card: ModelCard, session: FallbackSession): Promise<void> {
  const side = 64;
  const data = new Uint8Array(side * side * 3).map((_, i) => (i * 37) % 256);
  const png = encodePng({ width: side, height: side, channels: 3, depth: 8, data });
  const options = { steps: 1, seed: 0, strength: 1 };
  // inpaint runs its own pipeline, on a hole in the middle (its model needs one)
  const run = card.tool === 'inpaint' ? runInpaintMask({ card, session }, png, centreHole, options) : runChain([{ card, session }], png, options);
  await run.catch(() => {
    // a warm-up failure is not the user's problem; the real run reports its own
  });
}

/** An 8 × 8 hole in the middle of a width × height image: the inpaint warm-up's mask. */
function centreHole(width: number, height: number): Mask {
  const data = new Uint8Array(width * height);
  const x0 = (width >> 1) - 4;
  const y0 = (height >> 1) - 4;
  for (let y = y0; y < y0 + 8; y++) data.fill(1, y * width + x0, y * width + x0 + 8);
  return { width, height, data };
}

type RunMessage = Extract<ToWorker, { type: 'run' }>;

/** What a tool made of one job: its images (not yet encoded), and what the panel is told beside them. */
interface ToolOutcome {
  images: Array<{ image: RawImage; seed?: number }>;
  timings: Record<string, number>;
  backend: string;
  tiles?: number;
  sketch?: Uint8Array;
  sketchInfo?: SketchInfo;
}

/** The model's line drawing as an 8-bit grey PNG (what results remember for Edit). */
function greyPng(grey: Float32Array, size: number): Uint8Array {
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, grey[i])) * 255);
  return encodePng({ width: size, height: size, channels: 1, depth: 8, data });
}

/** Each tool's run, on the chain's sessions (links[0] is the tool's model; later links upscale). */
const TOOLS: Record<RunMessage['tool'], (links: ChainLink[], m: RunMessage, hooks: PipelineHooks) => Promise<ToolOutcome>> = {
  async restore(links, m, hooks) {
    const r = await runChainToImage(links, m.png, m.options, hooks);
    return { images: [{ image: r.image }], timings: r.timings, backend: r.backend, tiles: r.tiles };
  },
  async sketch(links, m, hooks) {
    // A swatch layer is the latent ℓ (its centre square, resized): the colour picker's role, with texture.
    const options = m.swatch ? { ...m.options, color: undefined, texture: toPlanes(decodePng(m.swatch)) } : m.options;
    const r = await runVariations(links, m.png, options, m.variations, hooks);
    return {
      images: r.results.map((x) => ({ image: x.image, seed: x.seed })),
      timings: r.timings,
      backend: r.backend,
      sketch: greyPng(r.grey, r.size),
      sketchInfo: r.sketch,
    };
  },
  async edit(links, m, hooks) {
    const r = await runEdit(links, m.png, m.sketch ?? null, m.options, hooks);
    return { images: [{ image: r.result.image }], timings: r.timings, backend: r.backend, sketchInfo: r.sketch };
  },
  async inpaint(links, m, hooks) {
    const layers = m.mask ?? [];
    // links: the inpaint model, then the upscalers the panel chose to bring scaled-down fills back
    const r = await runInpaintMask(links, m.png, (w, h) => maskFromLayers(w, h, layers), m.options, hooks);
    return { images: [{ image: r.image }], timings: r.timings, backend: r.backend };
  },
};

/**
 * A session that opens on its first run. Inpaint's upscalers: they bring back only fills that were
 * scaled down by 2 or more, which most jobs (a logo, a scratch) never have, so most jobs never load them.
 */
function onFirstRun(open: () => Promise<FallbackSession>): ModelSession {
  let session: Promise<FallbackSession> | null = null;
  let opened: FallbackSession | null = null;
  return {
    get backend() {
      return opened?.backend ?? 'wasm';
    },
    async run(x, width, height, t, s, batch, output, mask) {
      session ??= open().then((opening) => (opened = opening));
      return (await session).run(x, width, height, t, s, batch, output, mask);
    },
    async release() {
      // the worker keeps every opened session for later jobs (sessionFor)
    },
  };
}

async function run(m: RunMessage, signal: AbortSignal): Promise<void> {
  // How long the job waited since the panel posted it: behind an earlier job or a preload's warm-up,
  // and before that in the worker's task queue while a model's session opened (synchronous wasm).
  const queued = m.sentAt === undefined ? 0 : Math.max(0, wallClock() - m.sentAt);
  // Inpaint opens only its own model up front; every other tool runs each model of its chain.
  const eager = m.tool === 'inpaint' ? 1 : m.models.length;
  post({ type: 'progress', jobId: m.jobId, stage: 'load', done: 0, total: eager });
  const loadStart = performance.now();
  const links: ChainLink[] = [];
  for (const [i, { card, model }] of m.models.entries()) {
    if (i >= eager) {
      links.push({ card, session: onFirstRun(async () => await (await sessionFor(card, model))) });
      continue;
    }
    links.push({ card, session: await (await sessionFor(card, model)) });
    post({ type: 'progress', jobId: m.jobId, stage: 'load', done: links.length, total: eager });
  }
  const load = performance.now() - loadStart;
  const tool = TOOLS[m.tool];
  if (!tool) throw new EngineError('unsupported-tool', `tool "${m.tool}"`);
  // encoded here, not in the chain: a result over Figma's image limit goes back in pieces, and only
  // the pieces are encoded
  const outcome = await tool(links, m, { signal, onProgress: (p) => post({ type: 'progress', jobId: m.jobId, ...p }) });
  const encodeStart = performance.now();
  const results: ResultImage[] = outcome.images.map(({ image, seed }) => ({
    pieces: encodePieces(image, FIGMA_IMAGE_MAX, encodePng),
    width: image.width,
    height: image.height,
    ...(seed !== undefined ? { seed } : {}),
  }));
  const timings: Record<string, number> = { queued, load, ...outcome.timings };
  timings.encode = (timings.encode ?? 0) + performance.now() - encodeStart;
  const transfer = results.flatMap((r) => r.pieces.map((p) => p.png.buffer));
  post(
    {
      type: 'done',
      jobId: m.jobId,
      results,
      backend: outcome.backend,
      tiles: outcome.tiles ?? 0,
      timings,
      ...(outcome.sketch ? { sketch: outcome.sketch } : {}),
      ...(outcome.sketchInfo ? { sketchInfo: outcome.sketchInfo } : {}),
    },
    transfer,
  );
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') {
    initialise(init(m.wasmGz, m.allowWebgpu));
  } else if (m.type === 'preload') {
    const card = m.card;
    sessionFor(card, m.model)
      .then((opening) => opening) // sessionFor resolves to the session's own promise: wait for it too
      // Queued like a job, so it never delays one by more than its own few milliseconds.
      .then((session) => (queue = queue.then(() => warmUp(card, session))))
      .catch((err) => post({ type: 'preload-failed', modelId: card.id, ...toFailure(err) }));
  } else if (m.type === 'cancel') {
    aborts.get(m.jobId)?.abort();
  } else if (m.type === 'run') {
    const controller = new AbortController();
    aborts.set(m.jobId, controller);
    // One job at a time: ORT sessions are not re-entrant and the CPU is the bottleneck anyway.
    queue = queue.then(() =>
      run(m, controller.signal)
        .catch((err) => post({ type: 'error', jobId: m.jobId, ...toFailure(err) }))
        .finally(() => aborts.delete(m.jobId)),
    );
  }
};
