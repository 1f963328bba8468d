// Every sentence the command line prints: usage, failures by engine error code, and the CLI's own
// problems with files, folders and options. The plugin has its own catalogue (src/messages.ts), in a
// designer's words about layers; this one speaks of files, folders and option names.
import type { ErrorCode } from '../../src/protocol';

export const USAGE = `usage:
  onestep <tool> <in> -o <out> [--model <id>] [--scale <n>] [--clean] [--steps <k>] [--seed <n>]
                               [--strength <s>] [--mask <mask>] [--result faithful|detailed] [--backend cpu|wasm]
                               [--overwrite] [--json] [--zoo <dir>]
  onestep models [--json | --markdown] [--zoo <dir>]

<in> is a PNG, JPEG or WebP file. The format of <out> comes from its extension: .png, .jpg/.jpeg
(quality 90; transparency flattened onto white) or .webp (quality 90, transparency kept).
<tool> is a tool name from the model cards (e.g. restore) or a model id.
restore: --scale 2 or 4 upscales (default: the smallest scale), --scale 1 cleans up at the same size,
--clean runs the clean-up model before the upscaler.
sketch: the result is the model's square, upscaled to --scale × its size (1, 2, 4: the restore
upscalers; default: the smallest that reaches the input's size); --seed picks the variation,
--variations k writes k of them in one batch (out-<seed>.png), --color #rrggbb with --strength γ
(0–2) pushes the colours.
edit: a painted-over result (or any illustration) pulled back to a clean drawing: --sketch <s.png>
is the sketch it came from (default: extracted from the image), --strength s (0–1, default 0.5) how
far it may move from the edited image; --seed and --color as the result was made with; --scale as
sketch.
inpaint: --mask <mask.png> (a PNG of the input's size; filled where its alpha, or its luminance when
it is opaque, is above one half) fills the masked region, one model run per hole; pixels away from
the mask stay exactly the input's; --seed picks the fill; --json lists the crops.
--steps k: network evaluations per model (default: each model's own, from its card; usually 1).
--seed n: a whole number from 0 to 4294967295 (where noise is drawn: sketch, inpaint, and the detailed
result of an upscaler trained on a noisy source).
--result faithful: the model's denoiser, the most likely image (highest PSNR, smoother); detailed: its
one-step jump, sharper texture (--steps applies to detailed only). Default: each model's card; models
without both outputs always give detailed. For sketch, edit and inpaint it is their own model's; the
upscalers after them give their card's default.
--backend cpu (default) is onnxruntime-node, native; wasm is onnxruntime-web, WebAssembly on one thread.
--overwrite lets -o name the input file itself (it is never replaced otherwise). The result is written
whole under a temporary name in the output folder, then renamed into place.
Results over 8192 px a side or 16 megapixels (4096×4096) are refused before any work.
Exit codes: 0 done, 1 failed (the message says why), 2 usage error.`;

