// The one message contract between the Figma main thread (src/) and the UI iframe (ui/).
// Plain data only (structured clone): numbers, strings, arrays, Uint8Array. No figma, no DOM here.

/** Every failure travels as a code; src/messages.ts turns codes into sentences. */
export type ErrorCode =
  | 'empty-selection'
  | 'no-pixels'
  | 'too-large'
  | 'export-failed'
  | 'decode-failed'
  | 'model-missing'
  | 'model-card-invalid'
  | 'model-corrupt'
  | 'model-load-failed'
  | 'backend-failed'
  | 'inference-failed'
  | 'unsupported-tool'
  | 'source-removed'
  | 'place-failed'
  | 'busy'
  | 'cancelled'
  | 'internal';

/** Figma's createImage limit, per side. */
export const FIGMA_IMAGE_MAX = 4096;
/** Largest result we make at all: bigger results are split into pieces of ≤ FIGMA_IMAGE_MAX. */
export const RESULT_MAX_SIDE = 8192;
/** Largest result area: bounds the engine's memory (about 20 bytes per output pixel while running). */
export const RESULT_MAX_PIXELS = 4096 * 4096;

export type Placement = 'beside' | 'replace';

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
}

/** One selected layer, as plain data. */
export interface SelectionItem {
  id: string;
  name: string;
  type: string;
  /** Pixel size of the exported image (layer size × exportScale, rounded). */
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
}

export const DEFAULT_SETTINGS: Settings = { modelId: null, clean: false, steps: 0, seed: 0, strength: 1, placement: 'beside' };

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
export interface JobResult {
  type: 'job-result';
  jobId: number;
  pieces: Piece[];
  width: number;
  height: number;
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
const UI_TO_MAIN = new Set(['run-request', 'job-result', 'job-failed', 'cancel', 'save-settings', 'resize', 'close']);

function hasType(value: unknown): value is { type: string } {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Guards for messages arriving from the other side (anything can be posted to a window). */
export function isMainToUi(value: unknown): value is MainToUi {
  return hasType(value) && MAIN_TO_UI.has(value.type);
}
export function isUiToMain(value: unknown): value is UiToMain {
  return hasType(value) && UI_TO_MAIN.has(value.type);
}

/** Options read back from a result layer; results made before chains stored a single modelId. */
export function normaliseRunOptions(value: unknown): RunOptions | null {
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Partial<RunOptions> & { modelId?: unknown };
  const modelIds = Array.isArray(o.modelIds) ? o.modelIds.filter((m): m is string => typeof m === 'string') : typeof o.modelId === 'string' ? [o.modelId] : [];
  if (modelIds.length === 0 || typeof o.scale !== 'number') return null;
  const { modelId: _old, ...rest } = o;
  return { ...DEFAULT_RUN, ...rest, modelIds } as RunOptions;
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
