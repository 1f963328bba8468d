// The engine's one job end to end: PNG in → decode → x1 for the tool → tiled model runs → alpha → PNG out.
import { decodePng, encodePng } from './codec';
import { fromPlanes, toPlanes, type RawImage } from './image/raw';
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
}

export interface PipelineHooks {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export interface PipelineResult {
  png: Uint8Array;
  image: RawImage;
  /** Milliseconds per stage. */
  timings: Record<Stage, number>;
  tiles: number;
  backend: string;
}

export async function runPipeline(
  card: ModelCard,
  session: ModelSession,
  png: Uint8Array,
  options: EngineOptions,
  hooks: PipelineHooks = {},
): Promise<PipelineResult> {
  const now = hooks.now ?? (() => performance.now());
  const timings: Record<Stage, number> = { decode: 0, prepare: 0, infer: 0, encode: 0 };
  const stage = async <T>(name: Stage, fn: () => T | Promise<T>): Promise<T> => {
    throwIfAborted(hooks.signal);
    hooks.onProgress?.({ stage: name, done: 0, total: 1 });
    const start = now();
    const value = await fn();
    timings[name] = now() - start;
    return value;
  };

  const raw = await stage('decode', () => decodePng(png));
  const source = await stage('prepare', () => buildSource(card, { planes: toPlanes(raw), options }));
  let tiles = 0;
  const y = await stage('infer', () =>
    runSteps(session, source.x1, source.width, source.height, stepTimes(card, options.steps), { ...card.tile, multiple: card.multiple }, {
      signal: hooks.signal,
      onTile: (done, total) => {
        tiles = total;
        hooks.onProgress?.({ stage: 'infer', done, total });
      },
    }),
  );
  const image = await stage('encode', () => fromPlanes({ width: source.width, height: source.height, rgb: y, alpha: source.alpha }));
  const start = now();
  const out = encodePng(image);
  timings.encode += now() - start;
  return { png: out, image, timings, tiles, backend: session.backend };
}
