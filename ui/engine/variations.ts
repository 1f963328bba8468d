// Sketch → image runs that runChain does not cover: several seeds in one batched model run
// (variations), and Edit (Algorithm 5, which starts at t = s instead of 1).
//
// Both take the same chain as runChain: links[0] is the sketch model, any later links (upscalers)
// run on each result as runChain would run them (an 8-bit hand-over, the link's seed the result's).
// So a variation with seed k is bit-for-bit runChain(links, png, {…options, seed: k}) (Steps count for
// the sketch model; the upscalers take their default), and its
// SketchResult.seed is what the panel stores and what reproduces it.
import { encodePng, imageOf, type ImageInput } from './codec';
import { EngineError } from './errors';
import { throwIfAborted } from './evaluate';
import { fromPlanes, toPlanes, type Planes, type RawImage } from './image/raw';
import { followerOptions, runChain, type ChainLink, type PipelineHooks, type Stage } from './pipeline';
import type { OutputName } from './session';
import { MAX_VARIATIONS, SketchError, buildEditSource, latentTerm, prepareSketch, sketchOptionProblem, sketchSize, sketchX1 } from './tools/sketch';
import type { EngineOptions, SketchInfo } from './tools/types';
import { stepTimes, type StepTime } from './zoo';

export interface SketchResult {
  /** The seed that reproduces this result (runChain with options.seed = seed). */
  seed: number;
  image: RawImage;
  png: Uint8Array;
}

export interface SketchRunResult {
  results: SketchResult[];
  /** The model's line drawing (size × size grey in [0, 1], 1 = paper): kept on results for Edit. */
  grey: Float32Array;
  size: number;
  /** How the layer was read ("extracted": the panel says a sketch was extracted from an image). */
  sketch: SketchInfo;
  /** Milliseconds per stage, over the whole run. */
  timings: Record<Stage, number>;
  backend: string;
}

/** The seed of variation k: seed + k, wrapping at 2³² as random.ts does. */
export function variationSeed(seed: number, k: number): number {
  return (seed + k) >>> 0;
}

function decodeLayer(png: ImageInput): Planes {
  const raw = imageOf(png);
  const planes = toPlanes(raw);
  if (planes.alpha && planes.alpha.every((a) => a === 0)) {
    throw new EngineError('no-pixels', `${raw.width}×${raw.height} layer is fully transparent`);
  }
  return planes;
}

interface Clock {
  timings: Record<Stage, number>;
  stage<T>(name: Stage, fn: () => T | Promise<T>): Promise<T>;
}

function clock(links: ChainLink[], hooks: PipelineHooks): Clock {
  const now = hooks.now ?? (() => performance.now());
  const timings: Record<Stage, number> = { decode: 0, prepare: 0, infer: 0, encode: 0 };
  return {
    timings,
    async stage(name, fn) {
      throwIfAborted(hooks.signal);
      hooks.onProgress?.({ stage: name, done: 0, total: 1, part: 0, parts: links.length });
      const start = now();
      const value = await fn();
      timings[name] += now() - start;
      return value;
    },
  };
}

/** Runs x (batch × 3 × size²) through the schedule, the whole batch in each model call. */
async function runBatch(link: ChainLink, x: Float32Array, size: number, batch: number, times: StepTime[], links: number, hooks: PipelineHooks): Promise<Float32Array> {
  let y = x;
  for (let k = 0; k < times.length; k++) {
    throwIfAborted(hooks.signal);
    const output: OutputName = times[k].output ?? 'y';
    y = await link.session.run(y, size, size, times[k].t, times[k].s, batch, output);
    hooks.onProgress?.({ stage: 'infer', done: k + 1, total: times.length, part: 0, parts: links });
  }
  return y;
}

/** The rest of the chain (upscalers) on one result, as runChain runs links 1…n. */
async function finish(links: ChainLink[], image: RawImage, options: EngineOptions, seed: number, clk: Clock, hooks: PipelineHooks): Promise<SketchResult> {
  if (links.length === 1) {
    const png = await clk.stage('encode', () => encodePng(image));
    return { seed, image, png };
  }
  const rest = await runChain(links.slice(1), encodePng(image), followerOptions({ ...options, seed }), {
    ...hooks,
    onProgress: hooks.onProgress && ((p) => hooks.onProgress!({ ...p, part: p.part + 1, parts: links.length })),
  });
  for (const k of Object.keys(rest.timings) as Stage[]) clk.timings[k] += rest.timings[k];
  return { seed, image: rest.image, png: rest.png };
}