/** One sentence per engine failure code, in the CLI's words (the detail, when there is one, follows). */
export const CLI_FAILURES: Record<ErrorCode, string> = {
  'empty-selection': 'No input file was given.',
  'no-pixels': 'The input image has no pixels to work on (empty or fully transparent).',
  'too-large': 'The result would be too large (over 8192 px a side or 16 megapixels). Use a smaller image or a lower --scale.',
  'export-failed': 'The input file could not be read.',
  'decode-failed': 'The input file could not be read as an image (corrupt, or not a PNG, JPEG or WebP file).',
  'model-missing': 'The model is not in the zoo folder (--zoo).',
  'model-card-invalid': 'A model card in the zoo folder (--zoo) is broken.',
  'model-corrupt': 'The model file does not match the checksum in its card. Restore the zoo folder (git checkout models/zoo) or reinstall onestep.',
  'model-load-failed': 'The model could not be loaded on this machine.',
  'backend-failed': 'No compute backend worked on this machine (--backend cpu: onnxruntime-node, wasm: onnxruntime-web).',
  'inference-failed': 'The model failed while running. Try a smaller image.',
  'unsupported-tool': 'This tool is not available in this version of onestep.',
  'source-removed': 'The input file went away while the tool ran; nothing was written.',
  'place-failed': 'The result could not be written; nothing was written.',
  busy: 'Another run is in progress.',
  cancelled: 'Cancelled; nothing was written.',
  internal: 'Something went wrong inside onestep; nothing was written.',
  // The selection codes below come from the plugin's main thread; the CLI's own checks word these cases
  // (--mask) before any of them could arise, so they are here for completeness of the catalogue.
  'mask-no-shapes': 'No mask was given (--mask).',
  'mask-no-image': 'No input image was given.',
  'mask-outside': 'The mask covers no pixel of the image.',
  'mask-empty': 'The mask covers nothing: paint the area to fill (alpha or light pixels).',
  'mask-too-large': 'The mask covers over 60 % of the image: too large to inpaint well.',
  'image-hidden': 'The input image is hidden.',
  'image-locked': 'The input image is locked.',
  'image-in-instance': 'The input image is inside a component instance.',
  'sketch-empty': 'The input has no drawing to colour (empty, all white or one flat colour).',
  'swatch-empty': 'The texture image has no visible pixels.',
};

const MP = (w: number, h: number) => `${((w * h) / 1e6).toFixed(1)} megapixels`;

