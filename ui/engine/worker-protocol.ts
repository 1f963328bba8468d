// Messages between the panel and the engine Worker. Plain data only, like src/protocol.ts.
import type { ErrorCode, MaskLayer, ResultImage, ToolId } from '../../src/protocol';
import type { Stage } from './pipeline';
import type { EngineOptions, SketchInfo } from './tools/types';
import type { ModelCard } from './zoo';

export type WorkerStage = Stage | 'load';

export type ToWorker =
  /** First message: the gzipped ORT wasm (inflated in the worker) and whether WebGPU may be tried. */
  | { type: 'init'; wasmGz: Uint8Array; allowWebgpu: boolean }
  /**
   * Runs the models in order, each on the previous one's result. A model's bytes are sent with its
   * first run (or preload); the worker keeps the session after that and gets null.
   */
  | {
      type: 'run';
      jobId: number;
      models: Array<{ card: ModelCard; model: Uint8Array | null }>;
      png: Uint8Array;
      options: EngineOptions;
      tool: ToolId;
      /** Sketch: results from consecutive seeds in one batched run. */
      variations: number;
      /** Inpaint: the shapes' exports that make the mask. */
      mask?: MaskLayer[];
      /** Edit: the sketch the result came from (none: extracted from the image). */
      sketch?: Uint8Array;
      /** Sketch: the swatch layer's pixels, the latent instead of a flat colour. */
      swatch?: Uint8Array;
      /** When the panel posted the job (ms since the epoch, `wallClock()`): the worker reports how long it waited. */
      sentAt?: number;
    }
  | { type: 'cancel'; jobId: number }
  /** Open a model's session ahead of the first run (the panel sends this when it opens). */
  | { type: 'preload'; card: ModelCard; model: Uint8Array };

export interface WorkerDone {
  type: 'done';
  jobId: number;
  /** The results (several for sketch variations), each cut to Figma's image limit (one piece when it fits). */
  results: ResultImage[];
  /** Sketch: the model-size line drawing the results came from (grey PNG), kept on them for Edit. */
  sketch?: Uint8Array;
  /** Sketch and Edit: how the layer was read (the panel says when a sketch was extracted from an image). */
  sketchInfo?: SketchInfo;
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

/** Milliseconds since the epoch on the clock the panel and its worker share (their `performance.now()` start apart). */
export const wallClock = () => performance.timeOrigin + performance.now();
