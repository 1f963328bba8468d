// The Restore tool's options: size (×1, ×2, ×4 from the models in the build), clean-up first, steps
// along the models' grids, seed when a model uses noise, and where the result goes.
import type { Settings } from '../../src/protocol';
import { effectiveSteps, type ModelCard } from '../engine/zoo';
import { restoreChoices, type Chosen } from './restore-choice';

interface Props {
  cards: ModelCard[];
  chosen: Chosen;
  settings: Settings;
  disabled: boolean;
  onChange(next: Partial<Settings>): void;
}

type Summary = Record<string, { psnr?: number }>;

/** One line of facts from a card: size, and held-out quality against its baseline (bicubic or the damaged input). */
function facts(card: ModelCard): string {
  const parts: string[] = [card.title];
  if (card.bytes) parts.push(`${(card.bytes / 1048576).toFixed(1)} MB`);
  const summary = (card.metrics as { summary?: Summary } | undefined)?.summary;
  const steps = effectiveSteps(card, 0);
  // The quality of what the default run does: one step, or the card's default number of steps.
  const one = steps > 1 ? summary?.gctm_k?.psnr : summary?.gctm_nfe1?.psnr;
  const [baseName, base] = summary?.bicubic ? ['bicubic', summary.bicubic.psnr] : ['input', summary?.input?.psnr];
  if (typeof one === 'number') parts.push(`${one.toFixed(1)} dB PSNR in ${steps} step${steps > 1 ? 's' : ''}${typeof base === 'number' ? ` (${baseName} ${base.toFixed(1)} dB)` : ''}`);
  return parts.join(' \u00b7 ');
}

export function ToolOptions({ cards, chosen, settings, disabled, onChange }: Props) {
  const { sizes, cleaner } = restoreChoices(cards);
  const chain = chosen.chain;
  const maxSteps = Math.max(1, Math.min(...chain.map((c) => c.time.grid.length - 1)));
  const defaults = chain.map((c) => `${c.title}: ${effectiveSteps(c, 0)}`).join(', ');
  const usesNoise = chain.some((c) => (c.source.sigma_p ?? 0) > 0);
  return (
    <section class="tool">
      <p class="tool-name">Restore</p>
      <label>
        Size
        <select data-testid="model" disabled={disabled} value={chosen.size?.id ?? ''} onChange={(e) => onChange({ modelId: (e.target as HTMLSelectElement).value })}>
          {sizes.map((s) => (
            <option key={s.id} value={s.id}>{s.label}</option>
          ))}
        </select>
      </label>
      {cleaner && (
        <label class="row">
          <input type="checkbox" data-testid="clean" checked={chosen.clean} disabled={disabled || chosen.cleanForced}
            onChange={(e) => onChange({ clean: (e.target as HTMLInputElement).checked })} />
          Clean up noise, blur and JPEG artefacts{chosen.cleanForced ? '' : ' first'}
          {!chosen.cleanForced && <span class="dim"> (for soft or noisy photos; it smooths fine texture in clean images)</span>}
        </label>
      )}
      {chain.map((c) => (
        <p key={c.id} class="dim summary" data-testid="facts">{facts(c)}</p>
      ))}
      <label>
        Steps <span class="dim">(network evaluations per model; empty = each model's default: {defaults})</span>
        <input type="number" data-testid="steps" min={1} max={maxSteps} placeholder="default" value={settings.steps > 0 ? Math.min(settings.steps, maxSteps) : ''} disabled={disabled}
          onChange={(e) => {
            const v = Math.floor(Number((e.target as HTMLInputElement).value));
            onChange({ steps: v > 0 ? Math.min(maxSteps, v) : 0 });
          }} />
      </label>
      {usesNoise && (
        <label>
          Seed
          <input type="number" data-testid="seed" value={settings.seed} disabled={disabled}
            onChange={(e) => onChange({ seed: Math.floor(Number((e.target as HTMLInputElement).value) || 0) })} />
        </label>
      )}
      <label class="row">
        <input type="checkbox" data-testid="replace" checked={settings.placement === 'replace'} disabled={disabled}
          onChange={(e) => onChange({ placement: (e.target as HTMLInputElement).checked ? 'replace' : 'beside' })} />
        Replace the layer (keep the original hidden beneath)
      </label>
    </section>
  );
}