/** The CLI's own sentences about files, folders and options. */
export const CLI = {
  // options
  noTool: 'no tool given',
  noInput: 'no input file given',
  noOutput: 'no output file given (-o out.png)',
  unknownOption: (option: string) => `unknown option ${option}`,
  unexpectedArgument: (arg: string) => `unexpected argument ${arg}`,
  needsValue: (option: string) => `${option} needs a value`,
  notANumber: (option: string, value: string) => `${option} must be a number, got "${value}"`,
  steps: '--steps must be a whole number ≥ 1 (0 or absent: each model\'s default)',
  seed: '--seed must be a whole number from 0 to 4294967295',
  variationSeeds: (max: number) => `--variations uses the seeds after --seed too: with this many, --seed can be at most ${max}`,
  strength: '--strength must be between 0 and 1',
  scalePositive: (value: number) => `--scale must be a positive number, got ${value}`,
  backend: (value: string) => `--backend is cpu or wasm, not "${value}"`,
  result: (value: string) => `--result is faithful or detailed, not "${value}"`,
  noScale: (tool: string, scale: number, have: string) => `${tool} has no model at ×${scale}; the zoo has ${have} (--scale)`,
  noModel: (id: string, scale: number | undefined, have: string) =>
    `no model for "${id}"${scale !== undefined ? ` at ×${scale}` : ''}; the zoo has: ${have}`,
  cleanTool: (tool: string) => `--clean applies to restore, not ${tool}`,
  noCleaner: 'no clean-up model in the zoo (--clean)',
  maskTool: (tool: string) => `--mask applies to inpaint, not ${tool}`,
  needsMask: (tool: string) => `${tool} needs --mask <mask.png>: a PNG of the input's size, filled where its alpha (or, when opaque, its luminance) is above one half`,
  sketchOnly: (tool: string) => `--color and --variations apply to sketch, not ${tool}`,
  strengthNeedsColor: '--strength for sketch is the weight of --color; give --color #rrggbb too',
  variations: (max: number) => `--variations is a whole number from 1 to ${max}`,
  sketchExtracted: (path: string) => `${path} does not look like a line sketch: lines were extracted from it first`,
  maskNotPng: (path: string) => `${path}: the mask must be a PNG file`,
  maskSize: (path: string, mw: number, mh: number, w: number, h: number) => `${path} is ${mw}×${mh}, the input is ${w}×${h}: the mask must be the input's size`,
  maskEmpty: (path: string) => `${path} covers nothing (no pixel above one half): nothing to inpaint`,
  maskTooLarge: (path: string, percent: number) => `${path} covers ${percent} % of the image; over 60 % is too large to inpaint well, so nothing was written`,
  strengthTool: (tool: string) => `--strength applies to edit, not ${tool}`,
  editStrength: '--strength for edit is s, from above 0 to 1 (low keeps the edited image, high redraws it from the sketch)',
  sketchEditOnly: (tool: string) => `--sketch applies to edit, not ${tool}`,
  maxSteps: (id: string, max: number) => `--steps for ${id} is at most ${max} (its time grid)`,
  outputFormat: (path: string) => `-o ${path}: the output format comes from the extension: .png, .jpg, .jpeg or .webp`,
  outputIsInput: (path: string) => `-o ${path} is the input file; onestep does not replace its input unless --overwrite is given`,
  // files and folders
  cannotRead: (path: string, reason: string) => `cannot read ${path}: ${reason}`,
  inputIsFolder: (path: string) => `cannot read ${path}: it is a folder, not an image file`,
  inputTooBig: (path: string, bytes: number, max: number) =>
    `${path} is ${(bytes / 1048576).toFixed(0)} MB; input files over ${(max / 1048576).toFixed(0)} MB are not read`,
  notAnImage: (path: string) => `${path} could not be read as an image: it is not a PNG, JPEG or WebP file, or its header is damaged`,
  noPixels: (path: string) => `${path} has no pixels (its header says 0 px wide or high)`,
  tooLarge: (path: string, w: number, h: number, scale: number, W: number, H: number, maxSide: number, maxPixels: number) =>
    `${path} is ${w}×${h} px; at ×${scale} the result would be ${W}×${H} px (${MP(W, H)}), over the limit of ${maxSide} px a side and ${Math.floor(maxPixels / 1048576)} megapixels (${Math.sqrt(maxPixels)}×${Math.sqrt(maxPixels)} px). Nothing was done: use a smaller image or a lower --scale.`,
  inpaintTooLarge: (path: string, w: number, h: number, maxSide: number, maxPixels: number) =>
    `${path} is ${w}×${h} px (${MP(w, h)}), over what inpaint takes: ${maxSide} px a side and ${Math.floor(maxPixels / 1048576)} megapixels. Nothing was done: use a smaller image, or inpaint a crop of it and paste the result back.`,
  decodeWarning: (path: string, warning: string) => `${path}: ${warning.replace(/\.$/, '')} (decoded anyway: check the result)`,
  sizeMismatch: (path: string) => `${path}: the decoded image does not have the size its header declares`,
  outputFolderMissing: (path: string, folder: string) => `cannot write ${path}: the folder ${folder} does not exist`,
  outputFolderNotFolder: (path: string, folder: string) => `cannot write ${path}: ${folder} is not a folder`,
  outputFolderReadOnly: (path: string, folder: string) => `cannot write ${path}: the folder ${folder} is not writable`,
  outputIsFolder: (path: string) => `cannot write ${path}: it is a folder; give a file name (e.g. ${path.replace(/\/+$/, '')}/out.png)`,
  cannotWrite: (path: string, reason: string) => `cannot write ${path}: ${reason}; nothing was written`,
  jpegFlattened: (path: string) => `${path}: JPEG has no transparency, so the result was flattened onto white (use .png or .webp to keep it)`,
  // the zoo
  noModels: (zoo: string) => `no models in ${zoo}`,
  done: (titles: string, input: string, w: number, h: number, output: string, W: number, H: number, seconds: number) =>
    `${titles}: ${input} ${w}×${h} → ${output} ${W}×${H} in ${seconds.toFixed(2)} s`,
};

/** Error text for a failure code and its technical detail, as the CLI prints it. */
export function failureText(code: ErrorCode, detail: string): string {
  // A missing model's detail names what the zoo has, which says more than the general sentence.
  if (code === 'model-missing' && detail) return detail;
  const base = CLI_FAILURES[code] ?? CLI_FAILURES.internal;
  return detail ? `${base}\n  (${detail})` : base;
}
