// Seed: the one number that picks the noise of a result (Detailed, a sketch, an inpaint fill). The
// engine reads it as an unsigned 32-bit integer (engine/random.ts), so the field keeps what is typed
// inside that range rather than letting −1 and 4294967295 silently give the same image.
import { MAX_SEED } from '../../src/protocol';

/** What a typed seed becomes: a whole number in [0, max]; anything unreadable is 0. */
export function clampSeed(typed: string, max = MAX_SEED): number {
  const v = Math.floor(Number(typed));
  return Number.isFinite(v) ? Math.max(0, Math.min(max, v)) : 0;
}

interface Props {
  seed: number;
  disabled: boolean;
  onChange(seed: number): void;
  /** Below MAX_SEED where a run uses the seeds after this one too (sketch variations). */
  max?: number;
  /** A few words beside the field; left out where the field shares its row. */
  hint?: string;
  /** On a row with another field (Steps): the compact form. */
  inRow?: boolean;
}

export function SeedField({ seed, disabled, onChange, max = MAX_SEED, hint, inRow }: Props) {
  return (
    <label class={inRow ? 'inline seed' : 'inline'}>
      <span>Seed</span>
      <input type="number" data-testid="seed" min={0} max={max} value={seed} disabled={disabled}
        onChange={(e) => {
          const input = e.target as HTMLInputElement;
          const next = clampSeed(input.value, max);
          input.value = String(next); // show the seed that counts even when the setting does not change
          onChange(next);
        }} />
      {hint && <span class="dim">{hint}</span>}
    </label>
  );
}
