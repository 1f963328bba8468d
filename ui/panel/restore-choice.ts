// The Restore tool's choices, from the cards in the build: a size (×1 same size, ×2, ×4, ...) and
// "clean up first". They resolve to a chain of models: [clean?] then [upscaler?].
import type { Settings } from '../../src/protocol';
import { cleanerOf } from '../engine/tools/restore';
import { cardScale, type ModelCard } from '../engine/zoo';

export interface SizeChoice {
  /** The upscaler's card id, or '' for same size (the clean-up model alone). */
  id: string;
  label: string;
  scale: number;
}

export interface RestoreChoices {
  sizes: SizeChoice[];
  /** The same-size clean-up model, when the build has one. */
  cleaner: ModelCard | null;
}

const byScale = (a: ModelCard, b: ModelCard) => cardScale(a) - cardScale(b) || a.id.localeCompare(b.id);

export function restoreChoices(cards: ModelCard[]): RestoreChoices {
  const upscalers = cards.filter((c) => c.tool === 'restore' && c.source.kind === 'upscale').sort(byScale);
  const cleaner = cleanerOf(cards);
  const sizes: SizeChoice[] = cleaner ? [{ id: '', label: '×1 (same size)', scale: 1 }] : [];
  for (const c of upscalers) {
    const scale = cardScale(c);
    // Two models for one scale (a test build): name them apart.
    const twin = upscalers.some((o) => o !== c && cardScale(o) === scale);
    sizes.push({ id: c.id, label: twin ? `×${scale} · ${c.title}` : `×${scale}`, scale });
  }
  return { sizes, cleaner };
}

export interface Chosen {
  size: SizeChoice | null;
  /** Clean-up runs: ticked, or forced by ×1 (which has nothing else to do). */
  clean: boolean;
  cleanForced: boolean;
  chain: ModelCard[];
}

/** What the panel's settings select; an unknown or missing size falls back to the first upscaler. */
export function choose(cards: ModelCard[], settings: Pick<Settings, 'modelId' | 'clean'>): Chosen {
  const { sizes, cleaner } = restoreChoices(cards);
  const size = sizes.find((s) => s.id === settings.modelId) ?? sizes.find((s) => s.id !== '') ?? sizes[0] ?? null;
  const cleanForced = !!cleaner && size?.id === '';
  const clean = !!cleaner && (cleanForced || settings.clean);
  const chain: ModelCard[] = [];
  if (clean && cleaner) chain.push(cleaner);
  const upscaler = size && size.id ? cards.find((c) => c.id === size.id) : undefined;
  if (upscaler) chain.push(upscaler);
  return { size, clean, cleanForced, chain };
}

/** The panel settings that show a stored chain (for "Run again"): its upscaler and whether it cleans. */
export function settingsForChain(cards: ModelCard[], modelIds: string[]): Pick<Settings, 'modelId' | 'clean'> {
  const chain = modelIds.map((id) => cards.find((c) => c.id === id)).filter((c): c is ModelCard => !!c);
  const upscaler = chain.find((c) => c.source.kind === 'upscale');
  return { modelId: upscaler ? upscaler.id : '', clean: chain.some((c) => c.source.kind !== 'upscale') };
}

/** Layer-name title of a chain, e.g. "Clean up + Upscale ×4". */
export function chainTitle(chain: ModelCard[]): string {
  return chain.map((c) => c.title).join(' + ');
}
