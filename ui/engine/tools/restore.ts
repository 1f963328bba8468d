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

/** σp·ε for a source of w × h: white noise from the seed, or, where the card draws it at 1/k of the
 * source's size (source.sigma_p_scale), that noise resized by the same bicubic as the image. */
function sourceNoise(card: ModelCard, sigma: number, seed: number, w: number, h: number): Float32Array {
  const k = card.source.sigma_p_scale ?? 1;
  const eps = k > 1 ? resizeBicubic(gaussian(3 * (w / k) * (h / k), seed), 3, w / k, h / k, w, h) : gaussian(3 * w * h, seed);
  for (let i = 0; i < eps.length; i++) eps[i] *= sigma;
  return eps;
}

export function buildRestoreSource(card: ModelCard, input: ToolInput): Source {
  const { planes, options } = input;
  const { width, height } = planes;
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
    x1 = resizeBicubic(planes.rgb, 3, width, height, outW, outH);
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
  if (perturbsSource(card, options.output)) {
    const noise = sourceNoise(card, card.source.sigma_p ?? 0, options.seed, outW, outH);
    for (let i = 0; i < x1.length; i++) x1[i] += noise[i];
  }
  return { x1, width: outW, height: outH, alpha };
}
