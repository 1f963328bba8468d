// The engine's Node edge (CLI, tests, bench): cards and model files from a folder, onnxruntime-node.
import { readFileSync, readdirSync, existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import * as ortNode from 'onnxruntime-node';
import type { Codecs, Rgba } from './cli-image';
import { openModel } from './model';
import { EngineError } from './errors';
import { parseCard, type ModelCard } from './zoo';
import type { Backend, Log, OrtModule } from './session';

export const ort = ortNode as unknown as OrtModule;

/** One card file; a card that does not parse is an error, never a silent skip. */
export function readCard(path: string): ModelCard {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new EngineError('model-card-invalid', `${path}: ${(err as Error).message}`);
  }
  return parseCard(json);
}

/** Every card in a zoo folder (every .json there is a card), sorted by file name. */
export function readCards(dir: string): ModelCard[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readCard(join(dir, f)));
}

export function findCard(cards: ModelCard[], idOrTool: string): ModelCard {
  const card = cards.find((c) => c.id === idOrTool) ?? cards.find((c) => c.tool === idOrTool);
  if (!card) throw new EngineError('model-missing', `no model "${idOrTool}" (have: ${cards.map((c) => c.id).join(', ') || 'none'})`);
  return card;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The card's model file, which must lie inside the zoo folder: a card cannot make the engine read (and
 * hash) a file elsewhere, neither by `../`, an absolute path, nor a symbolic link that leads out.
 */
export function modelPath(dir: string, card: ModelCard): string {
  const root = resolve(dir);
  const path = resolve(root, card.file);
  const outside = () => new EngineError('model-card-invalid', `${card.id}: its file "${card.file}" is outside the zoo folder ${root}`);
  if (!inside(root, path)) throw outside();
  if (existsSync(path) && !inside(realpathSync(root), realpathSync(path))) throw outside();
  return path;
}

/** onnxruntime-web in Node, one wasm thread: exactly the plugin's default path, for parity and the bench. */
async function ortWasm(): Promise<OrtModule> {
  const web = await import('onnxruntime-web');
  web.env.wasm.numThreads = 1;
  web.env.logLevel = 'error';
  return web as unknown as OrtModule;
}

/**
 * Reads the card's ONNX file next to it and opens a session (sha256 checked first).
 * 'cpu' is onnxruntime-node (native, all cores); 'wasm' is onnxruntime-web as the plugin runs it.
 */
export async function openCardModel(dir: string, card: ModelCard, backends: Backend[] = ['cpu'], log?: Log) {
  const path = modelPath(dir, card);
  if (!existsSync(path)) throw new EngineError('model-missing', `${path} does not exist`);
  const runtime = backends[0] === 'wasm' ? await ortWasm() : ort;
  return openModel(runtime, card, new Uint8Array(readFileSync(path)), backends, log);
}

// ---- JPEG and WebP for the CLI: jSquash's WebAssembly builds of MozJPEG and libwebp ----

const requireHere = createRequire(import.meta.url);

interface WasmCodec<A extends unknown[], R> {
  init(module: WebAssembly.Module, options: { print(s: string): void; printErr(s: string): void }): Promise<unknown>;
  default(...args: A): Promise<R>;
}

/** What the codecs printed (libjpeg's "Premature end of JPEG file"): the CLI shows it as a warning. */
const codecMessages: string[] = [];

/**
 * Imports a jSquash codec and gives it its compiled .wasm (its own loader fetches, which Node cannot do
 * from files) and a place for what it prints.
 */
async function loadCodec<A extends unknown[], R>(load: () => Promise<unknown>, wasm: string): Promise<(...args: A) => Promise<R>> {
  const mod = (await load()) as WasmCodec<A, R>;
  const keep = (s: string) => void codecMessages.push(String(s).trim());
  await mod.init(await WebAssembly.compile(readFileSync(requireHere.resolve(wasm))), { print: keep, printErr: keep });
  return mod.default;
}

const arrayBuffer = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The CLI's JPEG and WebP codecs, each loaded on first use. */
export function nodeCodecs(): Codecs {
  const cache = new Map<string, Promise<(...args: never[]) => Promise<unknown>>>();
  // Each import is written out (not computed), so that the production-install test sees every module the CLI loads.
  const entries: Record<string, () => Promise<unknown>> = {
    'jpeg-dec': () => import('@jsquash/jpeg/decode.js'),
    'jpeg-enc': () => import('@jsquash/jpeg/encode.js'),
    'webp-dec': () => import('@jsquash/webp/decode.js'),
    'webp-enc': () => import('@jsquash/webp/encode.js'),
  };
  const get = <A extends unknown[], R>(entry: string, wasm: string) => {
    if (!cache.has(entry)) cache.set(entry, loadCodec(entries[entry], wasm) as Promise<(...args: never[]) => Promise<unknown>>);
    return cache.get(entry)! as unknown as Promise<(...args: A) => Promise<R>>;
  };
  return {
    async decode(format, bytes) {
      codecMessages.length = 0;
      let image: Rgba;
      if (format === 'jpeg') {
        const decode = await get<[ArrayBuffer, { preserveOrientation: boolean }], Rgba>('jpeg-dec', '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm');
        // Turned upright as the EXIF orientation says, as image viewers show a phone's photo.
        image = await decode(arrayBuffer(bytes), { preserveOrientation: true });
      } else {
        const decode = await get<[ArrayBuffer], Rgba>('webp-dec', '@jsquash/webp/codec/dec/webp_dec.wasm');
        image = await decode(arrayBuffer(bytes));
      }
      return { width: image.width, height: image.height, data: image.data, warnings: codecMessages.filter(Boolean) };
    },
    async encode(format, image, quality) {
      const data = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
      const imageData = { width: image.width, height: image.height, data, colorSpace: 'srgb' };
      if (format === 'jpeg') {
        const encode = await get<[unknown, object], ArrayBuffer>('jpeg-enc', '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm');
        return new Uint8Array(await encode(imageData, { quality }));
      }
      // Node 20 has WebAssembly SIMD, so the encoder picks its SIMD build.
      const encode = await get<[unknown, object], ArrayBuffer>('webp-enc', '@jsquash/webp/codec/enc/webp_enc_simd.wasm');
      return new Uint8Array(await encode(imageData, { quality }));
    },
  };
}
