// Writes the playground's example images (procedural, so they carry no third-party licence).
//   node ui/standin/examples/make-examples.mjs
import { encode } from 'fast-png';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
function hash(x, y) {
  let h = (x * 374761393 + y * 668265263) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function image(name, w, h, channels, pixel) {
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(pixel(x, y).map(clamp), (y * w + x) * channels);
  writeFileSync(join(here, `${name}.png`), encode({ width: w, height: h, data, depth: 8, channels }));
}

// A small landscape: sky gradient, sun, two hill lines, grain.
image('Landscape', 160, 112, 3, (x, y) => {
  const sky = [90 + y * 0.9, 150 + y * 0.6, 230 - y * 0.3];
  const sun = Math.hypot(x - 118, y - 30) < 14 ? [255, 220, 120] : null;
  const hill1 = y > 70 + 10 * Math.sin(x / 17);
  const hill2 = y > 86 + 6 * Math.sin(x / 9 + 1);
  let c = sun ?? sky;
  if (hill1) c = [60, 120 + 20 * Math.sin(x / 5), 60];
  if (hill2) c = [40, 90, 45];
  const g = (hash(x, y) - 0.5) * 18;
  return c.map((v) => v + g);
});

// Fine detail: stripes, a checkerboard and thin lines (where upscalers differ most).
image('Pattern', 128, 96, 3, (x, y) => {
  if (y < 32) return Math.floor(x / 3) % 2 ? [30, 30, 30] : [240, 240, 240];
  if (y < 64) return (Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? [200, 60, 60] : [250, 230, 200];
  const line = Math.abs(((x + y * 0.5) % 12) - 6) < 0.8;
  return line ? [20, 40, 120] : [235, 240, 250];
});

// An icon with transparency: a soft-edged ring on nothing.
image('Icon', 96, 96, 4, (x, y) => {
  const r = Math.hypot(x - 47.5, y - 47.5);
  const a = Math.max(0, Math.min(1, 1 - Math.abs(r - 30) / 8));
  return [250 - x, 120 + y, 200, a * 255];
});
