// The Inpaint mask from the shapes the user drew over the image. Main exports each shape as Figma
// draws it and says where it lies in the image's exported pixels (src/inpaint-selection.ts); here
// they become one mask. A pixel is in the hole where any shape's pixel has alpha above 0: any fill,
// stroke or layer opacity counts as covered (a shape at 30 % opacity still marks what to remove), and
// only the part of a shape over the image counts. How much of the image that is: maskShare in mask.ts.
import type { MaskLayer } from '../../../src/protocol';
import { decodePng } from '../codec';
import type { Mask } from './mask';
import type { RawImage } from './raw';

/**
 * The union of the layers' footprints on a width × height image, 0/1 per pixel. A layer without an
 * alpha channel covers its whole rectangle. `decode` is a parameter so that tests can count decodes
 * or hand in pixels directly.
 */
export function maskFromLayers(width: number, height: number, layers: MaskLayer[], decode: (png: Uint8Array) => RawImage = decodePng): Mask {
  const out = new Uint8Array(width * height);
  for (const layer of layers) {
    // Main rounds the offsets already; rounding again keeps a fractional offset from indexing between pixels.
    const lx = Math.round(layer.x), ly = Math.round(layer.y);
    // Entirely outside the image: nothing to decode.
    if (lx >= width || ly >= height) continue;
    const img = decode(layer.png);
    const { channels, data } = img;
    const alpha = channels === 2 || channels === 4;
    const x0 = Math.max(0, lx), x1 = Math.min(width, lx + img.width);
    const y0 = Math.max(0, ly), y1 = Math.min(height, ly + img.height);
    for (let y = y0; y < y1; y++) {
      const src = (y - ly) * img.width - lx;
      for (let x = x0; x < x1; x++) {
        if (!alpha || data[(src + x) * channels + channels - 1] > 0) out[y * width + x] = 1;
      }
    }
  }
  return { width, height, data: out };
}
