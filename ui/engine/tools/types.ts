// What every tool receives and returns: the user's image as planes in, the model's x1 out.
import type { Planes } from '../image/raw';
import type { OutputChoice } from '../zoo';

export interface EngineOptions {
  /** Evaluations per model; 0 = each model's default (its card's default_steps, else 1). */
  steps: number;
  seed: number;
  strength: number;
  /** detailed (the one-step jump) or faithful (the denoiser); absent: each card's default_output. */
  output?: OutputChoice;
}

export interface ToolInput {
  planes: Planes;
  options: EngineOptions;
}

/** x1 (3 × height × width, [−1, 1]) at output size, and the output alpha (or null when opaque). */
export interface Source {
  x1: Float32Array;
  width: number;
  height: number;
  alpha: Float32Array | null;
}
