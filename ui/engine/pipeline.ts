// The engine's one job end to end: PNG in → decode → for each model of the chain: x1 for its tool,
// tiled model runs → alpha → PNG out. A chain is e.g. [clean, restore-x4]: each model gets the
// previous one's result as an 8-bit image, exactly as if the user had run the two tools in turn.
import { encodePng, imageOf, type ImageInput } from './codec';
import { EngineError } from './errors';
import { fromPlanes, toPlanes, type Planes, type RawImage } from './image/raw';
import { runSteps, throwIfAborted } from './evaluate';
import { buildSource } from './tools';
import type { EngineOptions } from './tools/types';
import { stepTimes, type ModelCard } from './zoo';
import type { ModelSession } from './session';

export type Stage = 'decode' | 'prepare' | 'infer' | 'encode';

export interface Progress {
  stage: Stage;
  done: number;
  total: number;
  /** Which model of the chain (0-based) and how many there are. */
  part: number;
  parts: number;
}

export interface PipelineHooks {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  now?: () => number;
}

/** A chain's result as an image, not yet encoded. */
export interface ImageResult {
  image: RawImage;
  /** Milliseconds per stage, summed over the chain. */
  timings: Record<Stage, number>;
  tiles: number;
  backend: string;
}

export interface PipelineResult extends ImageResult {
  png: Uint8Array;
}

export interface ChainLink {
  card: ModelCard;
  session: ModelSession;
}

/**
 * The options an upscaler gets when it follows a tool's own model (Sketch, Edit, Inpaint): Steps and
 * the result choice are that model's, so the upscaler runs its card's default steps and result (a
 * Detailed upscaler would add its grain to flat colour and to fills).
 */
export function followerOptions(options: EngineOptions): EngineOptions {
  return { ...options, steps: 0, output: undefined };
}

/** runChain without the final PNG encode: for a caller that encodes the result itself (in pieces). */
export async function runChainToImage(links: ChainLink[], png: ImageInput, options: EngineOptions, hooks: PipelineHooks = {}): Promise<ImageResult> {
  if (links.length === 0) throw new EngineError('unsupported-tool', 'no model to run');
  const now = hooks.now ?? (() => performance.now());
  const timings: Record<Stage, number> = { decode: 0, prepare: 0, infer: 0, encode: 0 };
  let part = 0;
  const stage = async <T>(name: Stage, fn: () => T | Promise<T>): Promise<T> => {
    throwIfAborted(hooks.signal);
    if (name !== 'infer') hooks.onProgress?.({ stage: name, done: 0, total: 1, part, parts: links.length });
    const start = now();
    const value = await fn();
    timings[name] += now() - start;
    return value;
  };

  const raw = await stage('decode', () => imageOf(png));
  let planes: Planes = toPlanes(raw);
  if (planes.alpha && planes.alpha.every((a) => a === 0)) {
    // Nothing visible: a model would only invent colour under zero alpha.
    throw new EngineError('no-pixels', `${raw.width}×${raw.height} layer is fully transparent`);
  }
  let tiles = 0;
  let image: RawImage = raw;
  for (let i = 0; i < links.length; i++) {
    part = i;
    const { card, session } = links[i];
    if (i > 0) planes = toPlanes(image); // 8-bit hand-over, as between two separate runs
    const input = planes;
    const source = await stage('prepare', () => buildSource(card, { planes: input, options }));
    let linkTiles = 0;
    const y = await stage('infer', () =>
      runSteps(session, source.x1, source.width, source.height, stepTimes(card, options.steps, options.output), { ...card.tile, multiple: card.multiple }, {
        signal: hooks.signal,
        onTile: (done, total) => {
          linkTiles = total;
          hooks.onProgress?.({ stage: 'infer', done, total, part: i, parts: links.length });
        },
      }),
    );
    tiles += linkTiles;
    image = await stage('encode', () => fromPlanes({ width: source.width, height: source.height, rgb: y, alpha: source.alpha }));
  }
  return { image, timings, tiles, backend: links.map((l) => l.session.backend).filter((b, j, all) => all.indexOf(b) === j).join(' + ') };
}

export async function runChain(links: ChainLink[], png: ImageInput, options: EngineOptions, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const result = await runChainToImage(links, png, options, hooks);
  const now = hooks.now ?? (() => performance.now());
  const start = now();
  const out = encodePng(result.image);
  result.timings.encode += now() - start;
  return { ...result, png: out };
}

/** One model: the common case, and what the golden tests check against PyTorch. */
export function runPipeline(card: ModelCard, session: ModelSession, png: ImageInput, options: EngineOptions, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  return runChain([{ card, session }], png, options, hooks);
}
