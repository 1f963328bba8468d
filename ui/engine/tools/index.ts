// Tool registry: the card's `tool` names which builder makes x1.
import { EngineError } from '../errors';
import type { ModelCard } from '../zoo';
import { buildRestoreSource } from './restore';
import { buildSketchSource } from './sketch';
import type { Source, ToolInput } from './types';

type Builder = (card: ModelCard, input: ToolInput) => Source;

const BUILDERS: Record<string, Builder> = {
  restore: buildRestoreSource,
  sketch: buildSketchSource,
};

/** Tools the engine runs: those built by a source builder, and inpaint (its own pipeline: inpaint-pipeline.ts). */
export function supportsTool(tool: string): boolean {
  return tool in BUILDERS || tool === 'inpaint';
}

export function buildSource(card: ModelCard, input: ToolInput): Source {
  const builder = BUILDERS[card.tool];
  if (!builder) throw new EngineError('unsupported-tool', `${card.id}: tool "${card.tool}" is not implemented yet`);
  return builder(card, input);
}
