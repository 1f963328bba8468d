// The Inpaint tool end to end: image PNG + mask PNG in → one model evaluation per hole crop →
// composited image PNG out. It does not fit runChain's one-x1-per-image shape: the mask is a second
// input and each crop is its own model-size run (ui/engine/tools/inpaint.ts plans and composites).
import { decodePng, encodePng } from './codec';
import { runSteps, throwIfAborted } from './evaluate';
import type { Crop } from './image/crop-plan';
import { maskFromImage, type Mask } from './image/mask';
import { fromPlanes, toPlanes } from './image/raw';
import type { ChainLink, PipelineHooks, PipelineResult } from './pipeline';
import { inpaintImage, INPAINT_DEFAULTS } from './tools/inpaint';
import type { EngineOptions } from './tools/types';
import { stepTimes } from './zoo';

export interface InpaintRun extends PipelineResult {
  /** The crops that ran (position, size, scale): what `onestep inpaint --json` reports. */
  crops: Crop[];
}

/** The CLI's entry: the mask as a PNG of the image's size. */
export async function runInpaint(link: ChainLink, png: Uint8Array, maskPng: Uint8Array, options: EngineOptions, hooks: PipelineHooks = {}): Promise<InpaintRun> {
  const now = hooks.now ?? (() => performance.now());
  const t = now();
  const mask = maskFromImage(decodePng(maskPng));
  const run = await runInpaintMask(link, png, () => mask, options, hooks);
  run.timings.decode += now() - t;
  return run;
}

/**
 * The plugin's entry: `maskFor` makes the mask once the image's size is known (from the shapes' own
 * exports, ui/engine/image/mask-layers.ts).
 */
export async function runInpaintMask(link: ChainLink, png: Uint8Array, maskFor: (width: number, height: number) => Mask, options: EngineOptions, hooks: PipelineHooks = {}): Promise<InpaintRun> {
  const { card, session } = link;
  const now = hooks.now ?? (() => performance.now());
  const timings = { decode: 0, prepare: 0, infer: 0, encode: 0 };
  let t = now();
  const planes = toPlanes(decodePng(png));
  const mask = maskFor(planes.width, planes.height);
  timings.decode += now() - t;
  const size = card.source.size ?? INPAINT_DEFAULTS.modelSize;
  const times = stepTimes(card, options.steps, options.output);
  const spec = { size, overlap: 0, multiple: card.multiple };
  t = now();
  const result = await inpaintImage(planes, mask, (x1, s) => runSteps(session, x1, s, s, times, spec, { signal: hooks.signal }), {
    seed: options.seed,
    modelSize: size,
    signal: hooks.signal,
    onCrop: (done, total) => hooks.onProgress?.({ stage: 'infer', done, total, part: 0, parts: 1 }),
  });
  timings.infer += now() - t;
  throwIfAborted(hooks.signal);
  t = now();
  const image = fromPlanes(result.planes);
  const out = encodePng(image);
  timings.encode += now() - t;
  return { png: out, image, timings, tiles: result.crops.length, backend: session.backend, crops: result.crops };
}
