// Engine failures carry a protocol error code (never a sentence) plus a technical detail for logs.
import type { ErrorCode } from '../../src/protocol';

export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string = '',
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'EngineError';
  }
}

/** Any thrown value as {code, detail}; unknown errors become 'internal'. */
export function toFailure(err: unknown): { code: ErrorCode; detail: string } {
  if (err instanceof EngineError) return { code: err.code, detail: err.detail };
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'AbortError') {
    return { code: 'cancelled', detail: '' };
  }
  return { code: 'internal', detail: err instanceof Error ? err.message : String(err) };
}
