// Evaluates G on a whole image of any size: pad to the model's multiple, run overlapping tiles,
// blend them with feathered weights, crop back. Multi-step runs repeat this along the time grid.
import { Blender, crop, extractTile, padEdge, planTiles, roundUp } from './image/tiles';
import { EngineError } from './errors';
import type { ModelSession, OutputName } from './session';
import type { StepTime } from './zoo';

export interface TileSpec {
  size: number;
  overlap: number;
  multiple: number;
  /** Pixels per model call: small tiles are batched up to this (fewer calls; one call's memory bounded). */
  batchPixels?: number;
}

/** Default pixels per call: one 256 × 256 tile, so batching never raises peak memory above that. */
export const BATCH_PIXELS = 256 * 256;

export interface EvalHooks {
  /** Called after each tile with the number done and the total for this evaluation. */
  onTile?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EngineError('cancelled', 'cancelled');
}

/** Number of tiles one evaluation of a width × height image takes. */
export function tileCount(width: number, height: number, spec: TileSpec): number {
  const pw = roundUp(width, spec.multiple);
  const ph = roundUp(height, spec.multiple);
  return planTiles(pw, ph, spec.size, spec.overlap, spec.multiple).length;
}

/** y = G(x, t, s) for x of 3 × height × width, tiled per `spec`. */
export async function evaluateTiled(
  session: ModelSession,
  x: Float32Array,
  width: number,
  height: number,
  t: number,
  s: number,
  spec: TileSpec,
  hooks: EvalHooks = {},
  output: OutputName = 'y',
): Promise<Float32Array> {
  const pw = roundUp(width, spec.multiple);
  const ph = roundUp(height, spec.multiple);
  const padded = padEdge(x, 3, width, height, pw, ph);
  const tiles = planTiles(pw, ph, spec.size, spec.overlap, spec.multiple);
  if (tiles.length === 1) {
    throwIfAborted(hooks.signal);
    const y = await session.run(padded, pw, ph, t, s, 1, output);
    hooks.onTile?.(1, 1);
    return crop(y, 3, pw, ph, width, height);
  }
  const blender = new Blender(3, pw, ph, spec.overlap);
  const { w, h } = tiles[0]; // every tile of a plan has the same size
  const per = 3 * w * h;
  const batch = Math.max(1, Math.floor((spec.batchPixels ?? BATCH_PIXELS) / (w * h)));
  for (let i = 0; i < tiles.length; i += batch) {
    throwIfAborted(hooks.signal);
    const group = tiles.slice(i, i + batch);
    const input = new Float32Array(group.length * per);
    group.forEach((tile, k) => input.set(extractTile(padded, 3, pw, ph, tile), k * per));
    const y = await session.run(input, w, h, t, s, group.length, output);
    group.forEach((tile, k) => blender.add(tile, y.subarray(k * per, (k + 1) * per)));
    hooks.onTile?.(i + group.length, tiles.length);
  }
  return crop(blender.result(), 3, pw, ph, width, height);
}

/** Runs the step schedule: x ← G(x, t_k, s_k) for each pair, tiles counted across all steps. */
export async function runSteps(
  session: ModelSession,
  x1: Float32Array,
  width: number,
  height: number,
  times: StepTime[],
  spec: TileSpec,
  hooks: EvalHooks = {},
): Promise<Float32Array> {
  const perStep = tileCount(width, height, spec);
  const total = perStep * times.length;
  let x = x1;
  for (let k = 0; k < times.length; k++) {
    x = await evaluateTiled(session, x, width, height, times[k].t, times[k].s, spec, {
      signal: hooks.signal,
      onTile: (done) => hooks.onTile?.(k * perStep + done, total),
    }, times[k].output ?? 'y');
  }
  return x;
}
