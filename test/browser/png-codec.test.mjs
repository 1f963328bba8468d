// The engine's PNG codec against Chromium's: the PNGs the engine writes (results for Figma, files from
// the CLI) read back to the same pixels in Chromium's decoder, the kind of reader Figma itself uses;
// and PNGs Chromium writes (its encoder picks a filter per row) read to Chromium's pixels in the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodePng, encodePng } from '../../ui/engine/codec.ts';
import { toRgba8 } from '../../ui/engine/image/raw.ts';
import { readCommonPng } from '../../ui/engine/png-read.ts';
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

test('decodePng reads PNGs Chromium writes (a filter chosen per row) to the pixels Chromium drew', async () => {
  const page = await browser.context.newPage();
  try {
    const { png, rgba } = await page.evaluate(async () => {
      const w = 203, h = 97; // a photo-like gradient with texture and a hard edge: every filter pays somewhere
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      const g = ctx.createLinearGradient(0, 0, w, h);
      g.addColorStop(0, '#1d3c6a');
      g.addColorStop(1, '#f2b36b');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w, h);
      for (let i = 0; i < 400; i++) {
        ctx.fillStyle = `rgb(${(i * 37) % 256}, ${(i * 91) % 256}, ${(i * 53) % 256})`;
        ctx.fillRect((i * 29) % w, (i * 17) % h, 1 + (i % 3), 1 + (i % 2));
      }
      ctx.fillStyle = '#000';
      ctx.fillRect(60, 20, 40, 50);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      return { png: btoa(bin), rgba: Array.from(ctx.getImageData(0, 0, w, h).data) };
    });
    const bytes = new Uint8Array(Buffer.from(png, 'base64'));
    assert.ok(readCommonPng(bytes), 'the fast reader takes this file (not fast-png)');
    const img = decodePng(bytes);
    assert.deepEqual([img.width, img.height], [203, 97]);
    const ours = Array.from(toRgba8(img));
    const off = ours.findIndex((v, i) => v !== rgba[i]);
    assert.equal(off, -1, `first difference at byte ${off}`);
  } finally {
    await page.close();
  }
});
