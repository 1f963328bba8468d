// Faithful / Detailed: the two results one evaluation of a GCTM gives (its denoiser, and its one-step
// jump along the trajectory), offered where a model of the chain exports both. Each tool words the
// hints for what it makes; until the user picks one, the choice shows the last such model's default.
import type { Settings } from '../../src/protocol';
import { effectiveOutput, offersResultChoice, type ModelCard } from '../engine/zoo';

export interface ResultHints {
  faithful: string;
  detailed: string;
}

/** The result a run will give: the user's pick, else the default of the chain's last model that offers both. */
export function chosenResult(chain: ModelCard[], settings: Settings): 'faithful' | 'detailed' {
  const two = chain.filter(offersResultChoice);
  return settings.output ?? (two.length ? effectiveOutput(two[two.length - 1], undefined) : 'detailed');
}

interface Props {
  chain: ModelCard[];
  settings: Settings;
  disabled: boolean;
  hints: ResultHints;
  onChange(next: Partial<Settings>): void;
}

/** The radio pair, or nothing where no model of the chain offers both results. */
export function ResultChoice({ chain, settings, disabled, hints, onChange }: Props) {
  if (!chain.some(offersResultChoice)) return null;
  const result = chosenResult(chain, settings);
  return (
    <fieldset class="choice" data-testid="result" disabled={disabled}>
      <legend>Result</legend>
      <label class="check">
        <input type="radio" name="result" data-testid="result-faithful" checked={result === 'faithful'}
          onChange={() => onChange({ output: 'faithful' })} />
        <span class="text">Faithful<span class="hint">{hints.faithful}</span></span>
      </label>
      <label class="check">
        <input type="radio" name="result" data-testid="result-detailed" checked={result === 'detailed'}
          onChange={() => onChange({ output: 'detailed' })} />
        <span class="text">Detailed<span class="hint">{hints.detailed}</span></span>
      </label>
    </fieldset>
  );
}
