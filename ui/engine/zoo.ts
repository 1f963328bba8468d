// Model cards (models/zoo/<id>.json): the parts the engine relies on, checked once when a card is read.
import { EngineError } from './errors';

export type ToolName = 'restore' | 'sketch' | 'style' | 'inpaint' | 'edit' | 'generate';

export interface ModelCard {
  id: string;
  tool: ToolName | string;
  version: string;
  title: string;
  summary: string;
  file: string;
  sha256: string;
  bytes: number;
  /** H and W fed to the model must be multiples of this. */
  multiple: number;
  tile: { size: number; overlap: number };
  /**
   * How x1 (the model's t = 1 input) is built from the user's image. `size`: the model's fixed square
   * side (sketch models: every input is fitted into size × size and the output is that square).
   */
  /** sigma_p_scale k: an upscaler's source noise is drawn at 1/k of x1's size and resized to it (absent:
   * 1, white noise on x1's pixels; models/gctm/source_noise.py says why). */
  source: { kind: string; scale?: number; resize?: string | null; sigma_p?: number; sigma_p_scale?: number; size?: number };
  /**
   * Sketch: the colour latent's strengths as measured on held-out drawings: `best`, the strongest that
   * still leaves the paper white; `floods`, where the colour covers the paper.
   */
  latent?: { best: number; floods: number; how?: string };
  /** Inpaint: the largest hole side, in model pixels, the measurements support (crops shrink bigger holes to it). */
  max_hole?: number;
  time: { sigma_max: number; grid: number[]; one_step: { t: number; s: number } };
  params?: number;
  flops_per_output_pixel?: number;
  metrics?: unknown;
  training?: unknown;
  data?: unknown;
  fp16_file?: string;
  /** Steps the model runs when the user leaves Steps on its default (1 when absent). */
  default_steps?: number;
  /** The model's inputs, name → shape and meaning: x, t, s always; "mask" (1 in the hole) for inpaint models that take it. */
  inputs?: Record<string, string>;
  /** The model's outputs: "y" (G, the jump) always; "g" (the network's endpoint estimate) when exported. */
  outputs?: string[];
  /** What the tool gives when the user makes no choice (models with both outputs). */
  default_output?: OutputChoice;
  /** What the one step is, as measured: a jump along the model's ODE, or (still) its denoiser. */
  one_step?: 'gctm' | 'regressor';
}

/**
 * The two results one network can give (the model contract's y and g), in a designer's words:
 * - detailed: the one-step jump G(x1, 1, 0) along the ODE — a sample, with sharper texture;
 * - faithful: the denoiser g(x1, 1, 1) — the average of what the image could be, highest PSNR, smoother.
 */
export type OutputChoice = 'detailed' | 'faithful';

/** One evaluation of the step schedule: G(x, t, s), read from output y (or g for the denoiser). */
export interface StepTime {
  t: number;
  s: number;
  output?: 'y' | 'g';
}

/** Whether the card's model exports the denoiser output g beside G. */
export function hasDenoiser(card: ModelCard): boolean {
  return Array.isArray(card.outputs) && card.outputs.includes('g');
}

/** Whether Faithful and Detailed are two different results worth a choice: a model whose one step
 * is still its denoiser (a regressor) gives the same image either way. */
export function offersResultChoice(card: ModelCard): boolean {
  return hasDenoiser(card) && card.one_step !== 'regressor';
}

/** The output a run gives: the user's choice where the model has both, else the one it has. */
export function effectiveOutput(card: ModelCard, choice: OutputChoice | undefined): OutputChoice {
  if (!hasDenoiser(card)) return 'detailed';
  return choice ?? card.default_output ?? 'detailed';
}

