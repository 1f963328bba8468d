// The Restore tool's options: size (×1, ×2, ×4 from the models in the build), clean-up first, steps
// along the models' grids, seed when a model uses noise, and where the result goes. What each model
// does is said in plain words; the numbers are behind "About this model".
import type { Settings } from '../../src/protocol';
import { offersResultChoice, type ModelCard } from '../engine/zoo';
import { perturbsSource } from '../engine/tools/restore';
import { qualityWords } from './plain';
import { AboutModels } from './AboutModels';
import { restoreChoices, type Chosen } from './restore-choice';
import { sentOutput } from './tool-choice';
import { chosenResult, ResultChoice } from './ResultChoice';
import { SeedField } from './SeedField';
import { StepsField } from './StepsField';

interface Props {
  cards: ModelCard[];
  chosen: Chosen;
  settings: Settings;
  disabled: boolean;
  /** Where the engine runs, in plain words (from the engine's log), for "About this model". */
  runsOn: string;
  onChange(next: Partial<Settings>): void;
}

const lowerFirst = (t: string) => t.charAt(0).toLowerCase() + t.slice(1);

export function ToolOptions({ cards, chosen, settings, disabled, runsOn, onChange }: Props) {
  const { sizes, cleaner } = restoreChoices(cards);
  const chain = chosen.chain;
  // the seed matters where a model is given a perturbed source, for the result the run will send
  const output = sentOutput('restore', chain, settings);
  const usesNoise = chain.some((c) => perturbsSource(c, output));
  const twoResults = chain.filter(offersResultChoice);
  const allFaithful = twoResults.length === chain.length && chosenResult(chain, settings) === 'faithful';
  return (
    <section class="tool">
      <p class="tool-name">Restore</p>
      <label class="inline">
        <span>Size</span>
        <select data-testid="model" disabled={disabled} value={chosen.size?.id ?? ''} onChange={(e) => onChange({ modelId: (e.target as HTMLSelectElement).value })}>
          {sizes.map((s) => (
            <option key={s.id} value={s.id}>{s.label}</option>
          ))}
        </select>
      </label>
      {cleaner && (
        <label class="check" data-testid="clean-option">
          <input type="checkbox" data-testid="clean" checked={chosen.clean} disabled={disabled || chosen.cleanForced}
            onChange={(e) => onChange({ clean: (e.target as HTMLInputElement).checked })} />
          <span class="text">
            <span data-testid="clean-label">Clean up noise, blur and JPEG artefacts{chosen.cleanForced ? '' : ' first'}</span>
            {!chosen.cleanForced && <span class="hint" data-testid="clean-hint">For soft or noisy photos; it smooths fine texture in clean images.</span>}
          </span>
        </label>
      )}
      {chain.map((c) => (
        <p key={c.id} class="dim summary" data-testid="quality">{chain.length > 1 ? `${c.title}: ${lowerFirst(qualityWords(c))}` : qualityWords(c)}</p>
      ))}
      <ResultChoice chain={chain} settings={settings} disabled={disabled} onChange={onChange}
        hints={{ faithful: 'True to the input, a little smoother.', detailed: 'Sharper; invents fine detail, and grain on flat colour.' }} />
      {/* Faithful is one evaluation: Steps shows only where some model of the chain gives its one step. */}
      {!allFaithful && (
        <StepsField chain={chain} steps={settings.steps} disabled={disabled} onChange={(steps) => onChange({ steps })}
          beside={usesNoise && <SeedField inRow seed={settings.seed} disabled={disabled} onChange={(seed) => onChange({ seed })} />} />
      )}
      <label class="check">
        <input type="checkbox" data-testid="replace" checked={settings.placement === 'replace'} disabled={disabled}
          onChange={(e) => onChange({ placement: (e.target as HTMLInputElement).checked ? 'replace' : 'beside' })} />
        <span class="text">Replace the layer (keep the original hidden beneath)</span>
      </label>
      <AboutModels chain={chain} runsOn={runsOn} />
    </section>
  );
}
