// The engine's Node edge (CLI, tests, bench): cards and model files from a folder, onnxruntime-node.
import { readFileSync, readdirSync, existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as ortNode from 'onnxruntime-node';
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
