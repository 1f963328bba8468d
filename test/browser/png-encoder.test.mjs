// The PNGs the engine writes (results for Figma, files from the CLI) read back to the same pixels in
// Chromium's own decoder, the kind of independent reader Figma itself uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodePng } from '../../ui/engine/codec.ts';
import { launchBrowser } from '../helpers/browser.mjs';

let browser;
before(async () => (browser = await launchBrowser()));
after(async () => browser?.close());

/** The PNG as Chromium's decoder reads it: RGBA bytes from a canvas (colour management off). */
async function chromiumPixels(page, png) {
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    return { width: bmp.width, height: bmp.height, rgba: Array.from(ctx.getImageData(0, 0, bmp.width, bmp.height).data) };
  }, Buffer.from(png).toString('base64'));
}

test('Chromium decodes encodePng output (grey, RGB, opaque RGBA; 8 and 16 bits) to the samples written', async () => {
  const page = await browser.context.newPage();
  try {
    const width = 37, height = 23;
    for (const [channels, depth] of [[1, 8], [3, 8], [4, 8], [3, 16]]) {
      const n = width * height;
      const data = depth === 8 ? new Uint8Array(n * channels) : new Uint16Array(n * channels);
      const expect = [];
      for (let i = 0; i < n; i++) {
        const x = i % width, y = Math.floor(i / width);
        const rgb = [(x * 7 + y * 3) & 255, (x * y) & 255, (255 - x * 5) & 255];
        const samples = channels === 1 ? [rgb[0]] : channels === 3 ? rgb : [...rgb, 255];
        samples.forEach((v, c) => (data[i * channels + c] = depth === 8 ? v : v * 257));
        expect.push(...(channels === 1 ? [rgb[0], rgb[0], rgb[0]] : rgb), 255);
      }
      const got = await chromiumPixels(page, encodePng({ width, height, channels, depth, data }));
      assert.deepEqual([got.width, got.height], [width, height]);
      const off = got.rgba.findIndex((v, i) => v !== expect[i]);
      assert.equal(off, -1, `${channels} channels, ${depth}-bit: first difference at byte ${off}`);
    }
  } finally {
    await page.close();
  }
});
