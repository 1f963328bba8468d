// The one message contract between the Figma main thread (src/) and the UI iframe (ui/).
// Plain data only (structured clone): numbers, strings, arrays, Uint8Array. No figma, no DOM here.

/** Every failure travels as a code; src/messages.ts turns codes into sentences. */
export const ERROR_CODES = [
  'empty-selection',
  'no-pixels',
  'too-large',
  'export-failed',
  'decode-failed',
  'model-missing',
  'model-card-invalid',
  'model-corrupt',
  'model-load-failed',
  'backend-failed',
  'inference-failed',
  'unsupported-tool',
  'source-removed',
  'place-failed',
  'busy',
  'cancelled',
  'internal',
  // Inpaint: what the selection must be (an image and the shapes that mark what to remove)
  'mask-no-shapes',
  'mask-no-image',
  'mask-outside',
  'mask-empty',
  'mask-too-large',
  'image-hidden',
  'image-locked',
  'image-in-instance',
  // Sketch → image and Edit
  'sketch-empty',
  'swatch-empty',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Figma's createImage limit, per side. */
export const FIGMA_IMAGE_MAX = 4096;
/** Largest result we make at all: bigger results are split into pieces of ≤ FIGMA_IMAGE_MAX. */
export const RESULT_MAX_SIDE = 8192;
/** Largest result area: bounds the engine's memory (about 20 bytes per output pixel while running). */
export const RESULT_MAX_PIXELS = 4096 * 4096;

export type Placement = 'beside' | 'replace';

/**
 * Which of a model's two results: 'faithful' (its denoiser: the most likely image, smoother) or
 * 'detailed' (its one-step jump: sharper texture). Absent: each model's own default (its card).
 */
export type ResultChoice = 'faithful' | 'detailed';

/**
 * What a run does. restore: the chain of restore models on each layer; sketch: a line drawing to a
 * coloured image (variations, a colour latent); edit: a painted-over image pulled back to a clean one
 * (the sketch model started at t = s); inpaint: an image with the area under shapes filled.
 */
export const TOOL_IDS = ['restore', 'sketch', 'edit', 'inpaint'] as const;
export type ToolId = (typeof TOOL_IDS)[number];

/** Most variations one sketch run makes (side by side), and the largest colour-latent strength γ. */
export const SKETCH_LIMITS = { variations: 8, latentStrength: 2 };

/** What the user chose in the panel; saved in clientStorage and in relaunch data. */
export interface RunOptions {
  /** The models to run, in order, each on the previous one's result (e.g. clean, then upscale ×4). */
  modelIds: string[];
  /** Output pixels per input pixel for the whole chain (the product of the cards' scales). */
  scale: number;
  /** Evaluations per model; 0 = each model's default (a card may ask for more than one). */
  steps: number;
  seed: number;
  strength: number;
  placement: Placement;
  /** Faithful or Detailed for every model of the chain that has both; absent: each card's default. */
  output?: ResultChoice;
  /** The tool; absent: restore (results made before there were other tools). */
  tool?: ToolId;
  /** Sketch: how many results from consecutive seeds (seed, seed + 1, …); absent: 1. */
  variations?: number;
  /** Sketch: a colour latent '#rrggbb' added to the sketch (x1 = y + γ·ℓ); absent: none. */
  color?: string;
  /** Sketch: γ, the colour latent's strength, 0..SKETCH_LIMITS.latentStrength. (`strength` is Edit's s.) */
  latentStrength?: number;
  /** Sketch: a layer whose pixels are the latent instead of a flat colour (a swatch or texture); its id. */
  swatchId?: string;
}

/** One selected layer, as plain data. */
export interface SelectionItem {
  id: string;
  name: string;
  type: string;
  /** Pixel size of the exported image (what the layer draws, its render bounds, × exportScale, rounded). */
  width: number;
  height: number;
  exportScale: number;
}

export interface SelectionProblem {
  code: ErrorCode;
  nodeName?: string;
}

export interface SelectionState {
  items: SelectionItem[];
  /** Why nothing can run on this selection (null when it can). */
  problem: SelectionProblem | null;
  /** The tool this selection was read for (what counts as a valid selection depends on it). */
  tool?: ToolId;
  /** Every selected layer's id, valid or not: how the panel tells one selection from another. */
  ids?: string[];
  /** Inpaint: the image as a thumbnail with its shapes, for the panel's mask preview. */
  preview?: MaskPreview;
}

/** A small export of the image (longer side ≤ 160 px) and of the shapes over it, in its pixels. */
export interface MaskPreview {
  png: Uint8Array;
  width: number;
  height: number;
  mask: MaskLayer[];
}

export interface Settings {
  /** The Restore tool's size model (an upscaler's id), '' for same size; null: the first one. */
  modelId: string | null;
  /** Run the clean-up model first (noise, blur, JPEG). */
  clean: boolean;
  steps: number;
  seed: number;
  strength: number;
  placement: Placement;
  /** Faithful or Detailed; null: each model's default. */
  output: ResultChoice | null;
  /** The panel's tool. */
  tool: ToolId;
  /** Sketch: results per run (1 or 4). */
  variations: number;
  /** Sketch: output size as a multiple of the model's square (1, 2, 4). */
  sketchScale: number;
  /** Sketch: the colour latent, '#rrggbb', or null for none. */
  color: string | null;
  /** Sketch: a swatch or texture layer used as the latent instead of `color` (its id and name), or null. */
  swatch: { id: string; name: string } | null;
  /** Sketch: the colour latent's strength γ. */
  latentStrength: number;
  /** Edit: s, how far from the painted-over image the result may move (0 < s ≤ 1). */
  editStrength: number;
}

export const DEFAULT_SETTINGS: Settings = {
  modelId: null, clean: false, steps: 0, seed: 0, strength: 1, placement: 'beside', output: null,
  tool: 'restore', variations: 1, sketchScale: 1, color: null, swatch: null, latentStrength: 0.25, editStrength: 0.5,
};

// ---- main → UI ----

export interface InitMessage {
  type: 'init';
  command: string;
  selection: SelectionState;
  settings: Settings;
  /** Options stored on the selected result when the user pressed "Run again". */
  relaunch: RunOptions | null;
}
export interface SelectionMessage {
  type: 'selection';
  selection: SelectionState;
}
/** Main asks the UI to process one exported layer. */
export interface JobRequest {
  type: 'job-request';
  runId: number;
  jobId: number;
  index: number;
  count: number;
  sourceName: string;
  png: Uint8Array;
  options: RunOptions;
  /** Inpaint: the shapes over the image, each exported as it draws, placed in the image's pixels. */
  mask?: MaskLayer[];
  /** Edit: the sketch the selected result was made from (remembered on it); absent: extract one. */
  sketch?: Uint8Array;
  /** Sketch: the swatch layer's pixels (the colour or texture latent), when the run names one. */
  swatch?: Uint8Array;
}

/** One shape's exported pixels at (x, y) in the exported image's pixels: where alpha > 0 it covers. */
export interface MaskLayer {
  x: number;
  y: number;
  png: Uint8Array;
}
export interface JobPlaced {
  type: 'job-placed';
  runId: number;
  jobId: number;
  index: number;
  count: number;
  nodeIds: string[];
}
export interface RunFinished {
  type: 'run-finished';
  runId: number;
  placed: number;
  failed: number;
  cancelled: boolean;
  /** The first failure, if any (already notified through figma.notify). */
  error: { code: ErrorCode; detail: string } | null;
}
export type MainToUi = InitMessage | SelectionMessage | JobRequest | JobPlaced | RunFinished;

// ---- UI → main ----

export interface RunRequest {
  type: 'run-request';
  runId: number;
  options: RunOptions;
  /** Shown in layer names, e.g. "Upscale ×2". */
  toolTitle: string;
}
/** Part of a result at (x, y) in result pixels; results over FIGMA_IMAGE_MAX come in several pieces. */
export interface Piece {
  x: number;
  y: number;
  width: number;
  height: number;
  png: Uint8Array;
}
/** One result image; a sketch run with variations has several, placed side by side. */
export interface ResultImage {
  pieces: Piece[];
  width: number;
  height: number;
  /** Sketch: the seed that reproduces this result exactly. */
  seed?: number;
}
export interface JobResult {
  type: 'job-result';
  jobId: number;
  results: ResultImage[];
  /** Sketch: the model-size sketch the results came from (PNG), remembered on them for Edit. */
  sketch?: Uint8Array;
  backend: string;
  /** Engine milliseconds per stage (load, decode, prepare, infer, encode), for logs and the benchmark. */
  timings: Record<string, number>;
}
export interface JobFailed {
  type: 'job-failed';
  jobId: number;
  code: ErrorCode;
  detail: string;
}
export interface CancelRequest {
  type: 'cancel';
  /** The run to stop; null: whatever run main has (the way out of a "busy" the panel did not start). */
  runId: number | null;
}
export interface SaveSettings {
  type: 'save-settings';
  settings: Settings;
}
export interface ResizeRequest {
  type: 'resize';
  width: number;
  height: number;
}
export interface CloseRequest {
  type: 'close';
}
export type UiToMain = RunRequest | JobResult | JobFailed | CancelRequest | SaveSettings | ResizeRequest | CloseRequest;

const MAIN_TO_UI = new Set(['init', 'selection', 'job-request', 'job-placed', 'run-finished']);

function hasType(value: unknown): value is { type: string } {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Guard for messages arriving from main (the UI trusts main; it only checks the shape). */
export function isMainToUi(value: unknown): value is MainToUi {
  return hasType(value) && MAIN_TO_UI.has(value.type);
}

// ---- validating what the UI sends: anything can be posted to the plugin, so every field main uses is checked ----

/** The largest seed. The engine reads a seed as an unsigned 32-bit integer (ui/engine/random.ts), so
 * each of [0, MAX_SEED] gives its own noise; the messages carry only those, and the panel keeps what
 * is typed inside them. */
export const MAX_SEED = 0xffffffff;

/** A seed stored before the messages bounded it (any safe integer): the one in [0, MAX_SEED] that
 * gives the same noise, as the engine read it then. null: not a seed. */
export function normaliseSeed(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v >>> 0 : null;
}

/** The highest first seed of a run of `variations` consecutive seeds (seed, seed + 1, …) that stays in
 * [0, MAX_SEED]: the messages, the panel and the CLI hold a sketch run's seed to it. */
export function highestFirstSeed(variations: number): number {
  return MAX_SEED - (variations - 1);
}

/** Most models one run may chain, steps one model may take, and the largest scale of a chain. */
export const MESSAGE_LIMITS = { models: 8, steps: 64, scale: 16, text: 200, detail: 10_000, pieces: 64, maskLayers: 256 };

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isText = (v: unknown, max: number, min = 0): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const isId = (v: unknown): v is number => isInt(v, 0, Number.MAX_SAFE_INTEGER);
const isSeed = (v: unknown): v is number => isInt(v, 0, MAX_SEED);
const isPlacement = (v: unknown): v is Placement => v === 'beside' || v === 'replace';
const isResultChoice = (v: unknown): v is ResultChoice => v === 'faithful' || v === 'detailed';
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isTool = (v: unknown): v is ToolId => typeof v === 'string' && (TOOL_IDS as readonly string[]).includes(v);
const isColor = (v: unknown): v is string => typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v);

/** Options as the UI sends them (and as stored on a result for "Run again"). */
export function isRunOptions(v: unknown): v is RunOptions {
  if (!isRecord(v)) return false;
  return (
    Array.isArray(v.modelIds) && v.modelIds.length >= 1 && v.modelIds.length <= MESSAGE_LIMITS.models && v.modelIds.every((m) => isText(m, MESSAGE_LIMITS.text, 1)) &&
    typeof v.scale === 'number' && Number.isFinite(v.scale) && v.scale > 0 && v.scale <= MESSAGE_LIMITS.scale &&
    isInt(v.steps, 0, MESSAGE_LIMITS.steps) &&
    isSeed(v.seed) &&
    typeof v.strength === 'number' && v.strength >= 0 && v.strength <= 1 &&
    isPlacement(v.placement) &&
    (v.output === undefined || isResultChoice(v.output)) &&
    (v.tool === undefined || isTool(v.tool)) &&
    // variations use the seeds after this one too: the last of them is a seed as well
    (v.variations === undefined || (isInt(v.variations, 1, SKETCH_LIMITS.variations) && v.seed <= highestFirstSeed(v.variations))) &&
    (v.color === undefined || isColor(v.color)) &&
    (v.latentStrength === undefined || (typeof v.latentStrength === 'number' && v.latentStrength >= 0 && v.latentStrength <= SKETCH_LIMITS.latentStrength)) &&
    (v.swatchId === undefined || isText(v.swatchId, MESSAGE_LIMITS.text, 1)) &&
    !(v.swatchId !== undefined && v.color !== undefined)
  );
}

export function isSettings(v: unknown): v is Settings {
  if (!isRecord(v)) return false;
  return (
    (v.modelId === null || isText(v.modelId, MESSAGE_LIMITS.text)) &&
    typeof v.clean === 'boolean' &&
    isInt(v.steps, 0, MESSAGE_LIMITS.steps) &&
    isSeed(v.seed) &&
    typeof v.strength === 'number' && v.strength >= 0 && v.strength <= 1 &&
    isPlacement(v.placement) &&
    // settings saved before a field existed lack it: the default (loadSettings merges DEFAULT_SETTINGS under them)
    (v.output === undefined || v.output === null || isResultChoice(v.output)) &&
    (v.tool === undefined || isTool(v.tool)) &&
    (v.variations === undefined || isInt(v.variations, 1, SKETCH_LIMITS.variations)) &&
    (v.sketchScale === undefined || isInt(v.sketchScale, 1, MESSAGE_LIMITS.scale)) &&
    (v.color === undefined || v.color === null || isColor(v.color)) &&
    (v.swatch === undefined || v.swatch === null || (isRecord(v.swatch) && isText(v.swatch.id, MESSAGE_LIMITS.text, 1) && isText(v.swatch.name, MESSAGE_LIMITS.text))) &&
    (v.latentStrength === undefined || (typeof v.latentStrength === 'number' && v.latentStrength >= 0 && v.latentStrength <= SKETCH_LIMITS.latentStrength)) &&
    (v.editStrength === undefined || (typeof v.editStrength === 'number' && v.editStrength > 0 && v.editStrength <= 1))
  );
}

/** A job's results (1..SKETCH_LIMITS.variations images), its backend and timings. */
function isJobResult(v: Rec): boolean {
  if (!isId(v.jobId) || !isText(v.backend, MESSAGE_LIMITS.text)) return false;
  if (!isRecord(v.timings) || !Object.values(v.timings).every((t) => typeof t === 'number')) return false;
  if (v.sketch !== undefined && !(isBytes(v.sketch) && v.sketch.length >= 8)) return false;
  const results = v.results;
  return Array.isArray(results) && results.length >= 1 && results.length <= SKETCH_LIMITS.variations && results.every(isResultImage);
}

/** A result: a size within the limits, and pieces (PNG bytes) that tile it exactly, each within Figma's image limit. */
function isResultImage(v: unknown): boolean {
  if (!isRecord(v)) return false;
  const { width: w, height: h, pieces } = v;
  if (!isInt(w, 1, RESULT_MAX_SIDE) || !isInt(h, 1, RESULT_MAX_SIDE) || w * h > RESULT_MAX_PIXELS) return false;
  if (v.seed !== undefined && !isSeed(v.seed)) return false;
  if (!Array.isArray(pieces) || pieces.length < 1 || pieces.length > MESSAGE_LIMITS.pieces) return false;
  let area = 0;
  for (const p of pieces as unknown[]) {
    if (!isRecord(p) || !isBytes(p.png) || p.png.length < 8) return false;
    if (!isInt(p.width, 1, FIGMA_IMAGE_MAX) || !isInt(p.height, 1, FIGMA_IMAGE_MAX)) return false;
    if (!isInt(p.x, 0, w - p.width) || !isInt(p.y, 0, h - p.height)) return false;
    area += p.width * p.height;
  }
  // Inside the result, no two overlapping, and as much area as the result: they cover it exactly.
  const boxes = pieces as Piece[];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) return false;
    }
  }
  return area === w * h;
}

