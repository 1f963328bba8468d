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
  /**
   * Sketch: a colour latent, '#rrggbb'. x1 = y + γ·ℓ with ℓ the constant image of this colour in
   * [−1, 1] (the paper's latent manipulation). Not together with `texture`.
   */
  color?: string;
  /** Sketch: a texture latent ℓ (e.g. a swatch layer's pixels), any size: centre-cropped to a square and resized to the model's. */
  texture?: Planes;
  /**
   * Sketch: γ, the strength of the colour or texture latent, in [0, LATENT_STRENGTH_MAX] (tools/sketch.ts);
   * absent: DEFAULT_LATENT_STRENGTH. Ignored without a colour or texture. (`strength` is Edit's s.)
   */
  latentStrength?: number;
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
  /** Sketch models: what was made of the user's image (tools/sketch.ts). */
  sketch?: SketchInfo;
}

/** How the sketch tool read the user's image: the panel says so when a sketch was extracted. */
export interface SketchInfo {
  /** "sketch": a drawn sketch, normalised; "extracted": colour art or a photo, put through the extractor. */
  kind: 'sketch' | 'extracted';
  /** A dark background was inverted. */
  inverted: boolean;
  /** Where the drawing lies in the model's square (the rest is white padding), model pixels. */
  fit: { x: number; y: number; w: number; h: number };
}
