// `onestep` on the command line: the same engine as the plugin, in Node, on image files.
// Every sentence it prints is in cli-messages.ts (files, folders and options; never the plugin's words).
import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { earlierNetMark, oneStepCell } from './card-cells';
import { CLI, USAGE, failureText } from './cli-messages';
import { EngineError, toFailure } from './errors';
import { nodeCodecs, openCardModel, readCards } from './node';
import { runChain, type ChainLink } from './pipeline';
import { runInpaint } from './inpaint-pipeline';
import { runEdit, runVariations, type SketchResult } from './variations';
import { DEFAULT_EDIT_STRENGTH, sketchChain, sketchOptionProblem, sketchScaleFor } from './tools/sketch';
import { inpaintUpscalers, MaskError, type InpaintCrop } from './tools/inpaint';
import type { ImageInput } from './codec';
import { formatOfPath, fromRgba, QUALITY, readHeader, toRgbaFor, type ImageFormat } from './cli-image';
import { chainScale, cleanerOf } from './tools/restore';
import { highestFirstSeed, MAX_SEED, outputSize, resultSizeProblem, RESULT_MAX_PIXELS, RESULT_MAX_SIDE } from '../../src/protocol';
import { cardScale, effectiveOutput, effectiveSteps, hasDenoiser, stepTimes, type ModelCard, type OutputChoice } from './zoo';

export { USAGE };

export interface CliArgs {
  command: string;
  input?: string;
  output?: string;
  model?: string;
  scale?: number;
  steps: number;
  seed: number;
  strength?: number;
  mask?: string;
  clean: boolean;
  /** -o may name the input file itself. */
  overwrite: boolean;
  json: boolean;
  markdown: boolean;
  backend: 'cpu' | 'wasm';
  zoo: string;
  /** faithful (the denoiser) or detailed (the one-step jump); absent: each card's default. */
  result?: OutputChoice;
  /** sketch: a colour latent '#rrggbb' (its weight is --strength) and how many variations to make. */
  color?: string;
  variations?: number;
  /** edit: the sketch the edited image came from (absent: extracted from the image). */
  sketch?: string;
}

export class UsageError extends Error {}
/** A failure the CLI explains in its own words (exit 1). */
export class CliFailure extends Error {}

const FLAGS = new Set(['--json', '--clean', '--markdown', '--overwrite', '-h', '--help']);
const VALUED = new Set(['-o', '--output', '--model', '--scale', '--steps', '--seed', '--strength', '--mask', '--zoo', '--backend', '--result', '--color', '--variations', '--sketch']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A number option's value: digits only (no spaces, no empty string, which Number() reads as 0). */
function numberOf(option: string, value: string): number {
  if (!NUMBER.test(value)) throw new UsageError(CLI.notANumber(option, value));
  return Number(value);
}

export function parseArgs(argv: string[], defaults: { zoo?: string } = {}): CliArgs {
  const args: CliArgs = { command: '', steps: 0, seed: 0, clean: false, overwrite: false, json: false, markdown: false, backend: 'cpu', zoo: defaults.zoo ?? 'models/zoo' };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--clean') args.clean = true;
    else if (a === '--overwrite') args.overwrite = true;
    else if (a === '--markdown') args.markdown = true;
    else if (a === '-h' || a === '--help') throw new UsageError('');
    else if (a.startsWith('-') && a !== '-') {
      if (!VALUED.has(a)) throw new UsageError(CLI.unknownOption(a));
      const value = argv[++i];
      // The next option is never a value (`--seed --json`); a negative number may be.
      if (value === undefined || ((VALUED.has(value) || FLAGS.has(value) || /^--./.test(value)) && !NUMBER.test(value))) throw new UsageError(CLI.needsValue(a));
      if (a === '-o' || a === '--output') args.output = value;
      else if (a === '--model') args.model = value;
      else if (a === '--scale') {
        args.scale = numberOf(a, value);
        if (!(args.scale > 0)) throw new UsageError(CLI.scalePositive(args.scale));
      } else if (a === '--steps') {
        args.steps = numberOf(a, value);
        if (!Number.isInteger(args.steps) || args.steps < 0) throw new UsageError(CLI.steps);
      } else if (a === '--seed') {
        args.seed = numberOf(a, value);
        if (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > MAX_SEED) throw new UsageError(CLI.seed);
      } else if (a === '--strength') {
        args.strength = numberOf(a, value); // its range depends on the tool (checkOptions)
        if (!(args.strength >= 0)) throw new UsageError(CLI.strength);
      } else if (a === '--color') args.color = value;
      else if (a === '--variations') {
        args.variations = numberOf(a, value);
        if (!Number.isInteger(args.variations) || args.variations < 1 || args.variations > MAX_VARIATIONS) throw new UsageError(CLI.variations(MAX_VARIATIONS));
      } else if (a === '--mask') args.mask = value;
      else if (a === '--sketch') args.sketch = value;
      else if (a === '--zoo') args.zoo = value;
      else if (a === '--result') {
        if (value !== 'faithful' && value !== 'detailed') throw new UsageError(CLI.result(value));
        args.result = value;
      } else if (a === '--backend') {
        if (value !== 'cpu' && value !== 'wasm') throw new UsageError(CLI.backend(value));
        args.backend = value;
      }
    } else positional.push(a);
  }
  [args.command, args.input] = positional;
  if (!args.command) throw new UsageError(CLI.noTool);
  if (positional.length > (args.command === 'models' ? 1 : 2)) throw new UsageError(CLI.unexpectedArgument(positional.at(-1)!));
  if (args.command !== 'models') {
    if (!args.input) throw new UsageError(CLI.noInput);
    if (!args.output) throw new UsageError(CLI.noOutput);
  }
  return args;
}

