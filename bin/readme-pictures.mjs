// Writes docs/<model id>.png for the README, from the golden input of each zoo model (`npm run readme`):
// an upscaler's input (pixel-repeated), plain bicubic and its result; a same-size model's damaged
// input, its result and the clean original. Models with both outputs show Faithful, then Detailed.
import { register } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

register('./ts-hooks.mjs', import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(resolve(root, p));
const { readCards, openCardModel } = await load('ui/engine/node.ts');
const { runPipeline } = await load('ui/engine/pipeline.ts');
const { decodePng, encodePng } = await load('ui/engine/codec.ts');
const { toPlanes, fromPlanes, toRgba8 } = await load('ui/engine/image/raw.ts');
const { resizeBicubic } = await load('ui/engine/image/resize.ts');
const { hasDenoiser } = await load('ui/engine/zoo.ts');

const GAP = 8;

function rgba(img) {
  return { width: img.width, height: img.height, data: toRgba8(img) };
}

function nearest(img, s) {
  const out = new Uint8Array(img.width * s * img.height * s * 4);
  for (let y = 0; y < img.height * s; y++)
    for (let x = 0; x < img.width * s; x++) out.set(img.data.subarray(((Math.floor(y / s) * img.width) + Math.floor(x / s)) * 4, ((Math.floor(y / s) * img.width) + Math.floor(x / s)) * 4 + 4), (y * img.width * s + x) * 4);
  return { width: img.width * s, height: img.height * s, data: out };
}

function strip(panels) {
  const h = Math.max(...panels.map((p) => p.height));
  const w = panels.reduce((a, p) => a + p.width, 0) + GAP * (panels.length - 1);
  const data = new Uint8Array(w * h * 4).fill(255);
  let x0 = 0;
  for (const p of panels) {
    for (let y = 0; y < p.height; y++) data.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), (y * w + x0) * 4);
    x0 += p.width + GAP;
  }
  return { width: w, height: h, channels: 4, depth: 8, data };
}

/**
 * The inpaint picture from the golden files gctm.publish writes (the engine's output equals them, checked
 * by the zoo tests): the hole painted magenta, OpenCV's Telea, Faithful, Detailed, the original.
 */
function inpaintStrip(card) {
  const read = (what) => decodePng(new Uint8Array(readFileSync(resolve(root, `test/fixtures/golden-${card.id}-${what}.png`))));
  const src = rgba(read('in'));
  const mask = read('mask');
  const shown = { ...src, data: src.data.slice() };
  for (let i = 0; i < mask.width * mask.height; i++) if (mask.data[i * mask.channels] > 127) shown.data.set([255, 0, 255, 255], i * 4);
  const panels = [shown, rgba(read('telea')), rgba(read('faithful')), rgba(read('detailed')), rgba(read('hr'))].map((p) => nearest(p, 2));
  writeFileSync(resolve(root, `docs/${card.id}.png`), encodePng(strip(panels)));
  console.log(`wrote docs/${card.id}.png (${card.title}: golden files)`);
  // a card whose one step is not a GCTM jump offers Faithful only: its one-step panel is labelled so
  const detailed = card.one_step === 'regressor' ? 'the one step (not offered)' : 'Detailed';
  return `**${card.title}** (\`${card.id}\`): a held-out photo with a hole (magenta), OpenCV's Telea, Faithful, ${detailed}, the original (enlarged ×2)\n\n![${card.title}](docs/${card.id}.png)`;
}

mkdirSync(resolve(root, 'docs'), { recursive: true });
const links = [];
for (const card of readCards(resolve(root, 'models/zoo'))) {
  const input = resolve(root, `test/fixtures/golden-${card.id}-in.png`);
  if (!existsSync(input)) {
    console.log(`${card.id}: no golden input, no picture`);
    continue;
  }
  if (card.tool === 'inpaint') {
    links.push(inpaintStrip(card));
    continue;
  }
  const bytes = new Uint8Array(readFileSync(input));
  const src = decodePng(bytes);
  const scale = card.source.scale ?? 1;
  const session = await openCardModel(resolve(root, 'models/zoo'), card);
  const both = hasDenoiser(card);
  const results = [];
  for (const output of both ? ['faithful', 'detailed'] : [undefined]) {
    results.push(rgba((await runPipeline(card, session, bytes, { steps: 0, seed: 0, strength: 1, output })).image));
  }
  await session.release();
  const what = both ? 'Faithful, Detailed' : 'one step of the model';
  const p = toPlanes(src);
  const out = resolve(root, `docs/${card.id}.png`);
  if (scale > 1) {
    const bic = fromPlanes({ width: src.width * scale, height: src.height * scale, rgb: resizeBicubic(p.rgb, 3, src.width, src.height, src.width * scale, src.height * scale), alpha: null });
    writeFileSync(out, encodePng(strip([nearest(rgba(src), scale), rgba(bic), ...results])));
    links.push(`**${card.title}** (\`${card.id}\`): input, bicubic, ${what}\n\n![${card.title}](docs/${card.id}.png)`);
  } else {
    const truth = decodePng(new Uint8Array(readFileSync(resolve(root, `test/fixtures/golden-${card.id}-hr.png`))));
    writeFileSync(out, encodePng(strip([rgba(src), ...results, rgba(truth)])));
    const model = both ? what : `the model (${card.default_steps ?? 1} step${(card.default_steps ?? 1) > 1 ? 's' : ''})`;
    // What the golden input is, per tool (the clean tool's is damaged; a sketch model's is a held-out drawing).
    const input = card.tool === 'sketch' ? 'a held-out line drawing (seed 0)' : 'damaged input (noise σ 15)';
    const truthWords = card.tool === 'sketch' ? 'its real colouring' : 'the original';
    links.push(`**${card.title}** (\`${card.id}\`): ${input}, ${model}, ${truthWords}\n\n![${card.title}](docs/${card.id}.png)`);
  }
  console.log(`wrote docs/${card.id}.png (${card.title} in one step)`);
}
const readmePath = resolve(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
writeFileSync(readmePath, readme.replace(/<!-- zoo-pictures -->[\s\S]*?<!-- \/zoo-pictures -->/, `<!-- zoo-pictures -->\n${links.join('\n\n')}\n<!-- /zoo-pictures -->`));
