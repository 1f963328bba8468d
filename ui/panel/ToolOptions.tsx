// The Restore tool's options: size (×1, ×2, ×4 from the models in the build), clean-up first, steps
// along the models' grids, seed when a model uses noise, and where the result goes. What each model
// does is said in plain words; the numbers are behind "About this model".
import { useState } from 'preact/hooks';
import type { Settings } from '../../src/protocol';
import { effectiveOutput, effectiveSteps, offersResultChoice, type ModelCard } from '../engine/zoo';
import { aboutLines, qualityWords } from './plain';
import { restoreChoices, type Chosen } from './restore-choice';

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
  const maxSteps = Math.max(1, Math.min(...chain.map((c) => c.time.grid.length - 1)));
  const defaults = [...new Set(chain.map((c) => effectiveSteps(c, 0)))].join(' or ');
  const usesNoise = chain.some((c) => (c.source.sigma_p ?? 0) > 0);
  // Faithful / Detailed: offered when a model of the chain gives both; shown as the last model's
  // default until the user picks one. Faithful is one evaluation, so Steps applies to Detailed only.
  const twoResults = chain.filter(offersResultChoice);
  const result = settings.output ?? (twoResults.length ? effectiveOutput(twoResults[twoResults.length - 1], undefined) : 'detailed');
  const [typed, setTyped] = useState<string | null>(null);
  const shown = typed ?? (settings.steps > 0 ? String(Math.min(settings.steps, maxSteps)) : '');
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
      {twoResults.length > 0 && (
        <fieldset class="choice" data-testid="result" disabled={disabled}>
          <legend>Result</legend>
          <label class="check">
            <input type="radio" name="result" data-testid="result-faithful" checked={result === 'faithful'}
              onChange={() => onChange({ output: 'faithful' })} />
            <span class="text">Faithful<span class="hint">The most likely image: true to the input, a little smoother.</span></span>
          </label>
          <label class="check">
            <input type="radio" name="result" data-testid="result-detailed" checked={result === 'detailed'}
              onChange={() => onChange({ output: 'detailed' })} />
            <span class="text">Detailed<span class="hint">Sharper texture; fine detail may be invented.</span></span>
          </label>
        </fieldset>
      )}
      <label class="inline">
        <span>Steps</span>
        <input type="number" data-testid="steps" min={1} max={maxSteps} placeholder="default" value={shown} disabled={disabled || (twoResults.length === chain.length && result === 'faithful')}
          // What is typed is kept until it is committed, so a render meanwhile (progress, the engine's
          // log) does not wipe it.
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            const v = Math.floor(Number(input.value));
            const steps = v > 0 ? Math.min(maxSteps, v) : 0;
            // Show the value that counts: a number over the maximum becomes the maximum even when the
            // setting does not change (then nothing re-renders the box).
            input.value = steps > 0 ? String(steps) : '';
            setTyped(null);
            onChange({ steps });
          }} />
        <span class="dim" data-testid="steps-hint">1–{maxSteps}, default {defaults || 1}; more is slower</span>
      </label>
      {usesNoise && (
        <label class="inline">
          <span>Seed</span>
          <input type="number" data-testid="seed" value={settings.seed} disabled={disabled}
            onChange={(e) => onChange({ seed: Math.floor(Number((e.target as HTMLInputElement).value) || 0) })} />
        </label>
      )}
      <label class="check">
        <input type="checkbox" data-testid="replace" checked={settings.placement === 'replace'} disabled={disabled}
          onChange={(e) => onChange({ placement: (e.target as HTMLInputElement).checked ? 'replace' : 'beside' })} />
        <span class="text">Replace the layer (keep the original hidden beneath)</span>
      </label>
      <details class="about" data-testid="about">
        <summary>About this model</summary>
        {chain.map((c) => (
          <div key={c.id} class="facts" data-testid="facts">
            {aboutLines(c).map((line, i) => <p key={i}>{line}</p>)}
          </div>
        ))}
        {runsOn && <p data-testid="runs-on">Runs on {runsOn}.</p>}
      </details>
    </section>
  );
}
