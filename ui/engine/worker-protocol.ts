// Messages between the panel and the engine Worker. Plain data only, like src/protocol.ts.
import type { ErrorCode, Piece } from '../../src/protocol';
import type { Stage } from './pipeline';
import type { EngineOptions } from './tools/types';
import type { ModelCard } from './zoo';

export type WorkerStage = Stage | 'load';

export type ToWorker =
  /** First message: the gzipped ORT wasm (inflated in the worker) and whether WebGPU may be tried. */
  | { type: 'init'; wasmGz: Uint8Array; allowWebgpu: boolean }
  /**
   * Runs the models in order, each on the previous one's result. A model's bytes are sent with its
   * first run (or preload); the worker keeps the session after that and gets null.
   */
  | { type: 'run'; jobId: number; models: Array<{ card: ModelCard; model: Uint8Array | null }>; png: Uint8Array; options: EngineOptions }
  | { type: 'cancel'; jobId: number }
  /** Open a model's session ahead of the first run (the panel sends this when it opens). */
  | { type: 'preload'; card: ModelCard; model: Uint8Array };

export interface WorkerDone {
  type: 'done';
  jobId: number;
  /** The result cut to Figma's image limit (one piece when it fits). */
  pieces: Piece[];
  width: number;
  height: number;
  backend: string;
  tiles: number;
  timings: Record<string, number>;
}

export type FromWorker =
  | { type: 'progress'; jobId: number; stage: WorkerStage; done: number; total: number; part?: number; parts?: number }
  | WorkerDone
  | { type: 'error'; jobId: number; code: ErrorCode; detail: string }
  | { type: 'log'; message: string }
  | { type: 'preload-failed'; modelId: string; code: ErrorCode; detail: string };
