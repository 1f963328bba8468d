// Opening a model: check its bytes against the card (size, sha256), then make a session on the best backend.
import { EngineError } from './errors';
import { FallbackSession, type Backend, type Log, type OrtModule } from './session';
import { sha256Hex } from './sha256';
import type { ModelCard } from './zoo';

/** Throws model-corrupt when the bytes are not the file the card describes (truncated, replaced, stale). */
export function verifyModelBytes(card: ModelCard, bytes: Uint8Array): void {
  if (card.bytes && bytes.length !== card.bytes) {
    throw new EngineError('model-corrupt', `${card.file}: ${bytes.length} bytes, the card says ${card.bytes}`);
  }
  const digest = sha256Hex(bytes);
  if (digest !== card.sha256) {
    throw new EngineError('model-corrupt', `${card.file}: sha256 ${digest.slice(0, 12)}…, the card says ${card.sha256.slice(0, 12)}…`);
  }
}

export async function openModel(
  ort: OrtModule,
  card: ModelCard,
  bytes: Uint8Array,
  backends: Backend[],
  log?: Log,
): Promise<FallbackSession> {
  verifyModelBytes(card, bytes);
  try {
    return await FallbackSession.open(ort, bytes, backends, log);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('model-load-failed', (err as Error).message);
  }
}
