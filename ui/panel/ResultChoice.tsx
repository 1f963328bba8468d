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

/** The radio pair on one row with the chosen result's hint beneath (the panel must fit Figma's
 * default window), or nothing where no model of the chain offers both results. */
export function ResultChoice({ chain, settings, disabled, hints, onChange }: Props) {
  if (!chain.some(offersResultChoice)) return null;
  const result = chosenResult(chain, settings);
  const radio = (choice: 'faithful' | 'detailed', label: string) => (
    <label class="radio">
      <input type="radio" name="result" data-testid={`result-${choice}`} checked={result === choice}
        onChange={() => onChange({ output: choice })} />
      <span>{label}</span>
    </label>
  );
  return (
    // A legend must be the fieldset's first child, where it cannot sit in a row: the group is named
    // by aria-label and the row shows the word.
    <fieldset class="choice" data-testid="result" disabled={disabled} aria-label="Result">
      <div class="choice-row">
        <span class="legend" aria-hidden="true">Result</span>
        {radio('faithful', 'Faithful')}
        {radio('detailed', 'Detailed')}
      </div>
      <span class="hint" data-testid="result-hint">{hints[result]}</span>
    </fieldset>
  );
}