function backendOf(links: ChainLink[]): string {
  return links.map((l) => l.session.backend).filter((b, j, all) => all.indexOf(b) === j).join(' + ');
}

/**
 * `count` results of the sketch model on one layer, seeds options.seed, +1, +2, …, the model run once
 * per step on all of them (B = count), each then through the rest of the chain. count = 1 is a single
 * run that also reports how the layer was read (runChain does not).
 */
export async function runVariations(links: ChainLink[], png: ImageInput, options: EngineOptions, count = 4, hooks: PipelineHooks = {}): Promise<SketchRunResult> {
  if (links.length === 0) throw new EngineError('unsupported-tool', 'no model to run');
  const { card } = links[0];
  const size = sketchSize(card);
  if (!Number.isInteger(count) || count < 1 || count > MAX_VARIATIONS) {
    throw new SketchError({ code: 'variations-count', message: `Variations must be from 1 to ${MAX_VARIATIONS}, not ${count}.` });
  }
  const p = sketchOptionProblem(options);
  if (p) throw new SketchError(p);
  if (!Number.isInteger(options.seed + count - 1) || options.seed + count - 1 > 0xffffffff) {
    // Seeds past 2³² − 1 would wrap to 0, 1, …: still valid, but not seed + k as the panel shows it.
    throw new SketchError({ code: 'seed-invalid', message: `Seeds ${options.seed} … ${options.seed + count - 1} run past 4294967295.` });
  }
  const clk = clock(links, hooks);
  const planes = await clk.stage('decode', () => decodeLayer(png));
  const n = 3 * size * size;
  const seeds = Array.from({ length: count }, (_, k) => variationSeed(options.seed, k));
  const { prep, x } = await clk.stage('prepare', () => {
    const latent = latentTerm(options, size);
    const prep = prepareSketch(planes, size);
    const x = new Float32Array(count * n);
    seeds.forEach((seed, k) => x.set(sketchX1(prep, card.source.sigma_p ?? 0, seed, latent), k * n));
    return { prep, x };
  });
  const times = stepTimes(card, options.steps, options.output);
  const y = await clk.stage('infer', () => runBatch(links[0], x, size, count, times, links.length, hooks));
  const results: SketchResult[] = [];
  for (let k = 0; k < count; k++) {
    const image = await clk.stage('encode', () => fromPlanes({ width: size, height: size, rgb: y.slice(k * n, (k + 1) * n), alpha: null }));
    results.push(await finish(links, image, options, seeds[k], clk, hooks));
  }
  return { results, grey: prep.grey, size, sketch: { kind: prep.kind, inverted: prep.inverted, fit: prep.fit }, timings: clk.timings, backend: backendOf(links) };
}

export interface EditRunResult {
  result: SketchResult;
  sketch: SketchInfo;
  /** The evaluations that ran: G(x_s, s, 0) by default. */
  times: StepTime[];
  timings: Record<Stage, number>;
  backend: string;
}

/**
 * Edit (Algorithm 5): `editedPng` is the painted-over result (or any illustration), `sketchPng` the
 * sketch it came from (null: extracted from the edited image); options.strength is s ∈ (0, 1] and
 * options.seed / color / latentStrength rebuild that sketch's x1 as it was. Then links 1… as runChain.
 */
export async function runEdit(links: ChainLink[], editedPng: ImageInput, sketchPng: ImageInput | null, options: EngineOptions, hooks: PipelineHooks = {}): Promise<EditRunResult> {
  if (links.length === 0) throw new EngineError('unsupported-tool', 'no model to run');
  const { card } = links[0];
  const size = sketchSize(card);
  const clk = clock(links, hooks);
  const [edited, sketch] = await clk.stage('decode', () => [decodeLayer(editedPng), sketchPng ? decodeLayer(sketchPng) : null] as const);
  const source = await clk.stage('prepare', () => buildEditSource(card, edited, sketch, options));
  const y = await clk.stage('infer', () => runBatch(links[0], source.x1, size, 1, source.times, links.length, hooks));
  const image = await clk.stage('encode', () => fromPlanes({ width: size, height: size, rgb: y, alpha: null }));
  const result = await finish(links, image, options, options.seed, clk, hooks);
  return { result, sketch: source.sketch!, times: source.times, timings: clk.timings, backend: backendOf(links) };
}