const scaleName = (c: ModelCard) => `×${cardScale(c)}`;

/** `edit` runs the sketch model from t = s (the sketch tool's Algorithm 5). */
const isSketchCommand = (args: CliArgs) => args.command === 'sketch' || args.command === 'edit';

/** The model for a tool name or id, narrowed by --model and --scale. */
export function pickModel(cards: ModelCard[], args: CliArgs): ModelCard {
  if (isSketchCommand(args)) {
    // --scale picks the upscalers after the sketch model (sketchToolChain), not the model itself
    const sketch = cards.find((c) => c.tool === 'sketch' && (!args.model || c.id === args.model));
    if (!sketch) throw new EngineError('model-missing', CLI.noModel(args.model ?? 'sketch', undefined, cards.map((c) => `${c.id} (${c.tool})`).join(', ') || 'none'));
    return sketch;
  }
  const id = args.model ?? args.command;
  let matches = cards.filter((c) => c.id === id);
  if (matches.length === 0) matches = cards.filter((c) => c.tool === args.command && (!args.model || c.id === args.model));
  const candidates = matches;
  if (args.scale !== undefined) matches = matches.filter((c) => cardScale(c) === args.scale);
  // Without --scale a tool name means its smallest upscale (as in the panel); same-size models come last.
  const rank = (c: ModelCard) => (cardScale(c) === 1 ? Infinity : cardScale(c));
  matches = [...matches].sort((a, b) => rank(a) - rank(b));
  if (matches.length === 0 && candidates.length > 0) {
    // The tool (or model) exists, at other scales: the option is wrong, not the zoo.
    const have = [...new Set(candidates.map(cardScale))].sort((a, b) => a - b).map((k) => `×${k}`).join(', ');
    throw new UsageError(CLI.noScale(args.model ?? args.command, args.scale!, have));
  }
  if (matches.length === 0) {
    const have = cards.map((c) => `${c.id} (${c.tool}${cardScale(c) !== 1 ? ` ${scaleName(c)}` : ''})`).join(', ') || 'none';
    throw new EngineError('model-missing', CLI.noModel(id, args.scale, have));
  }
  return matches[0];
}

/**
 * Sketch and Edit: the sketch model, then the upscalers that take its square to --scale × its size;
 * without --scale, the smallest scale that reaches the input's longer side (at most what the zoo's
 * upscalers can reach).
 */
export function sketchToolChain(cards: ModelCard[], args: CliArgs, input: { width: number; height: number }): ModelCard[] {
  const sketch = pickModel(cards, args);
  const reachable = [1, 2, 4, 8, 16].filter((k) => sketchChain(cards, sketch, k));
  if (args.scale !== undefined) {
    const chain = sketchChain(cards, sketch, args.scale);
    if (!chain) throw new UsageError(CLI.noScale(sketch.id, args.scale, reachable.map((k) => `×${k}`).join(', ')));
    return chain;
  }
  return sketchChain(cards, sketch, sketchScaleFor(sketch, Math.max(input.width, input.height), reachable))!;
}

