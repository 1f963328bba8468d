// Which tools the build offers (from its cards) and what the panel's settings select for each: the
// chain of models, its layer-name title and the options sent with the run.
import { offersResultChoice, type ModelCard, type OutputChoice } from '../engine/zoo';
import { chainScale } from '../engine/tools/restore';
import { sketchChain } from '../engine/tools/sketch';
import { inpaintUpscalers } from '../engine/tools/inpaint';
import { highestFirstSeed, MAX_SEED, type RunOptions, type Settings, type ToolId } from '../../src/protocol';
import { chainTitle, choose } from './restore-choice';

export const TOOL_LABELS: Record<ToolId, string> = {
  restore: 'Restore',
  sketch: 'Sketch',
  edit: 'Edit',
  inpaint: 'Inpaint',
};

const sketchModel = (cards: ModelCard[]) => cards.find((c) => c.tool === 'sketch') ?? null;
const inpaintModel = (cards: ModelCard[]) => cards.find((c) => c.tool === 'inpaint') ?? null;

/** The tools this build can run, in the panel's order. */
export function availableTools(cards: ModelCard[]): ToolId[] {
  const tools: ToolId[] = [];
  if (choose(cards, { modelId: null, clean: false }).chain.length > 0) tools.push('restore');
  if (sketchModel(cards)) tools.push('sketch', 'edit');
  if (inpaintModel(cards)) tools.push('inpaint');
  return tools;
}

/** The settings' tool when the build has it, else the first tool it has. */
export function currentTool(cards: ModelCard[], settings: Pick<Settings, 'tool'>): ToolId | null {
  const tools = availableTools(cards);
  return tools.includes(settings.tool) ? settings.tool : (tools[0] ?? null);
}

/** Output sizes offered for a sketch result: the model's square × 1, and × each scale the upscalers reach. */
export function sketchScales(cards: ModelCard[]): number[] {
  const sketch = sketchModel(cards);
  if (!sketch) return [];
  return [1, 2, 4, 8].filter((k) => sketchChain(cards, sketch, k) !== null);
}

/** The models the tool runs, in order (empty when the build cannot run it). */
export function toolChain(cards: ModelCard[], tool: ToolId, settings: Settings): ModelCard[] {
  if (tool === 'restore') return choose(cards, settings).chain;
  if (tool === 'inpaint') {
    // The upscalers bring a scaled-down fill back to full size (each crop picks the one that fits).
    const m = inpaintModel(cards);
    return m ? [m, ...inpaintUpscalers(cards)] : [];
  }
  const sketch = sketchModel(cards);
  if (!sketch) return [];
  return sketchChain(cards, sketch, settings.sketchScale) ?? [sketch];
}

/** Layer-name title of a run, e.g. "Clean up + Upscale ×4", "Sketch → image", "Inpaint". */
export function toolTitle(tool: ToolId, chain: ModelCard[]): string {
  if (tool === 'edit') return `Edit${chain.length > 1 ? ` + ${chainTitle(chain.slice(1))}` : ''}`;
  // Inpaint's upscalers only bring shrunk fills back to size: the result is the image, inpainted.
  if (tool === 'inpaint') return chain[0]?.title ?? 'Inpaint';
  return chainTitle(chain);
}

/** The models the Result choice is about. Restore: every model of the chain (clean-up and upscaler
 * give the same kind of result). Inpaint: its own model; the upscalers after it only bring a shrunk
 * fill back to size, in their card's default. Sketch and Edit: none; their result is the sketch
 * model's one step, and the panel offers no choice there. */
export function resultModels(tool: ToolId, chain: ModelCard[]): ModelCard[] {
  if (tool === 'restore') return chain;
  if (tool === 'inpaint') return chain.slice(0, 1);
  return [];
}

/** The result choice a run sends: the user's, where a model the choice is about offers both results;
 * otherwise none, and each model gives its card's default. */
export function sentOutput(tool: ToolId, chain: ModelCard[], st: Settings): OutputChoice | undefined {
  return st.output && resultModels(tool, chain).some(offersResultChoice) ? st.output : undefined;
}

/** The seed a run of `tool` uses: the setting, except that a sketch's variations use the seeds after
 * it, so a seed saved near the top (−1 read as 4294967295) starts low enough that the last of them is
 * a seed too (the messages refuse one that is not). The Seed field shows this one. */
export function seedFor(tool: ToolId, st: Settings): number {
  return Math.min(st.seed, maxSeedFor(tool, st));
}

/** The highest seed a run of `tool` can start from: below MAX_SEED only where a sketch's variations
 * use the seeds after it. The Seed field's bound. */
export function maxSeedFor(tool: ToolId, st: Settings): number {
  return tool === 'sketch' ? highestFirstSeed(st.variations) : MAX_SEED;
}

/** The options a run of this tool sends: common fields, then the tool's own. */
export function runOptionsFor(tool: ToolId, chain: ModelCard[], st: Settings): RunOptions | null {
  if (chain.length === 0) return null;
  // Restore: Steps are every model's. Sketch, Edit and Inpaint: the tool's own model's (the upscalers
  // after it run their card's default, pipeline.followerOptions).
  const stepped = tool === 'restore' ? chain : chain.slice(0, 1);
  const steps = st.steps > 0 ? Math.min(st.steps, ...stepped.map((c) => c.time.grid.length - 1)) : 0;
  const chosen = sentOutput(tool, chain, st);
  const output = chosen ? { output: chosen } : {};
  const scale = tool === 'inpaint' ? 1 : chainScale(chain);
  const base: RunOptions = { modelIds: chain.map((c) => c.id), scale, steps, seed: st.seed, strength: 1, placement: st.placement, tool, ...output };
  if (tool === 'sketch') {
    const latent = st.swatch
      ? { swatchId: st.swatch.id, latentStrength: st.latentStrength }
      : st.color ? { color: st.color, latentStrength: st.latentStrength } : {};
    return { ...base, seed: seedFor(tool, st), placement: 'beside', variations: st.variations, ...latent };
  }
  if (tool === 'edit') return { ...base, strength: st.editStrength };
  return base;
}
