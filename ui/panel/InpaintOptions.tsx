// Inpaint options: the mask over a thumbnail of the image (what will be filled, and how much of the
// image that is), Faithful or Detailed where the model gives both (with Steps for Detailed), a seed, and
// where the result goes.
import { useEffect, useRef } from 'preact/hooks';
import type { MaskPreview, Settings } from '../../src/protocol';
import { decodePng } from '../engine/codec';
import { maskShare, type Mask } from '../engine/image/mask';
import { maskFromLayers } from '../engine/image/mask-layers';
import { toRgba8 } from '../engine/image/raw';
import { MAX_MASK_SHARE } from '../engine/tools/inpaint';
import { offersResultChoice, type ModelCard } from '../engine/zoo';
import { AboutModels } from './AboutModels';
import { chosenResult, ResultChoice } from './ResultChoice';
import { SeedField } from './SeedField';
import { StepsField } from './StepsField';
import { resultModels } from './tool-choice';

interface Props {
  chain: ModelCard[];
  preview: MaskPreview | null;
  settings: Settings;
  disabled: boolean;
  onChange(next: Partial<Settings>): void;
}

function maskOf(preview: MaskPreview): Mask | null {
  try {
    return maskFromLayers(preview.width, preview.height, preview.mask);
  } catch {
    return null;
  }
}

/** The share of the image the shapes cover (0 … 1), from the thumbnail; null without one. */
export function previewCoverage(preview: MaskPreview | null): number | null {
  const mask = preview ? maskOf(preview) : null;
  return mask ? maskShare(mask) : null;
}

function MaskThumbnail({ preview }: { preview: MaskPreview }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const img = decodePng(preview.png);
    const rgba = toRgba8(img);
    const mask = maskOf(preview);
    // The covered pixels tinted red over the image: what will be filled.
    for (let i = 0; mask && i < mask.width * mask.height && i < img.width * img.height; i++) {
      if (!mask.data[i]) continue;
      rgba[i * 4] = Math.round(rgba[i * 4] * 0.4 + 255 * 0.6);
      rgba[i * 4 + 1] = Math.round(rgba[i * 4 + 1] * 0.4);
      rgba[i * 4 + 2] = Math.round(rgba[i * 4 + 2] * 0.4);
      rgba[i * 4 + 3] = 255;
    }
    c.width = img.width;
    c.height = img.height;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), img.width, img.height), 0, 0);
  }, [preview]);
  return <canvas ref={canvas} class="mask-preview" data-testid="mask-preview" />;
}

export function InpaintOptions({ chain, preview, settings, disabled, onChange }: Props) {
  const share = previewCoverage(preview);
  const own = resultModels('inpaint', chain);
  const detailed = own.some(offersResultChoice) && chosenResult(own, settings) === 'detailed';
  const seed = <SeedField inRow seed={settings.seed} disabled={disabled} onChange={(seed) => onChange({ seed })} />;
  return (
    <section class="tool" data-testid="inpaint-options">
      <p class="tool-name">Inpaint</p>
      <p class="dim summary">Select an image and shapes drawn over what should go (a logo, text, a blemish). The area under the shapes is filled; everything else stays as it was.</p>
      {preview && <MaskThumbnail preview={preview} />}
      {share !== null && (
        <p class={share > MAX_MASK_SHARE ? 'error' : 'dim'} data-testid="mask-coverage" data-share={share.toFixed(4)}>
          The shapes cover {share < 0.01 && share > 0 ? 'under 1' : Math.round(share * 100)} % of the image{share > MAX_MASK_SHARE ? `: over ${MAX_MASK_SHARE * 100} %, too much to fill well` : ''}.
        </p>
      )}
      <ResultChoice chain={own} settings={settings} disabled={disabled} onChange={onChange}
        hints={{ faithful: 'The most likely fill: smooth, true to what surrounds it.', detailed: 'Sharper texture in the fill; the detail is invented.' }} />
      {/* Steps walk the one step's trajectory: shown only where the fill is Detailed (Faithful is one
          evaluation of the denoiser), on one row with the Seed so the panel fits Figma's window. */}
      {detailed ? <StepsField chain={own} steps={settings.steps} disabled={disabled} onChange={(steps) => onChange({ steps })} beside={seed} /> : seed}
      <label class="check">
        <input type="checkbox" data-testid="replace" checked={settings.placement === 'replace'} disabled={disabled}
          onChange={(e) => onChange({ placement: (e.target as HTMLInputElement).checked ? 'replace' : 'beside' })} />
        <span class="text">Replace the image (the original and the shapes are kept hidden beneath)</span>
      </label>
      <AboutModels chain={chain} />
    </section>
  );
}