/** The models to run: the picked one, after the clean-up model when --clean asks for it. */
export function pickChain(cards: ModelCard[], args: CliArgs): ModelCard[] {
  const card = pickModel(cards, args);
  if (!args.clean) return [card];
  if (card.tool !== 'restore') throw new UsageError(CLI.cleanTool(card.tool));
  const cleaner = cleanerOf(cards);
  if (!cleaner) throw new EngineError('model-missing', CLI.noCleaner);
  return cleaner.id === card.id ? [card] : [cleaner, card];
}

function checkOptions(card: ModelCard, args: CliArgs): void {
  if (args.mask && card.tool !== 'inpaint') throw new UsageError(CLI.maskTool(card.tool));
  if (args.sketch !== undefined && args.command !== 'edit') throw new UsageError(CLI.sketchEditOnly(args.command));
  if (card.tool === 'inpaint' && !args.mask) throw new UsageError(CLI.needsMask(card.tool));
  if ((args.color !== undefined || args.variations !== undefined) && card.tool !== 'sketch') throw new UsageError(CLI.sketchOnly(card.tool));
  // variation k is written as out-<seed + k>.png and reproduced by that --seed: it must be one too
  if (args.variations !== undefined && args.seed > highestFirstSeed(args.variations)) throw new UsageError(CLI.variationSeeds(highestFirstSeed(args.variations)));
  if (args.command === 'edit') {
    // --strength is s, how far the result may move from the edited image (Algorithm 5)
    if (args.variations !== undefined) throw new UsageError(CLI.sketchOnly('edit'));
    if (args.strength !== undefined && !(args.strength > 0 && args.strength <= 1)) throw new UsageError(CLI.editStrength);
  } else if (card.tool === 'sketch') {
    // --strength is the colour latent's weight γ here
    if (args.strength !== undefined && args.color === undefined) throw new UsageError(CLI.strengthNeedsColor);
    const problem = sketchOptionProblem({ color: args.color, latentStrength: args.strength });
    if (problem) throw new UsageError(problem.message);
  } else if (args.strength !== undefined && (card.tool !== 'edit' || args.strength > 1)) {
    throw new UsageError(card.tool !== 'edit' ? CLI.strengthTool(card.tool) : CLI.strength);
  }
  const maxSteps = card.time.grid.length - 1;
  if (args.steps > maxSteps) throw new UsageError(CLI.maxSteps(card.id, maxSteps));
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

function listModels(cards: ModelCard[], args: CliArgs, io: Io): void {
  if (args.json) return io.out(JSON.stringify(cards.map(({ id, tool, version, title, summary, bytes, params, flops_per_output_pixel, metrics }) => ({ id, tool, version, title, summary, bytes, params, flops_per_output_pixel, metrics })), null, 2));
  if (args.markdown) return io.out(zooTable(cards));
  if (cards.length === 0) return io.out(CLI.noModels(args.zoo));
  for (const c of cards) {
    const size = c.bytes ? `${(c.bytes / 1048576).toFixed(1)} MB` : '';
    io.out(`${c.id.padEnd(20)} ${c.tool.padEnd(9)} ${c.title} (v${c.version}${size ? `, ${size}` : ''})`);
    if (c.summary) io.out(`${' '.repeat(21)}${c.summary}`);
  }
}

function num(v: unknown, digits: number): string {
  return typeof v === 'number' ? v.toFixed(digits) : '–';
}

type Summary = Record<string, { psnr?: number; ssim?: number; swd?: number }>;

/** The README's model table, from the cards (so docs and zoo cannot drift apart). */
export function zooTable(cards: ModelCard[]): string {
  const rows = cards.map((c) => {
    // metrics.summary.<method>.{psnr, ssim, swd} and metrics.consistency as models/gctm/evaluate.py writes them.
    const metrics = (c.metrics ?? {}) as { summary?: Summary };
    const summary: Summary = metrics.summary ?? {};
    const one = summary.gctm_nfe1 ?? {};
    const base = summary.bicubic ?? summary.input;
    const baseName = summary.bicubic ? 'bicubic' : 'input';
    const fp16 = (c as ModelCard & { fp16_bytes?: number }).fp16_bytes;
    const mb = fp16 ? `${(fp16 / 1048576).toFixed(1)} MB` : c.bytes ? `${(c.bytes / 1048576).toFixed(1)} MB` : '–';
    const flops = c.flops_per_output_pixel ? `${(c.flops_per_output_pixel / 1e3).toFixed(1)} k` : '–';
    const gain = typeof one.psnr === 'number' && base && typeof base.psnr === 'number' ? ` (${one.psnr - base.psnr >= 0 ? '+' : ''}${(one.psnr - base.psnr).toFixed(2)})` : '';
    const faithful = hasDenoiser(c) ? num(summary.gctm_denoiser?.psnr, 2) : '–';
    const byDefault = hasDenoiser(c) ? (c.default_output ?? 'detailed') : 'detailed';
    return `| \`${c.id}\` ${c.title} | ${c.version} | ${mb} | ${flops} | ${effectiveSteps(c, 0)}, ${byDefault} | ${num(one.psnr, 2)}${gain} / ${num(one.ssim, 3)} | ${faithful} | ${baseName} ${num(base?.psnr, 2)} | ${num(summary.regression_nfe1?.psnr, 2)}${earlierNetMark(metrics)} | ${num(summary.gctm_ode?.psnr, 2)} | ${oneStepCell(c)} | ${num(one.swd, 1)} / ${num(summary.regression_nfe1?.swd, 1)} |`;
  });
  return [
    '| model | version | shipped (fp16) | FLOPs per output px | default: steps, result | Detailed (one step): PSNR (gain) / SSIM | Faithful (denoiser) PSNR | baseline PSNR | same net as L2 regressor | ODE reference (16 Heun steps) | one step to its ODE / to its denoiser, dB (higher: closer) | SWD ×10³, one step / L2 (lower: closer to real patch statistics) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

interface PeerMetrics {
  date: string;
  device: string;
  peer: string;
  images: number;
  psnr: { bicubic: number; esrgan_slim: number; ours: number };
  ms_per_output_mp: { size: number[]; esrgan_slim: number; ours: number; ratio: number };
  big?: { input: number[]; output: number[]; wall_ms: number; peak_rss_mb: number };
}

/** The README's comparison with UpscalerJS, from metrics.peer in the cards (`npm run bench:peer -- --write-card`). */
export function peerTable(cards: ModelCard[]): string {
  const rows: string[] = [];
  for (const c of cards) {
    const p = (c.metrics as { peer?: PeerMetrics } | undefined)?.peer;
    if (!p) continue;
    const size = `${p.ms_per_output_mp.size.join('×')} in`;
    rows.push(`| \`${c.id}\` ${c.version} | ${p.images} held-out photos | ${num(p.psnr.bicubic, 2)} | ${num(p.psnr.esrgan_slim, 2)} | ${num(p.psnr.ours, 2)} | ${p.ms_per_output_mp.esrgan_slim} | ${p.ms_per_output_mp.ours} (${p.ms_per_output_mp.ratio.toFixed(2)}×), ${size} | ${p.big ? `${(p.big.wall_ms / 1000).toFixed(2)} s, peak ${p.big.peak_rss_mb} MB` : '–'} | ${p.date}, ${p.device} |`);
  }
  if (rows.length === 0) return 'No card has a peer comparison yet (`npm run bench:peer -- --write-card`).';
  return [
    '| ours | images | bicubic PSNR | esrgan-slim PSNR | ours PSNR | esrgan-slim ms/MP | ours ms/MP (ratio) | ours 512→2048 PNG→PNG, renderer peak | measured |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Before any work: -o is not the input (unless --overwrite), is not a folder, and its folder exists and
 * can be written to.
 */
export function checkOutput(args: Pick<CliArgs, 'input' | 'output' | 'overwrite'>): ImageFormat {
  const output = args.output!;
  const target = resolve(output);
  const outStat = statOrNull(target);
  if (outStat?.isDirectory() || /[/\\]$/.test(output)) throw new CliFailure(CLI.outputIsFolder(output));
  const format = formatOfPath(output);
  if (!format) throw new UsageError(CLI.outputFormat(output));
  const inStat = statOrNull(resolve(args.input!));
  const same = target === resolve(args.input!) || (outStat && inStat && outStat.dev === inStat.dev && outStat.ino === inStat.ino);
  if (same && !args.overwrite) throw new UsageError(CLI.outputIsInput(output));
  const folder = dirname(target);
  let folderStat: Stats;
  try {
    folderStat = statSync(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new CliFailure(CLI.outputFolderNotFolder(output, nearestFile(folder)));
    throw new CliFailure(CLI.outputFolderMissing(output, folder));
  }
  if (!folderStat.isDirectory()) throw new CliFailure(CLI.outputFolderNotFolder(output, folder));
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new CliFailure(CLI.outputFolderReadOnly(output, folder));
  }
  return format;
}

/** The first part of a path that exists and is not a folder (for "x is not a folder"). */
function nearestFile(path: string): string {
  let p = path;
  while (dirname(p) !== p) {
    const st = statOrNull(p);
    if (st && !st.isDirectory()) return p;
    p = dirname(p);
  }
  return path;
}

/**
 * Writes the whole file next to its destination under a temporary name, then renames it into place:
 * a failure (disk full, file too large, killed) leaves the destination as it was and no half file.
 */
export function writeWhole(path: string, bytes: Uint8Array): void {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliFailure(CLI.cannotWrite(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message));
  }
}

/** Input files larger than this are not read (a 16-megapixel image is far smaller in any format). */
export const MAX_INPUT_BYTES = 256 * 1048576;

function readInput(path: string): Uint8Array {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new CliFailure(CLI.inputIsFolder(path));
    if (st.size > MAX_INPUT_BYTES) throw new CliFailure(CLI.inputTooBig(path, st.size, MAX_INPUT_BYTES));
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    throw new CliFailure(CLI.cannotRead(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message));
  }
}

/** The plugin's limits on the result (src/protocol.ts), applied to the size an image's header declares. */
export function checkSize(path: string, width: number, height: number, scale: number): void {
  if (width < 1 || height < 1) throw new CliFailure(CLI.noPixels(path));
  const out = outputSize(width, height, scale);
  if (resultSizeProblem(out.width, out.height)) {
    throw new CliFailure(CLI.tooLarge(path, width, height, scale, out.width, out.height, RESULT_MAX_SIDE, RESULT_MAX_PIXELS));
  }
}

/**
 * Inpaint keeps the image as decoded (3–4 bytes a pixel) and converts only its holes' region to planes,
 * so it takes twice the plugin's result area: a 24- or 33-megapixel camera photo is inpainted whole.
 */
export const INPAINT_MAX_PIXELS = 2 * RESULT_MAX_PIXELS;

/** checkSize for inpaint: the result is the input's size, held to RESULT_MAX_SIDE and INPAINT_MAX_PIXELS. */
export function checkInpaintSize(path: string, width: number, height: number): void {
  if (width < 1 || height < 1) throw new CliFailure(CLI.noPixels(path));
  if (width > RESULT_MAX_SIDE || height > RESULT_MAX_SIDE || width * height > INPAINT_MAX_PIXELS) {
    throw new CliFailure(CLI.inpaintTooLarge(path, width, height, RESULT_MAX_SIDE, INPAINT_MAX_PIXELS));
  }
}

/** Where variation `seed` of -o out.png goes: out-<seed>.png. */
export function variationPath(output: string, seed: number): string {
  const dot = output.lastIndexOf('.');
  return dot > output.lastIndexOf('/') ? `${output.slice(0, dot)}-${seed}${output.slice(dot)}` : `${output}-${seed}`;
}

const MAX_VARIATIONS = 8;

/** The inpaint mask: a PNG of the input's size (read whole; its size was checked with the input's). */
function readMask(path: string, input: { width: number; height: number }): Uint8Array {
  const bytes = readInput(path);
  const header = readHeader(bytes);
  if (!header || header.format !== 'png') throw new CliFailure(CLI.maskNotPng(path));
  if (header.width !== input.width || header.height !== input.height) {
    throw new CliFailure(CLI.maskSize(path, header.width, header.height, input.width, input.height));
  }
  return bytes;
}

/** Any input image (PNG, JPEG, WebP) as the engine takes it (PNG bytes, or the decoded pixels): Edit's --sketch. */
async function readImage(path: string, codecs: ReturnType<typeof nodeCodecs>): Promise<ImageInput> {
  const bytes = readInput(path);
  const header = readHeader(bytes);
  if (!header) throw new CliFailure(CLI.notAnImage(path));
  checkSize(path, header.width, header.height, 1);
  if (header.format === 'png') return bytes;
  try {
    return fromRgba(await codecs.decode(header.format, bytes));
  } catch (err) {
    throw new EngineError('decode-failed', `${path}: ${(err as Error).message}`);
  }
}

function maskWords(err: MaskError, path: string): string {
  if (err.problem.code === 'mask-empty') return CLI.maskEmpty(path);
  if (err.problem.code === 'mask-too-large') return CLI.maskTooLarge(path, Math.round((err.problem.share ?? 0) * 100));
  return err.problem.message;
}

export interface MainOptions {
  /** The zoo when --zoo is not given (the launcher passes the package's models/zoo). */
  defaultZoo?: string;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: Io, options: MainOptions = {}): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv, { zoo: options.defaultZoo });
  } catch (err) {
    if (err instanceof UsageError) {
      if (!err.message) {
        io.out(USAGE);
        return 0;
      }
      io.err(`onestep: ${err.message}`);
      io.err(USAGE);
      return 2;
    }
    throw err;
  }
  const now = () => performance.now();
  try {
    const cards = readCards(args.zoo);
    if (args.command === 'models') {
      listModels(cards, args, io);
      return 0;
    }
    const sketchTool = isSketchCommand(args);
    let chain = sketchTool ? [pickModel(cards, args)] : pickChain(cards, args);
    for (const c of chain) checkOptions(c, args);
    const outFormat = checkOutput(args);
    let t = now();
    const bytes = readInput(args.input!);
    // The size from the header, checked against the plugin's limits before any pixel is decoded.
    const header = readHeader(bytes);
    if (!header) throw new CliFailure(CLI.notAnImage(args.input!));
    // Sketch and Edit make the model's square (upscaled), whatever the input's size; the input itself
    // is held to the plugin's limits (it is decoded whole before it is shrunk).
    if (chain[0].tool === 'inpaint') checkInpaintSize(args.input!, header.width, header.height);
    else checkSize(args.input!, header.width, header.height, sketchTool ? 1 : chainScale(chain));
    if (sketchTool) chain = sketchToolChain(cards, args, header);
    // Inpaint keeps the input's size (checked above): the zoo's upscalers only bring scaled-down fills back.
    if (chain[0].tool === 'inpaint') chain = [chain[0], ...inpaintUpscalers(cards)];
    const card = chain[0].tool === 'sketch' || chain[0].tool === 'inpaint' ? chain[0] : chain[chain.length - 1];
    const read = now() - t;
    const codecs = nodeCodecs();
    // PNG goes to the engine as it is (the plugin's decoder, the same samples); JPEG and WebP are decoded
    // here and handed over as pixels.
    t = now();
    let png: ImageInput = bytes;
    let input = { width: header.width, height: header.height };
    if (header.format !== 'png') {
      let raw;
      try {
        const decoded = await codecs.decode(header.format, bytes);
        for (const w of decoded.warnings ?? []) io.err(`onestep: ${CLI.decodeWarning(args.input!, w)}`);
        raw = fromRgba(decoded);
      } catch (err) {
        throw new EngineError('decode-failed', `${header.format}: ${(err as Error).message}`);
      }
      // Turned upright from its EXIF orientation, a JPEG may swap its sides; nothing else may change.
      const asDeclared = raw.width === header.width && raw.height === header.height;
      if (!asDeclared && !(raw.width === header.height && raw.height === header.width)) throw new CliFailure(CLI.sizeMismatch(args.input!));
      input = { width: raw.width, height: raw.height };
      png = raw;
    }
    const mask = card.tool === 'inpaint' ? readMask(args.mask!, input) : null;
    const decode = now() - t;
    t = now();
    const links: ChainLink[] = [];
    for (const c of chain) links.push({ card: c, session: await openCardModel(args.zoo, c, [args.backend]) });
    const load = now() - t;
    let result;
    let crops: InpaintCrop[] | undefined;
    let sketches: SketchResult[] | undefined;
    const engineOptions = { steps: args.steps, seed: args.seed, strength: args.strength ?? 1, output: args.result };
    try {
      if (args.command === 'edit') {
        const sketchPng = args.sketch !== undefined ? await readImage(args.sketch, codecs) : null;
        const edit = await runEdit(links, png, sketchPng, { ...engineOptions, strength: args.strength ?? DEFAULT_EDIT_STRENGTH });
        if (edit.sketch.kind === 'extracted' && sketchPng === null) io.err(`onestep: ${CLI.sketchExtracted(args.input!)}`);
        result = { ...edit, image: edit.result.image, png: edit.result.png, tiles: 1 };
      } else if (card.tool === 'sketch') {
        const sketchRun = await runVariations(links, png, { ...engineOptions, color: args.color, latentStrength: args.strength }, args.variations ?? 1);
        if (sketchRun.sketch.kind === 'extracted') io.err(`onestep: ${CLI.sketchExtracted(args.input!)}`);
        sketches = sketchRun.results;
        result = { ...sketchRun, image: sketchRun.results[0].image, png: sketchRun.results[0].png, tiles: sketchRun.results.length };
      } else if (mask) {
        const run = await runInpaint(links, png, mask, engineOptions).catch((err) => {
          throw err instanceof MaskError ? new CliFailure(maskWords(err, args.mask!)) : err;
        });
        crops = run.crops;
        result = run;
      } else {
        result = await runChain(links, png, engineOptions);
      }
    } finally {
      for (const l of links) await l.session.release();
    }
    t = now();
    let out = result.png;
    if (outFormat !== 'png') {
      const { rgba, flattened } = toRgbaFor(outFormat, result.image);
      out = await codecs.encode(outFormat, rgba, QUALITY);
      if (flattened) io.err(`onestep: ${CLI.jpegFlattened(args.output!)}`);
    }
    const encode = now() - t;
    t = now();
    const written: string[] = [];
    if (sketches && sketches.length > 1) {
      // variations: out-<seed>.<ext>, each reproducible with --seed <seed>
      for (const v of sketches) {
        const path = variationPath(args.output!, v.seed);
        writeWhole(path, outFormat === 'png' ? v.png : await codecs.encode(outFormat, toRgbaFor(outFormat, v.image).rgba, QUALITY));
        written.push(path);
      }
    } else {
      writeWhole(args.output!, out);
      written.push(args.output!);
    }
    const write = now() - t;
    const timings = { read, load, ...result.timings, write };
    timings.decode += decode;
    timings.encode += encode;
    if (args.json) {
      io.out(JSON.stringify({
        tool: card.tool, model: card.id, version: card.version, models: chain.map((c) => `${c.id}@${c.version}`), backend: result.backend,
        input: { path: args.input, format: header.format, width: input.width, height: input.height },
        output: { path: args.output, format: outFormat, width: result.image.width, height: result.image.height, channels: result.image.channels },
        result: chain.map((c) => effectiveOutput(c, args.result)),
        steps: chain.map((c) => stepTimes(c, args.steps, args.result).length), seed: args.seed, tiles: result.tiles,
        ...(sketches ? { variations: sketches.map((v, k) => ({ seed: v.seed, path: written[k] ?? written[0] })) } : {}),
        ...(crops ? { crops: crops.map(({ x, y, w, h, scale, holes, upscaler }) => ({ x, y, w, h, scale: Math.round(scale * 1e4) / 1e4, holes, upscaler })) } : {}),
        ms: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      }, null, 2));
    } else {
      io.err(CLI.done(chain.map((c) => c.title).join(' + '), args.input!, input.width, input.height, args.output!, result.image.width, result.image.height, (timings.load + result.timings.infer) / 1000));
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`onestep: ${err.message}`);
      return 2;
    }
    if (err instanceof CliFailure) {
      io.err(`onestep: ${err.message}`);
      return 1;
    }
    const f = toFailure(err);
    io.err(`onestep: ${failureText(f.code, f.detail)}`);
    return 1;
  }
}
