// The panel's words for what a model does and costs, for designers: quality against an ordinary
// resize (or the untouched image), time for the selected layers, where it runs. The numbers behind
// them (PSNR, sizes, evaluations) stay in "About this model".
import { cardScale, effectiveSteps, type ModelCard } from '../engine/zoo';

/**
 * Floating-point operations per second of the shipped models on WebAssembly, one thread (measured:
 * restore-x4 10.4 kFLOP per output pixel at 0.41 s per megapixel, restore-x2 49.6 k at 1.9 s: both
 * about 25 GFLOP/s on a 2-core laptop-class CPU). Only used for "about N s".
 */
export const WASM_FLOPS = 25e9;
/** Decoding, resizing and encoding, per output pixel (about 0.3 s per megapixel). */
const OVERHEAD_S_PER_PIXEL = 0.3e-6;

type Summary = Record<string, { psnr?: number } | undefined>;

/** The held-out quality of the default run and its baseline (bicubic for upscalers, the damaged input for clean-up). */
export function measuredQuality(card: ModelCard): { model: number; baseline: number; baselineName: string; baselineTerm: string; images?: number } | null {
  const metrics = card.metrics as { summary?: Summary; images?: number } | undefined;
  const summary = metrics?.summary;
  if (!summary) return null;
  const model = effectiveSteps(card, 0) > 1 ? summary.gctm_k?.psnr : summary.gctm_nfe1?.psnr;
  const [baselineName, baselineTerm, baseline] = summary.bicubic
    ? ['a standard resize', 'bicubic resize', summary.bicubic.psnr]
    : ['the original', 'the damaged input', summary.input?.psnr];
  if (typeof model !== 'number' || typeof baseline !== 'number') return null;
  return { model, baseline, baselineName, baselineTerm, images: metrics?.images };
}

/** One short sentence: what the model does, and how much better than the plain alternative it measured. */
export function qualityWords(card: ModelCard): string {
  const upscale = card.source.kind === 'upscale';
  const q = measuredQuality(card);
  if (!q) return upscale ? `Makes the layer ${cardScale(card)}× larger.` : 'Cleans up the layer at the same size.';
  const gain = q.model - q.baseline;
  const how = gain >= 2 ? 'Clearly' : gain >= 1 ? '' : gain > 0 ? 'A little' : '';
  if (gain <= 0) return upscale ? `Makes the layer ${cardScale(card)}× larger.` : 'Cleans up the layer at the same size.';
  const what = upscale ? `sharper than ${q.baselineName}` : 'cleaner than the original';
  return `${how ? `${how} ${what}` : what.charAt(0).toUpperCase() + what.slice(1)}.`;
}

/** Seconds a chain takes on `inputPixels` input pixels (WASM, one thread), or null when a card lacks its cost. */
export function estimateSeconds(chain: ModelCard[], inputPixels: number): number | null {
  let pixels = inputPixels;
  let seconds = 0;
  for (const card of chain) {
    if (typeof card.flops_per_output_pixel !== 'number') return null;
    pixels *= cardScale(card) ** 2;
    seconds += (card.flops_per_output_pixel * pixels * effectiveSteps(card, 0)) / WASM_FLOPS + pixels * OVERHEAD_S_PER_PIXEL;
  }
  return seconds;
}

/** "under a second", "about 3 s", "about 2 min". */
export function durationWords(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  return `about ${Math.round(seconds / 60)} min`;
}

/** Where the engine ran, in a designer's words ("wasm" → this computer's processor). */
export function backendWords(backend: string): string {
  const parts = backend.split(/\s*\+\s*/).filter(Boolean);
  const words = parts.map((b) => (b === 'webgpu' ? 'the graphics card' : 'the processor'));
  return [...new Set(words)].join(' and ') || 'this computer';
}

/** The numbers behind the words, for "About this model". */
export function aboutLines(card: ModelCard): string[] {
  const lines: string[] = [`${card.title}, version ${card.version}${card.bytes ? `, ${(card.bytes / 1048576).toFixed(1)} MB` : ''}.`];
  if (card.summary) lines.push(card.summary);
  const q = measuredQuality(card);
  if (q) {
    lines.push(`Measured on ${q.images ?? 'the'} held-out images: ${q.model.toFixed(1)} dB PSNR, ${q.baselineTerm} ${q.baseline.toFixed(1)} dB (higher is closer to the undamaged image).`);
  }
  const steps = effectiveSteps(card, 0);
  lines.push(`Runs the network ${steps === 1 ? 'once' : `${steps} times`} by default (Steps); up to ${card.time.grid.length - 1} steps.`);
  if (typeof card.flops_per_output_pixel === 'number') {
    lines.push(`${(card.flops_per_output_pixel / 1000).toFixed(1)} k operations per result pixel: about ${((card.flops_per_output_pixel * 1e6) / WASM_FLOPS).toFixed(1)} s per megapixel on one processor core.`);
  }
  const credits = trainingCredits(card);
  if (credits) lines.push(`Trained on ${credits}.`);
  const licence = (card as { licence?: unknown }).licence;
  if (typeof licence === 'string' && licence) lines.push(`Model weights: ${licence}`);
  return lines;
}

/**
 * The training data a card names for this model ("npm openmoji 17.0.0 (CC-BY-SA-4.0), …"): the
 * attribution its licences ask for, shown where the model is used.
 */
export function trainingCredits(card: ModelCard): string {
  if (!Array.isArray(card.data)) return '';
  const used = (card.data as Array<Record<string, unknown>>).filter(
    (d) => typeof d.use === 'string' && d.use.startsWith('train') && new RegExp(`\\b${card.id}\\b`).test(d.use as string),
  );
  return used.map((d) => `${String(d.package).replace(/ \(Debian 12\)$/, '')} (${d.licence})`).join(', ');
}
