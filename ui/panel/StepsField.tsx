// Steps: how many evaluations each model of the chain takes (empty: each card's default), along the
// models' time grids. What is typed is kept until it is committed, so a render meanwhile (progress,
// the engine's log) does not wipe it; a number over the maximum shows and saves the maximum.
import { useState } from 'preact/hooks';
import { effectiveSteps, type ModelCard } from '../engine/zoo';

interface Props {
  chain: ModelCard[];
  steps: number;
  disabled: boolean;
  onChange(steps: number): void;
  /** Another field on the same row (the Seed): the hint then goes into the field's tooltip. */
  beside?: preact.ComponentChildren;
}

export function StepsField({ chain, steps, disabled, onChange, beside }: Props) {
  const maxSteps = Math.max(1, Math.min(...chain.map((c) => c.time.grid.length - 1)));
  const defaults = [...new Set(chain.map((c) => effectiveSteps(c, 0)))].join(' or ');
  const [typed, setTyped] = useState<string | null>(null);
  const shown = typed ?? (steps > 0 ? String(Math.min(steps, maxSteps)) : '');
  const hint = `1–${maxSteps}, default ${defaults || 1}; more is slower`;
  const field = (
    <label class="inline">
      <span>Steps</span>
      <input type="number" data-testid="steps" min={1} max={maxSteps} placeholder="default" value={shown} disabled={disabled}
        title={beside ? hint : undefined}
        onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
        onChange={(e) => {
          const input = e.target as HTMLInputElement;
          const v = Math.floor(Number(input.value));
          const next = v > 0 ? Math.min(maxSteps, v) : 0;
          // Show the value that counts even when the setting does not change (then nothing re-renders).
          input.value = next > 0 ? String(next) : '';
          setTyped(null);
          onChange(next);
        }} />
      {!beside && <span class="dim" data-testid="steps-hint">{hint}</span>}
    </label>
  );
  return beside ? <div class="row">{field}{beside}</div> : field;
}
