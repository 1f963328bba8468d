// Binary assets that build.mjs inlines into ui.html as base64 <script> blocks (the plugin is one file).
import { gunzip } from './engine/gzip';
import { parseCard, type ModelCard } from './engine/zoo';

function block(id: string): HTMLScriptElement | null {
  return document.getElementById(id) as HTMLScriptElement | null;
}

async function fromBase64(b64: string): Promise<Uint8Array> {
  // fetch() of a data: URL decodes megabytes natively (a data: fetch is not a navigation: no 2 MB cap).
  try {
    return new Uint8Array(await (await fetch(`data:application/octet-stream;base64,${b64}`)).arrayBuffer());
  } catch {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
}

/** The raw bytes of an inlined asset; `gz` keeps gzip-encoded assets compressed. */
export async function readAsset(id: string, keepGzip = false): Promise<Uint8Array> {
  const el = block(id);
  if (!el) throw new Error(`asset ${id} is not in this build`);
  const bytes = await fromBase64((el.textContent ?? '').trim());
  return el.dataset.encoding === 'gzip' && !keepGzip ? gunzip(bytes) : bytes;
}

export function hasAsset(id: string): boolean {
  return block(id) !== null;
}

/** Cards of the models inlined in this build. */
export function readZoo(): ModelCard[] {
  const el = block('onestep-zoo');
  if (!el) return [];
  return (JSON.parse(el.textContent ?? '[]') as unknown[]).map(parseCard);
}

/** Whether this build carries the WebGPU-capable runtime (the hosted build). */
export function buildFlavour(): 'figma' | 'hosted' {
  return (document.documentElement.dataset.flavour as 'figma' | 'hosted') ?? 'figma';
}

export const modelAssetId = (id: string) => `onestep-model-${id}`;
export const WASM_ASSET_ID = 'onestep-ort-wasm';
