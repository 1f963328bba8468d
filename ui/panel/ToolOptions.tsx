// Tool picker plus the options this model's card allows (steps along its grid, seed when it uses noise).
import type { Settings } from '../../src/protocol';
import type { ModelCard } from '../engine/zoo';

interface Props {
  cards: ModelCard[];
  card: ModelCard;
  settings: Settings;
  disabled: boolean;
  onChange(next: Partial<Settings>): void;
}

/** One line of facts from the card: size, and held-out quality against the bicubic baseline. */
function facts(card: ModelCard): string {
  const parts: string[] = [];
  if (card.bytes) parts.push(`${(card.bytes / 1048576).toFixed(1)} MB`);
  const summary = (card.metrics as { summary?: Record<string, { psnr?: number }> } | undefined)?.summary;
  const one = summary?.gctm_nfe1?.psnr;
  const bicubic = summary?.bicubic?.psnr;
  if (typeof one === 'number') parts.push(`${one.toFixed(1)} dB PSNR in 1 step${typeof bicubic === 'number' ? ` (bicubic ${bicubic.toFixed(1)} dB)` : ''}`);
  return parts.join(' \u00b7 ');
}

export function ToolOptions({ cards, card, settings, disabled, onChange }: Props) {
  const maxSteps = card.time.grid.length - 1;
  const usesNoise = (card.source.sigma_p ?? 0) > 0 || card.tool === 'generate' || card.tool === 'sketch';
  return (
    <section class="tool">
      <label>
        Tool
        <select data-testid="model" disabled={disabled} value={card.id} onChange={(e) => onChange({ modelId: (e.target as HTMLSelectElement).value })}>
          {cards.map((c) => (
            <option key={c.id} value={c.id}>{c.title}</option>
          ))}
        </select>
      </label>
      <p class="dim summary">{card.summary}</p>
      <p class="dim summary" data-testid="facts">{facts(card)}</p>
      <label>
        Steps <span class="dim">(1 = one network evaluation)</span>
        <input type="number" data-testid="steps" min={1} max={maxSteps} value={settings.steps} disabled={disabled}
          onChange={(e) => onChange({ steps: Math.min(maxSteps, Math.max(1, Number((e.target as HTMLInputElement).value) || 1)) })} />
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
