// Restore (upscale, denoise, deblur, JPEG clean-up): x1 is the degraded image at output size.
import { resizeBicubic } from '../image/resize';
import { gaussian } from '../random';
import { EngineError } from '../errors';
import { cardScale, effectiveOutput, type ModelCard, type OutputChoice } from '../zoo';
import type { Source, ToolInput } from './types';

/** Degradations whose x1 is simply the user's image at its own size (the image is already degraded). */
export const SAME_SIZE_KINDS = new Set(['clean', 'identity', 'denoise', 'deblur', 'jpeg']);

/** The Restore tool's clean-up model: a same-size restore card, preferring source kind 'clean'. */
export function cleanerOf(cards: ModelCard[]): ModelCard | null {
  const sameSize = cards.filter((c) => c.tool === 'restore' && c.source.kind !== 'upscale');
  return sameSize.find((c) => c.source.kind === 'clean') ?? sameSize[0] ?? null;
}

/** Output pixels per input pixel of a chain of models. */
export function chainScale(chain: ModelCard[]): number {
  return chain.reduce((k, c) => k * cardScale(c), 1);
}

/** Whether a Restore model is given its source perturbed (x1 + σp·ε, the seed picking ε): a model
 * trained on a perturbed source (card source.sigma_p > 0), for Detailed, whose jump from it is one
 * sample of the image. Faithful, the denoiser, is given x1 itself: the most likely image of what the
 * user gave, not of one draw of the noise. */
export function perturbsSource(card: ModelCard, output: OutputChoice | undefined): boolean {
  return (card.source.sigma_p ?? 0) > 0 && effectiveOutput(card, output) === 'detailed';
}

/** rgb + σp·ε with ε = gaussian(rgb.length, seed): a new array. */
function withNoise(rgb: Float32Array, sigma: number, seed: number): Float32Array {
  const eps = gaussian(rgb.length, seed);
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = rgb[i] + sigma * eps[i];
  return out;
}

export function buildRestoreSource(card: ModelCard, input: ToolInput): Source {
  const { planes, options } = input;
  const { width, height } = planes;
  const sigma = perturbsSource(card, options.output) ? card.source.sigma_p ?? 0 : 0;
  // An upscaler trained with its noise on the input (card source.sigma_p_at = 'input') is given the
  // resize of the noised input; otherwise the noise goes on x1's own pixels below.
  const noiseOnInput = sigma > 0 && card.source.sigma_p_at === 'input';
  let x1 = planes.rgb;
  let alpha = planes.alpha;
  let outW = width;
  let outH = height;
  if (card.source.kind === 'upscale') {
    const scale = card.source.scale ?? 1;
    if ((card.source.resize ?? 'bicubic') !== 'bicubic') {
      throw new EngineError('unsupported-tool', `${card.id}: resize "${card.source.resize}" is not implemented`);
    }
    outW = Math.floor(width * scale);
    outH = Math.floor(height * scale);
    x1 = resizeBicubic(noiseOnInput ? withNoise(planes.rgb, sigma, options.seed) : planes.rgb, 3, width, height, outW, outH);
    if (alpha) {
      // Alpha takes the same kernel as colour but must stay a valid coverage value.
      alpha = resizeBicubic(alpha, 1, width, height, outW, outH);
      for (let i = 0; i < alpha.length; i++) alpha[i] = Math.min(1, Math.max(0, alpha[i]));
    }
  } else if (!SAME_SIZE_KINDS.has(card.source.kind)) {
    throw new EngineError('unsupported-tool', `${card.id}: source kind "${card.source.kind}" is not implemented`);
  } else {
    x1 = x1.slice();
  }
  if (sigma > 0 && !(noiseOnInput && card.source.kind === 'upscale')) {
    const eps = gaussian(x1.length, options.seed);
    for (let i = 0; i < x1.length; i++) x1[i] += sigma * eps[i];
  }
  return { x1, width: outW, height: outH, alpha };
}
