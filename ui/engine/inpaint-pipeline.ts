// The Inpaint tool end to end: image PNG + mask PNG in → one model evaluation per hole crop →
// composited image PNG out. It does not fit runChain's one-x1-per-image shape: the mask is a second
// input and each crop is its own model-size run (ui/engine/tools/inpaint.ts plans and composites).
// The chain is [inpaint model, …restore upscalers]: a crop's fill scaled down by 2 or more comes back
// through the largest upscaler that fits, run on it as runChain runs a later link (8-bit hand-over).
import { decodePng, encodePng, type ImageInput } from './codec';
import { EngineError } from './errors';
import { runSteps, throwIfAborted } from './evaluate';
import { maskFromImage, type Mask } from './image/mask';
import { fromPlanes, toPlanes, withoutOpaqueAlpha } from './image/raw';
import { followerOptions, type ChainLink, type ImageResult, type PipelineHooks, type PipelineResult } from './pipeline';
import type { ModelSession } from './session';
import { buildSource } from './tools';
import { inpaintRaw, INPAINT_DEFAULTS, type FillUpscaler, type InpaintCrop } from './tools/inpaint';
import type { EngineOptions } from './tools/types';
import { cardScale, stepTimes, type StepTime } from './zoo';

export interface InpaintImageRun extends ImageResult {
  /** The crops that ran (position, size, scale, upscaler): what `onestep inpaint --json` reports. */
  crops: InpaintCrop[];
}

export interface InpaintRun extends InpaintImageRun, PipelineResult {}

/**
 * The chain a caller passes: the inpaint model alone (one link, as before upscalers) or
 * [inpaint model, …restore upscale links] (toolChain in the panel, the CLI's inpaint chain).
 */
export type InpaintLinks = ChainLink | ChainLink[];

/** The CLI's entry: the mask as a PNG of the image's size. */
export async function runInpaint(links: InpaintLinks, png: ImageInput, maskPng: Uint8Array, options: EngineOptions, hooks: PipelineHooks = {}): Promise<InpaintRun> {
  const now = hooks.now ?? (() => performance.now());
  let t = now();
  const mask = maskFromImage(decodePng(maskPng));
  const maskMs = now() - t;
  const run = await runInpaintMask(links, png, () => mask, options, hooks);
  run.timings.decode += maskMs;
  t = now();
  const out = encodePng(run.image);
  run.timings.encode += now() - t;
  return { ...run, png: out };
}

/**
 * An upscale link as the compositing runs it on a fill: handed over in 8 bits as between two links
 * of runChainToImage, then the link's own x1 (tools/restore.ts) and step schedule. Steps are the
 * inpaint model's; the upscaler runs its card's default, as after the sketch model (variations.ts).
 */
function fillUpscaler(link: ChainLink, options: EngineOptions, signal: AbortSignal | undefined, ran: Set<ChainLink>): FillUpscaler {
  const { card, session } = link;
  // An upscaler only brings a shrunk fill back to size.
  const own = followerOptions(options);
  if (card.tool !== 'restore' || card.source.kind !== 'upscale' || cardScale(card) < 2) {
    throw new EngineError('unsupported-tool', `${card.id} cannot follow an inpaint model: only restore upscalers can`);
  }
  return {
    id: card.id,
    factor: cardScale(card),
    async run(rgb, width, height) {
      ran.add(link);
      const planes = toPlanes(fromPlanes({ width, height, rgb, alpha: null }));
      const source = buildSource(card, { planes, options: own });
      const times = stepTimes(card, own.steps, own.output);
      return runSteps(session, source.x1, source.width, source.height, times, { ...card.tile, multiple: card.multiple }, { signal });
    },
  };
}

/**
 * The step schedule on one size × size crop: the crop is exactly the model's input (no tiles), and
 * the hole goes with every step for models that take it as an input.
 */
async function runHoleSteps(session: ModelSession, x1: Float32Array, size: number, hole: Uint8Array, times: StepTime[], signal?: AbortSignal): Promise<Float32Array> {
  const mask = Float32Array.from(hole);
  let x = x1;
  for (const step of times) {
    throwIfAborted(signal);
    x = await session.run(x, size, size, step.t, step.s, 1, step.output ?? 'y', mask);
  }
  return x;
}

/**
 * The plugin's entry: `maskFor` makes the mask once the image's size is known (from the shapes' own
 * exports, ui/engine/image/mask-layers.ts). The result is not encoded: the worker encodes it in
 * pieces of Figma's image size (on a 4000×3000 photo an encode is most of the time).
 */
export async function runInpaintMask(links: InpaintLinks, png: ImageInput, maskFor: (width: number, height: number) => Mask, options: EngineOptions, hooks: PipelineHooks = {}): Promise<InpaintImageRun> {
  const [link, ...rest] = Array.isArray(links) ? links : [links];
  if (!link) throw new EngineError('unsupported-tool', 'no model to run');
  const { card, session } = link;
  const ran = new Set<ChainLink>();
  const upscalers = rest.map((l) => fillUpscaler(l, options, hooks.signal, ran));
  const now = hooks.now ?? (() => performance.now());
  const timings = { decode: 0, prepare: 0, infer: 0, encode: 0 };
  let t = now();
  // inpaintRaw fills the decoded image in place: pixels a caller handed over are copied first.
  const decoded = png instanceof Uint8Array ? decodePng(png) : { ...png, data: png.data.slice() };
  const mask = maskFor(decoded.width, decoded.height);
  timings.decode += now() - t;
  const size = card.source.size ?? INPAINT_DEFAULTS.modelSize;
  const times = stepTimes(card, options.steps, options.output);
  t = now();
  const result = await inpaintRaw(decoded, mask, (x1, s, hole) => runHoleSteps(session, x1, s, hole, times, hooks.signal), {
    seed: options.seed,
    modelSize: size,
    // The card's measured largest hole; else the share of the window the default gives a 128 model (48/128).
    maxHole: card.max_hole ?? Math.round((INPAINT_DEFAULTS.maxHole / INPAINT_DEFAULTS.modelSize) * size),
    signal: hooks.signal,
    upscalers,
    onCrop: (done, total) => hooks.onProgress?.({ stage: 'infer', done, total, part: 0, parts: 1 }),
  });
  timings.infer += now() - t;
  throwIfAborted(hooks.signal);
  t = now();
  const image = withoutOpaqueAlpha(result.image);
  timings.encode += now() - t;
  // The backends of the models that ran, read after the run (a session may have fallen back), joined as runChain does.
  const backend = [link, ...rest.filter((l) => ran.has(l))].map((l) => l.session.backend).filter((b, j, all) => all.indexOf(b) === j).join(' + ');
  return { image, timings, tiles: result.crops.length, backend, crops: result.crops };
}
