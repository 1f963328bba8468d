// Sketch → image and Edit options. Sketch: variations (4 seeds side by side), seed, output size
// (the model's square, upscaled), a colour to push the result toward and its strength γ. Edit: how far
// the result may move from the painted-over image (s). What each does is said in plain words.
import type { SelectionItem, Settings, ToolId } from '../../src/protocol';
import { SKETCH_LIMITS } from '../../src/protocol';
import { sketchSize } from '../engine/tools/sketch';
import type { ModelCard } from '../engine/zoo';
import { AboutModels } from './AboutModels';
import { SeedField } from './SeedField';
import { maxSeedFor, seedFor } from './tool-choice';
import { StepsField } from './StepsField';

interface Props {
  tool: Extract<ToolId, 'sketch' | 'edit'>;
  chain: ModelCard[];
  scales: number[];
  settings: Settings;
  /** The layers selected now: one of them can become the colour layer (swatch). */
  selected: SelectionItem[];
  disabled: boolean;
  onChange(next: Partial<Settings>): void;
}

/** The Strength hint: the model's measured range (card `latent`), or what Strength does when it has none. */
export function latentHint(model: ModelCard | undefined): string {
  const range = model?.latent;
  if (!range) return 'How strongly the colour pushes the result.';
  return `Works best near ${range.best}; from ${range.floods} up the colour floods the paper.`;
}

export function SketchOptions({ tool, chain, scales, settings, selected, disabled, onChange }: Props) {
  const model = chain[0];
  // the seed the run will use, and the highest its first variation may take
  const seed = seedFor(tool, settings);
  const maxSeed = maxSeedFor(tool, settings);
  const side = model ? sketchSize(model) : 0;
  const num = (e: Event) => Number((e.target as HTMLInputElement).value);
  return (
    <section class="tool" data-testid={`${tool}-options`}>
      <p class="tool-name">{tool === 'sketch' ? 'Sketch → image' : 'Edit a result'}</p>
      <p class="dim summary">
        {tool === 'sketch'
          ? 'Colours a line drawing (dark strokes on a light background) in one step. Photos and colour art are turned into a sketch first.'
          : 'Paint or place shapes over a result, select it with them (a frame or group), and Edit pulls it back to a clean drawing.'}
      </p>
      <label class="inline">
        <span>Size</span>
        <select data-testid="sketch-scale" disabled={disabled} value={String(settings.sketchScale)} onChange={(e) => onChange({ sketchScale: num(e) })}>
          {scales.map((k) => (
            <option key={k} value={String(k)}>{side * k}×{side * k} px{k > 1 ? ` (upscaled ×${k})` : ''}</option>
          ))}
        </select>
      </label>
      {tool === 'sketch' && (
        <label class="check">
          <input type="checkbox" data-testid="variations" checked={settings.variations > 1} disabled={disabled}
            onChange={(e) => onChange({ variations: (e.target as HTMLInputElement).checked ? 4 : 1 })} />
          <span class="text">Make 4 variations<span class="hint">Seeds {seed}–{seed + 3}, side by side; each result keeps its seed.</span></span>
        </label>
      )}
      <SeedField seed={seed} max={maxSeed} disabled={disabled} onChange={(next) => onChange({ seed: next })}
        hint={tool === 'edit' ? 'used when the image has no sketch of its own' : 'the same seed gives the same image'} />
      {tool === 'sketch' && (
        <fieldset class="choice" disabled={disabled}>
          <label class="check">
            <input type="checkbox" data-testid="use-color" checked={settings.color !== null || settings.swatch !== null}
              onChange={(e) => onChange((e.target as HTMLInputElement).checked ? { color: '#cc3344', swatch: null } : { color: null, swatch: null })} />
            <span class="text">Push the colours toward</span>
            {settings.swatch === null && (
              <input type="color" data-testid="color" value={settings.color ?? '#cc3344'} disabled={settings.color === null}
                onChange={(e) => onChange({ color: (e.target as HTMLInputElement).value })} />
            )}
          </label>
          {settings.swatch !== null && (
            <p class="dim summary" data-testid="swatch">
              the colours of “{settings.swatch.name}” <button data-testid="swatch-clear" onClick={() => onChange({ swatch: null, color: '#cc3344' })}>Use a colour</button>
            </p>
          )}
          {(settings.color !== null || settings.swatch !== null) && settings.swatch === null && selected.length === 1 && (
            <button data-testid="swatch-use" class="small" onClick={() => onChange({ swatch: { id: selected[0].id, name: selected[0].name }, color: null })}>
              or the colours of the selected “{selected[0].name}” (a swatch or texture)
            </button>
          )}
          {(settings.color !== null || settings.swatch !== null) && (
            <label class="inline">
              <span>Strength</span>
              <input type="range" data-testid="latent-strength" min={0} max={SKETCH_LIMITS.latentStrength} step={0.05} value={settings.latentStrength}
                onInput={(e) => onChange({ latentStrength: num(e) })} />
              <span class="dim" data-testid="latent-strength-value">{settings.latentStrength.toFixed(2)}</span>
            </label>
          )}
          {(settings.color !== null || settings.swatch !== null) && <span class="hint" data-testid="latent-hint">{latentHint(model)}</span>}
        </fieldset>
      )}
      {tool === 'edit' && (
        <label class="inline">
          <span>Strength</span>
          <input type="range" data-testid="edit-strength" min={0.05} max={1} step={0.05} value={settings.editStrength}
            onInput={(e) => onChange({ editStrength: num(e) })} />
          <span class="dim" data-testid="edit-strength-value">{settings.editStrength.toFixed(2)}</span>
        </label>
      )}
      {tool === 'edit' && <span class="hint">Low keeps your painting and tidies it; high redraws it from the sketch.</span>}
      <StepsField chain={chain.slice(0, 1)} steps={settings.steps} disabled={disabled} onChange={(steps) => onChange({ steps })} />
      <AboutModels chain={chain} />
    </section>
  );
}