function fail(id: string, what: string): never {
  throw new EngineError('model-card-invalid', `${id}: ${what}`);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Validates a parsed card; throws model-card-invalid naming the first bad field. */
export function parseCard(value: unknown): ModelCard {
  if (typeof value !== 'object' || value === null) fail('?', 'not an object');
  const c = value as Record<string, unknown>;
  const id = typeof c.id === 'string' && c.id ? c.id : fail('?', 'missing id');
  for (const key of ['tool', 'title', 'file', 'sha256'] as const) {
    if (typeof c[key] !== 'string' || !c[key]) fail(id, `missing ${key}`);
  }
  if (!/^[0-9a-f]{64}$/.test(c.sha256 as string)) fail(id, 'sha256 is not 64 hex digits');
  if (!isNum(c.multiple) || c.multiple < 1) fail(id, 'multiple must be a positive number');
  const tile = c.tile as ModelCard['tile'] | undefined;
  if (!tile || !isNum(tile.size) || !isNum(tile.overlap)) fail(id, 'tile.size and tile.overlap are required');
  if (tile.size % (c.multiple as number) !== 0) fail(id, 'tile.size must be a multiple of multiple');
  if (tile.overlap < 0 || tile.overlap >= tile.size) fail(id, 'tile.overlap must be in [0, tile.size)');
  const source = c.source as ModelCard['source'] | undefined;
  if (!source || typeof source.kind !== 'string') fail(id, 'source.kind is required');
  if (source.scale !== undefined && (!isNum(source.scale) || source.scale <= 0)) fail(id, 'source.scale must be > 0');
  if (source.sigma_p !== undefined && (!isNum(source.sigma_p) || source.sigma_p < 0)) fail(id, 'source.sigma_p must be ≥ 0');
  if (source.sigma_p_scale !== undefined) {
    const k = source.sigma_p_scale;
    if (!Number.isInteger(k) || k < 1) fail(id, 'source.sigma_p_scale must be a positive whole number');
    if (k > 1 && (source.kind !== 'upscale' || !Number.isInteger((source.scale ?? 1) / k))) fail(id, 'source.sigma_p_scale must divide an upscaler\'s scale');
  }
  if (source.size !== undefined) {
    const size = source.size;
    if (!Number.isInteger(size) || size < 1) fail(id, 'source.size must be a positive whole number');
    if (size % (c.multiple as number) !== 0) fail(id, 'source.size must be a multiple of multiple');
    // One tile: a fixed-size model (global attention) must see its whole square at once.
    if (size > tile.size) fail(id, 'source.size must not exceed tile.size');
  } else if (source.kind === 'sketch') fail(id, 'source.size is required for a sketch model');
  const time = c.time as ModelCard['time'] | undefined;
  if (!time || !Array.isArray(time.grid) || time.grid.length < 2 || !time.grid.every(isNum)) {
    fail(id, 'time.grid must list at least two times');
  }
  for (let i = 1; i < time.grid.length; i++) if (!(time.grid[i] > time.grid[i - 1])) fail(id, 'time.grid must increase');
  if (!time.one_step || !isNum(time.one_step.t) || !isNum(time.one_step.s)) fail(id, 'time.one_step needs t and s');
  if (c.outputs !== undefined && (!Array.isArray(c.outputs) || !c.outputs.includes('y'))) fail(id, 'outputs must list "y"');
  if (c.default_output !== undefined && c.default_output !== 'detailed' && c.default_output !== 'faithful') {
    fail(id, 'default_output must be "detailed" or "faithful"');
  }
  const ds = c.default_steps;
  if (ds !== undefined && (!Number.isInteger(ds) || (ds as number) < 1 || (ds as number) > time.grid.length - 1)) {
    fail(id, `default_steps must be a whole number from 1 to ${time.grid.length - 1}`);
  }
  return {
    version: '',
    summary: '',
    bytes: 0,
    ...(c as object),
  } as ModelCard;
}

/** Output pixels per input pixel for this model. */
export function cardScale(card: ModelCard): number {
  return card.source.kind === 'upscale' ? card.source.scale ?? 1 : 1;
}

/**
 * The size of a model's result for a width × height input: a fixed-size model (source.size) gives its
 * square whatever the input; the others scale it by cardScale.
 */
export function cardOutputSize(card: ModelCard, width: number, height: number): { width: number; height: number } {
  const fixed = card.source.size;
  if (fixed !== undefined) return { width: fixed, height: fixed };
  const k = cardScale(card);
  return { width: Math.floor(width * k), height: Math.floor(height * k) };
}

/** Steps to run: the user's choice, or (0) the card's default; never more than the grid allows. */
export function effectiveSteps(card: ModelCard, steps: number): number {
  const k = steps > 0 ? Math.floor(steps) : card.default_steps ?? 1;
  return Math.max(1, Math.min(k, card.time.grid.length - 1));
}

/**
 * The evaluations of a run. Faithful is one evaluation of the denoiser at the source time, g(x1, t, t),
 * whatever Steps says (the posterior mean has no steps to walk). Detailed takes k steps (0: the
 * card's default): one step is the card's one_step; k steps walk the grid from 1 to 0.
 */
export function stepTimes(card: ModelCard, steps: number, output?: OutputChoice): StepTime[] {
  if (effectiveOutput(card, output) === 'faithful') {
    const t = card.time.one_step.t;
    return [{ t, s: t, output: 'g' }];
  }
  const k = effectiveSteps(card, steps);
  if (k === 1) return [{ t: card.time.one_step.t, s: card.time.one_step.s }];
  const grid = card.time.grid;
  const last = grid.length - 1;
  const n = Math.min(k, last);
  const idx: number[] = [];
  for (let j = n; j >= 0; j--) idx.push(Math.round((j * last) / n));
  const pairs: StepTime[] = [];
  for (let j = 0; j < n; j++) pairs.push({ t: grid[idx[j]], s: grid[idx[j + 1]] });
  return pairs;
}