const CODES = new Set<string>(ERROR_CODES);

const UI_TO_MAIN: { [K in UiToMain['type']]: (m: Rec) => boolean } = {
  'run-request': (m) => isId(m.runId) && isText(m.toolTitle, MESSAGE_LIMITS.text, 1) && isRunOptions(m.options),
  'job-result': isJobResult,
  'job-failed': (m) => isId(m.jobId) && typeof m.code === 'string' && CODES.has(m.code) && isText(m.detail, MESSAGE_LIMITS.detail),
  cancel: (m) => m.runId === null || isId(m.runId),
  'save-settings': (m) => isSettings(m.settings),
  resize: (m) => isInt(m.width, 100, 2000) && isInt(m.height, 100, 2000),
  close: () => true,
};

/**
 * Guard for messages from the UI: the type and every field main uses (ids, sizes, piece geometry,
 * options, settings). A malformed message is dropped; it never reaches the run or the document.
 */
export function isUiToMain(value: unknown): value is UiToMain {
  if (!hasType(value) || !Object.prototype.hasOwnProperty.call(UI_TO_MAIN, value.type)) return false;
  return UI_TO_MAIN[value.type as UiToMain['type']](value as unknown as Rec);
}

/** Options read back from a result layer; results made before chains stored a single modelId. */
export function normaliseRunOptions(value: unknown): RunOptions | null {
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Partial<RunOptions> & { modelId?: unknown };
  const modelIds = Array.isArray(o.modelIds) ? o.modelIds.filter((m): m is string => typeof m === 'string') : typeof o.modelId === 'string' ? [o.modelId] : [];
  if (modelIds.length === 0 || typeof o.scale !== 'number') return null;
  const { modelId: _old, ...rest } = o;
  const options = { ...DEFAULT_RUN, ...rest, modelIds };
  const seed = normaliseSeed(options.seed);
  if (seed !== null) options.seed = seed;
  return isRunOptions(options) ? options : null;
}

const DEFAULT_RUN = { steps: 0, seed: 0, strength: 1, placement: 'beside' as Placement };

/** Output size for an input size: each side times the scale, rounded down as torch's interpolate does. */
export function outputSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.floor(width * scale), height: Math.floor(height * scale) };
}

/** Why a result of this size cannot be made (null when it can). Checked before any work starts. */
export function resultSizeProblem(width: number, height: number): ErrorCode | null {
  if (width < 1 || height < 1) return 'no-pixels';
  if (width > RESULT_MAX_SIDE || height > RESULT_MAX_SIDE || width * height > RESULT_MAX_PIXELS) return 'too-large';
  return null;
}
