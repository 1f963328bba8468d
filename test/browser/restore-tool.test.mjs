// The Restore tool end to end in Debian's Chromium: size and "clean up first" chains, and bad input
// (tiny, over 4096 px, over the limits, fully transparent, PNGs that are not 8-bit RGB/RGBA).
// Runs on the random-weight fixtures (tiny-x4, and the build's clean-up model: the real `clean` once
// models/zoo has it, else tiny-clean), so it checks sizes, names, chains and parity, not quality.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { decode, encode } from 'fast-png';
import { TIMEOUTS, builtCards, launchBrowser, layer, layerNames, layerPixels, runTool, withPage } from '../helpers/browser.mjs';
import { openCardModel, readCard } from '../../ui/engine/node.ts';
import { runPipeline } from '../../ui/engine/pipeline.ts';
import { restoreChoices } from '../../ui/panel/restore-choice.ts';
import { offersResultChoice } from '../../ui/engine/zoo.ts';

const DIST = 'dist/test'; // built by `npm run test:browser` with --test-models --hosted
const X4 = 'tiny-x4';


let browser;
let X4_TITLE = '';
let cleaner; // the card the panel uses for "clean up": the first with source.kind 'clean'
before(async () => {
  assert.ok(existsSync(`${DIST}/ui.html`), `${DIST}/ui.html is missing: run \`node build.mjs --test-models --hosted --out ${DIST}\``);
  const cards = builtCards(DIST);
  X4_TITLE = cards.find((c) => c.id === X4)?.title;
  assert.ok(X4_TITLE, `${X4} is not in the test build`);
  cleaner = restoreChoices(cards).cleaner;
  assert.ok(cleaner && cleaner.source.kind === 'clean', 'the test build has a clean-up model (tiny-clean at least)');
  browser = await launchBrowser();
});
after(async () => browser?.close());

const withPlayground = (fn, opts = { model: X4 }) => withPage(browser.context, DIST, fn, opts);

/** Adds an image layer from PNG bytes made in Node; returns its id. */
function addPng(page, name, png, x = 40, y = 900) {
  return page.evaluate(([n, bytes, x, y]) => window.standin.addImageLayer(n, new Uint8Array(bytes), x, y).id, [name, Array.from(png), x, y]);
}

/** Everything a run could change: the nodes, the images, the undo steps. */
function documentState(page) {
  return page.evaluate(() => ({ nodes: JSON.stringify(window.standin.all()), images: window.standin.images.size, commits: window.standin.commits }));
}

/** Records every text the progress line shows (each render), in the plugin frame. */
function recordProgress(ui) {
  return ui.locator('main').evaluate((main) => {
    window.__progress = [];
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid=progress]');
      if (p && window.__progress.at(-1) !== p.textContent) window.__progress.push(p.textContent);
    }).observe(main, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

async function runAndWait(page, name) {
  await page.waitForFunction((n) => window.standin.byName(n), name, { timeout: TIMEOUTS.run });
  return layer(page, name);
}

/** Max difference in levels over every channel (sizes and channel counts must match). */
function maxDiff(a, b, what) {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels], `${what}: size and channels`);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  return max;
}

/**
 * Alpha through a ×k chain: where the source's alpha is 0 (or 255) over the whole bicubic footprint
 * (5 × 5 source pixels), every result pixel above it must be exactly 0 (or 255).
 */
function alphaAgreement(src, out, k) {
  const at = (x, y) => src.data[(Math.min(src.height - 1, Math.max(0, y)) * src.width + Math.min(src.width - 1, Math.max(0, x))) * 4 + 3];
  const counts = { clear: 0, solid: 0, wrong: 0 };
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      let lo = 255, hi = 0;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) { const v = at(x + dx, y + dy); lo = Math.min(lo, v); hi = Math.max(hi, v); }
      if (hi !== 0 && lo !== 255) continue;
      const want = hi === 0 ? 0 : 255;
      counts[want ? 'solid' : 'clear']++;
      for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) if (out.data[((y * k + j) * out.width + x * k + i) * 4 + 3] !== want) counts.wrong++;
    }
  }
  return counts;
}

async function nodeRun(card, png) {
  const session = await openCardModel('test/fixtures', card);
  try {
    return (await runPipeline(card, session, new Uint8Array(png), { steps: 1, seed: 0, strength: 1 })).image;
  } finally {
    await session.release();
  }
}

/** 32 × 24 RGBA: clear on the left, a soft edge, solid on the right, with a colour gradient. */
const STICKER = (() => {
  const w = 32, h = 24, data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      data.set([(x * 8) & 255, (y * 10) & 255, 120, x < 10 ? 0 : x >= 16 ? 255 : (x - 9) * 36], i);
    }
  }
  return encode({ width: w, height: h, data, channels: 4, depth: 8 });
})();

test('×4 with "clean up first": one layer 4× the size named after both models, progress per model, alpha kept, undo, Run again', async (t) => {
  await withPlayground(async ({ page, ui }) => {
    await addPng(page, 'Sticker', STICKER);
    const title = `${cleaner.title} + ${X4_TITLE}`;
    const name = `Sticker · ${title}`;
    const before = await layerNames(page);
    const commits = await page.evaluate(() => window.standin.commits);
    await recordProgress(ui);
    await runTool(page, ui, 'Sticker', X4, { clean: true });
    const out = await runAndWait(page, name);
    const src = await layer(page, 'Sticker');
    assert.deepEqual([out.x, out.y, out.width, out.height], [src.x + src.width + 24, src.y, src.width * 4, src.height * 4]);
    assert.equal(out.type, 'RECTANGLE', 'one layer, not pieces');
    assert.deepEqual(out.relaunchData, { 'run-again': title });
    const data = JSON.parse(out.pluginData.onestep);
    assert.deepEqual(data.options.modelIds, [cleaner.id, X4], 'clean-up first, then the upscaler');
    assert.equal(data.options.scale, 4);
    await ui.locator('[data-testid=done]', { hasText: 'Added 1 layer' }).waitFor({ timeout: TIMEOUTS.run });
    assert.equal(await page.evaluate(() => window.standin.commits), commits + 1, 'one undo step');
    const progress = await ui.locator('main').evaluate(() => window.__progress);
    assert.ok(progress.some((p) => /(Preparing|Running model|Writing image) · model 1\/2/.test(p)), `model 1 ran: ${JSON.stringify(progress)}`);
    assert.ok(progress.some((p) => /model 2\/2/.test(p)), `model 2 ran: ${JSON.stringify(progress)}`);
    t.diagnostic(`progress: ${progress.join(' | ')}`);
    const px = await layerPixels(page, name);
    assert.deepEqual([px.width, px.height, px.channels], [128, 96, 4], 'the layer keeps its transparency through the chain');
    const a = alphaAgreement(decode(STICKER), px, 4);
    assert.ok(a.clear > 0 && a.solid > 0, `the layer has clear and solid areas to check: ${JSON.stringify(a)}`);
    assert.equal(a.wrong, 0, `alpha where the source is clear or solid: ${JSON.stringify(a)}`);
    t.diagnostic(`alpha checked over ${a.clear} clear and ${a.solid} solid source pixels`);

    // "Run again" on the result: Figma relaunches the plugin with the result selected.
    await page.evaluate((id) => window.standin.select([id]), out.id);
    await page.evaluate(() => window.standin.launch('run-again'));
    await page.waitForFunction((n) => window.standin.all().filter((s) => s.name === n).length === 2, name, { timeout: TIMEOUTS.run });
    const again = (await page.evaluate(() => window.standin.all())).find((s) => s.name === name && s.id !== out.id);
    const againData = JSON.parse(again.pluginData.onestep);
    assert.deepEqual(againData.options.modelIds, [cleaner.id, X4], 'the same chain');
    assert.equal(againData.sourceId, src.id, 'on the source, not on the result');
    assert.deepEqual([again.width, again.height], [128, 96]);
    // The relaunched panel shows the chain it ran.
    assert.equal(await ui.locator('[data-testid=model]').inputValue(), X4);
    assert.equal(await ui.locator('[data-testid=clean]').isChecked(), true);
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });

    await page.evaluate(() => window.standin.undo());
    assert.deepEqual((await layerNames(page)).filter((n) => n === name).length, 1, 'undo removes the second result');
    await page.evaluate(() => window.standin.undo());
    assert.deepEqual(await layerNames(page), before, 'undo removes the first result and only it');
  });
});

test('Size ×1 forces "clean up" on (checked, disabled) and gives a same-size result', async () => {
  await withPlayground(async ({ page, ui }) => {
    const box = ui.locator('[data-testid=clean]');
    assert.equal(await box.isChecked(), false, 'at ×4 clean-up starts off');
    assert.equal(await box.isEnabled(), true);
    await ui.locator('[data-testid=model]').selectOption('');
    assert.equal(await box.isChecked(), true, '×1 cleans');
    assert.equal(await box.isDisabled(), true, '×1 cannot turn clean-up off');
    await page.evaluate(() => window.standin.select([window.standin.byName('Pattern').id]));
    await ui.locator('[data-testid=selection]', { hasText: '128×96 → 128×96' }).waitFor({ timeout: 5000 });
    await ui.locator('[data-testid=run]:not([disabled])').click();
    const name = `Pattern · ${cleaner.title}`;
    const out = await runAndWait(page, name);
    const src = await layer(page, 'Pattern');
    assert.deepEqual([out.width, out.height], [src.width, src.height]);
    const data = JSON.parse(out.pluginData.onestep);
    assert.deepEqual([data.options.modelIds, data.options.scale], [[cleaner.id], 1]);
    const px = await layerPixels(page, name);
    assert.deepEqual([px.width, px.height], [128, 96]);
    // Back to ×4: the user's own choice (off) comes back.
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=model]').selectOption(X4);
    assert.equal(await box.isChecked(), false);
    assert.equal(await box.isEnabled(), true);
  });
});

/**
 * Runs `model` (the Size select's value: '' for clean-up alone) with Faithful, then Detailed, on its
 * golden input at the panel's default seed: each must be the PyTorch golden output of that model
 * output (Detailed of a perturbed-source model includes the engine's seeded noise), Run again must
 * keep the choice, and the two must differ.
 */
async function checkBothResults(t, card, model) {
  const input = readFileSync(`test/fixtures/golden-${card.id}-in.png`);
  await withPlayground(async ({ page, ui }) => {
    await ui.locator('[data-testid=model]').selectOption(model);
    if (model && (await ui.locator('[data-testid=clean]').count())) await ui.locator('[data-testid=clean]').uncheck();
    const results = {};
    for (const choice of ['faithful', 'detailed']) {
      const name = `Golden ${choice}`;
      await addPng(page, name, input, choice === 'faithful' ? 40 : 400, 1200);
      await page.evaluate((n) => window.standin.select([window.standin.byName(n).id]), name);
      await ui.locator(`[data-testid=result-${choice}]`).check();
      await ui.locator('[data-testid=run]:not([disabled])').click();
      await runAndWait(page, `${name} · ${card.title}`);
      await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
      const got = await layerPixels(page, `${name} · ${card.title}`);
      const want = decode(readFileSync(`test/fixtures/golden-${card.id}-${choice}.png`));
      assert.deepEqual([got.width, got.height], [want.width, want.height], `${choice}: size`);
      let max = 0;
      for (let i = 0, j = 0; i < got.data.length; i += got.channels, j += want.channels) {
        for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(got.data[i + c] - want.data[j + c]));
      }
      t.diagnostic(`${card.id} ${choice}: max ${max} levels from PyTorch`);
      assert.ok(max <= 2, `${card.id} ${choice}: max ${max} levels from its golden output`);
      const data = JSON.parse((await layer(page, `${name} · ${card.title}`)).pluginData.onestep);
      // stored for Run again; left out while it is the card's own default (each model then keeps its own)
      assert.equal(data.options.output ?? card.default_output, choice, 'the choice Run again repeats');
      results[choice] = got;
    }
    assert.ok(maxDiff(results.faithful, results.detailed, 'faithful vs detailed') > 2, 'the two results differ');
  });
}

test('Result Faithful and Detailed: each writes the PyTorch golden output of its own model output, and Run again keeps the choice', async (t) => {
  if (!cleaner.outputs?.includes('g')) return t.skip(`${cleaner.id} has no denoiser output`);
  await checkBothResults(t, cleaner, '');
});

test('Result on an upscaler that offers both (a GCTM trained on a perturbed source): Faithful and Detailed each match PyTorch', async (t) => {
  const ups = builtCards(DIST).filter((c) => c.tool === 'restore' && c.source.kind === 'upscale' && offersResultChoice(c)
    && existsSync(`test/fixtures/golden-${c.id}-detailed.png`));
  if (ups.length === 0) return t.skip('no upscaler in this build offers both results');
  for (const card of ups) await checkBothResults(t, card, card.id);
});

/** A w × h RGB PNG of one colour. */
function flatPng(w, h, [r, g, b]) {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([r, g, b], i * 3);
  return encode({ width: w, height: h, data, channels: 3, depth: 8 });
}

test('bad input: a 1×1 layer at ×4 gives a 4×4 result, the same as the CLI engine (with and without clean-up)', async () => {
  await withPlayground(async ({ page, ui }) => {
    const png = flatPng(1, 1, [200, 80, 40]);
    await addPng(page, 'Dot1', png);
    await runTool(page, ui, 'Dot1', X4);
    const out = await runAndWait(page, `Dot1 · ${X4_TITLE}`);
    assert.deepEqual([out.width, out.height], [4, 4]);
    const got = await layerPixels(page, `Dot1 · ${X4_TITLE}`);
    const want = await nodeRun(readCard(`test/fixtures/${X4}.json`), png);
    const d = maxDiff(got, want, '1×1');
    assert.ok(d <= 1, `browser vs CLI engine on a 1×1 layer: max ${d} levels`);
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    await runTool(page, ui, 'Dot1', X4, { clean: true });
    const chained = await runAndWait(page, `Dot1 · ${cleaner.title} + ${X4_TITLE}`);
    assert.deepEqual([chained.width, chained.height], [4, 4]);
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    assert.deepEqual(await page.evaluate(() => window.standin.notifications.filter((n) => n.error)), []);
  });
});

/** A w × h RGB PNG with a gradient and fine stripes, so misplaced pieces would show. */
function widePng(w, h) {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = Math.round((x / (w - 1)) * 255);
      data[i + 1] = Math.round((y / (h - 1)) * 255);
      data[i + 2] = (x >> 3) % 2 ? 200 : 40;
    }
  }
  return encode({ width: w, height: h, data, channels: 3, depth: 8 });
}

test('bad input: a ×4 result over 4096 px (1100×120 → 4400×480) arrives as pieces ≤ 4096 px grouped as one layer', async () => {
  await withPlayground(async ({ page, ui }) => {
    const png = widePng(1100, 120);
    await addPng(page, 'Wide', png, 40, 1000);
    const before = await layerNames(page);
    const commits = await page.evaluate(() => window.standin.commits);
    await runTool(page, ui, 'Wide', X4);
    const name = `Wide · ${X4_TITLE}`;
    const group = await runAndWait(page, name);
    const src = await layer(page, 'Wide');
    assert.equal(group.type, 'GROUP');
    assert.deepEqual([group.x, group.y, group.width, group.height], [src.x + src.width + 24, src.y, 4400, 480]);
    assert.equal(group.parent, src.parent);
    assert.deepEqual(group.relaunchData, { 'run-again': X4_TITLE });
    assert.deepEqual(JSON.parse(group.pluginData.onestep).options.modelIds, [X4]);
    const parts = await page.evaluate((ids) => ids.map((id) => window.standin.nodes.get(id)), group.children);
    assert.deepEqual(parts.map((p) => p.name), [`${name} 1`, `${name} 2`]);
    const want = await nodeRun(readCard(`test/fixtures/${X4}.json`), png);
    let covered = 0;
    for (const p of parts) {
      assert.ok(p.width <= 4096 && p.height <= 4096, `piece ${p.width}×${p.height}`);
      const px = await layerPixels(page, p.name);
      assert.deepEqual([px.width, px.height], [p.width, p.height], 'one canvas unit per pixel');
      // Each piece holds the part of the whole result under it (same as the CLI engine's one image).
      const ox = p.x - group.x, oy = p.y - group.y;
      let max = 0;
      for (let y = 0; y < px.height; y++) {
        for (let x = 0; x < px.width; x++) {
          for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(px.data[(y * px.width + x) * px.channels + c] - want.data[((oy + y) * want.width + ox + x) * want.channels + c]));
        }
      }
      assert.ok(max <= 1, `${p.name}: max ${max} levels from the CLI engine's result`);
      covered += p.width * p.height;
    }
    assert.equal(covered, 4400 * 480, 'the pieces cover the result exactly');
    assert.equal(await page.evaluate(() => window.standin.commits), commits + 1, 'one undo step for the group');
    await page.evaluate(() => window.standin.undo());
    assert.deepEqual(await layerNames(page), before, 'undo removes the group and its pieces');
  });
});

/** Counts exportAsync calls on a node (the handle is the object the plugin gets). */
function countExports(page, id) {
  return page.evaluate((i) => {
    const h = window.standin.handle(i);
    const original = h.exportAsync.bind(h);
    window.__exports = 0;
    h.exportAsync = (...a) => {
      window.__exports++;
      return original(...a);
    };
  }, id);
}

test('bad input: a ×4 result over the limits (2100×60 → 8400 px) is explained before Run and cannot start; nothing is written', async () => {
  await withPlayground(async ({ page, ui }) => {
    const id = await page.evaluate(() => window.standin.addLayer({ type: 'RECTANGLE', name: 'Long', x: 40, y: 1200, width: 2100, height: 60, fills: [{ type: 'SOLID', color: { r: 0.2, g: 0.5, b: 0.3 } }] }).id);
    await countExports(page, id);
    const before = await documentState(page);
    await page.evaluate((i) => window.standin.select([i]), id);
    await ui.locator('[data-testid=model]').selectOption(X4);
    await ui.locator('[data-testid=selection]', { hasText: '2100×60 → 8400×240' }).waitFor({ timeout: 5000 });
    await ui.locator('[data-testid=hint][data-code=too-large]').waitFor({ timeout: 5000 });
    assert.match(await ui.locator('[data-testid=hint][data-code=too-large]').innerText(), /Long.*too large/);
    assert.equal(await ui.locator('[data-testid=run]').isEnabled(), false, 'Run is disabled while the result would be too large');
    // A size whose result fits (×2: 4200×120, cut into pieces) makes Run available again.
    const sizes = await ui.locator('[data-testid=model] option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(sizes.includes('tiny-random'), `the test build has a ×2 model: ${sizes}`);
    await ui.locator('[data-testid=model]').selectOption('tiny-random');
    await ui.locator('[data-testid=run]:not([disabled])').waitFor({ timeout: 5000 });
    assert.equal(await ui.locator('[data-testid=hint][data-code=too-large]').count(), 0);
    assert.equal(await page.evaluate(() => window.__exports), 0, 'nothing was exported');
    assert.deepEqual(await page.evaluate(() => window.standin.uiLog.filter((l) => l.type.startsWith('job-'))), [], 'no job ran');
    assert.deepEqual(await documentState(page), before, 'the document is unchanged');
  });
});

test('bad input: a fully transparent layer is refused with the no-pixels message; nothing is written', async () => {
  await withPlayground(async ({ page, ui }) => {
    const clear = encode({ width: 24, height: 16, data: new Uint8Array(24 * 16 * 4), channels: 4, depth: 8 });
    await addPng(page, 'Clear', clear);
    const before = await documentState(page);
    for (const clean of [false, true]) {
      await runTool(page, ui, 'Clear', X4, { clean });
      await ui.locator('[data-testid=error][data-code=no-pixels]').waitFor({ timeout: TIMEOUTS.run });
      assert.match(await ui.locator('[data-testid=error]').innerText(), /fully transparent/);
    }
    const notes = await page.evaluate(() => window.standin.notifications.filter((n) => n.error).map((n) => n.message));
    assert.equal(notes.length, 2, JSON.stringify(notes));
    assert.ok(notes.every((m) => /Clear.*fully transparent/.test(m)), JSON.stringify(notes));
    assert.deepEqual(await documentState(page), before, 'the document is unchanged');
  });
});

// ---- PNGs that are not 8-bit RGB/RGBA ----

const W = 16, H = 12;
/** 12 colours, the first four not opaque (fast-png writes tRNS for the non-opaque entries only, in order). */
const PALETTE = [
  [220, 40, 40, 0], [40, 180, 60, 64], [30, 60, 200, 128], [240, 200, 30, 200],
  [250, 250, 250, 255], [10, 10, 10, 255], [120, 60, 160, 255], [0, 160, 160, 255],
  [200, 120, 40, 255], [90, 90, 90, 255], [160, 200, 90, 255], [255, 120, 180, 255],
];
const OPAQUE = PALETTE.map((c) => c.slice(0, 3));
const index = (x, y) => ((x >> 2) + 4 * (y >> 2) + ((x + y) % 3)) % 12;
const grey = (x, y) => (x * 15 + y * 7 + ((x * y) % 5) * 9) % 256;
const greyAlpha = (x, y) => [0, 90, 180, 255][(x + 2 * y) % 4];
const grey2 = (x, y) => [0, 85, 170, 255][(x * 3 + y) % 4];

/** A W × H PNG whose pixel (x, y) has the samples fn(x, y), given in 8-bit units. */
function image(channels, depth, fn, palette) {
  const data = depth === 16 ? new Uint16Array(W * H * channels) : new Uint8Array(W * H * channels);
  const k = depth === 16 ? 257 : 1; // v·257 is the 16-bit sample that is exactly v/255
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) fn(x, y).forEach((v, c) => (data[(y * W + x) * channels + c] = v * k));
  return encode({ width: W, height: H, data, channels, depth, palette });
}

/** Packs one index or grey sample per pixel into depth-bit rows (depth < 8). */
function packed(depth, fn, palette) {
  const row = Math.ceil((W * depth) / 8);
  const data = new Uint8Array(row * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bit = x * depth;
      data[y * row + (bit >> 3)] |= fn(x, y) << (8 - depth - (bit & 7));
    }
  }
  return encode({ width: W, height: H, data, channels: 1, depth, palette });
}

const grey3 = (v) => [v, v, v];
const REFERENCES = {
  rgb: image(3, 8, (x, y) => OPAQUE[index(x, y)]),
  rgba: image(4, 8, (x, y) => PALETTE[index(x, y)]),
  grey: image(3, 8, (x, y) => grey3(grey(x, y))),
  greyAlpha: image(4, 8, (x, y) => [...grey3(grey(x, y)), greyAlpha(x, y)]),
  grey2: image(3, 8, (x, y) => grey3(grey2(x, y))),
};
/** Each variant, and the 8-bit RGB/RGBA reference whose result it must match. */
const VARIANTS = [
  ['grey 8-bit', 'grey', image(1, 8, (x, y) => [grey(x, y)])],
  ['grey 2-bit', 'grey2', packed(2, (x, y) => grey2(x, y) / 85)],
  ['grey+alpha 8-bit', 'greyAlpha', image(2, 8, (x, y) => [grey(x, y), greyAlpha(x, y)])],
  ['palette 8-bit', 'rgb', image(1, 8, (x, y) => [index(x, y)], OPAQUE)],
  ['palette 4-bit', 'rgb', packed(4, index, OPAQUE)],
  ['palette + tRNS', 'rgba', image(1, 8, (x, y) => [index(x, y)], PALETTE)],
  ['RGB 16-bit', 'rgb', image(3, 16, (x, y) => OPAQUE[index(x, y)])],
  ['RGBA 16-bit', 'rgba', image(4, 16, (x, y) => PALETTE[index(x, y)])],
  ['grey 16-bit', 'grey', image(1, 16, (x, y) => [grey(x, y)])],
  ['grey+alpha 16-bit', 'greyAlpha', image(2, 16, (x, y) => [grey(x, y), greyAlpha(x, y)])],
  ['RGB 16-bit, low bits set', 'rgb', wide16((x, y) => OPAQUE[index(x, y)], (x, y, c) => ((x * 37 + y * 11 + c * 53) % 255) - 127)],
];

/** 16-bit RGB whose samples are 257·v + r, |r| ≤ 127: not byte-replicated, but nearest to the 8-bit v. */
function wide16(fn, r) {
  const data = new Uint16Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) fn(x, y).forEach((v, c) => (data[(y * W + x) * 3 + c] = Math.min(65535, Math.max(0, v * 257 + r(x, y, c)))));
  return encode({ width: W, height: H, data, channels: 3, depth: 16 });
}

test('greyscale, palette and 16-bit PNGs give the result of the same image as 8-bit RGB/RGBA (exported, and as raw bytes)', async (t) => {
  await withPlayground(async ({ page, ui }) => {
    // Two paths. "export" layers go through the stand-in's exportAsync, which renders 8-bit RGBA as
    // real Figma's does (so the stand-in decodes the PNG). "raw" layers hand the engine the PNG bytes
    // as placed (exportAsync patched on that node), so the worker's own decoder sees grey, palette, 16-bit.
    const ids = [];
    let x = 40;
    for (const [key, png] of Object.entries(REFERENCES)) {
      ids.push(await addPng(page, `ref ${key}`, png, x, 1400));
      x += 60;
    }
    x = 40;
    for (const [label, , png] of VARIANTS) {
      ids.push(await addPng(page, `export ${label}`, png, x, 1500));
      const raw = await addPng(page, `raw ${label}`, png, x, 1600);
      await page.evaluate(([id, bytes]) => {
        window.standin.handle(id).exportAsync = async () => {
          window.__rawExports = (window.__rawExports ?? 0) + 1;
          return new Uint8Array(bytes);
        };
      }, [raw, Array.from(png)]);
      ids.push(raw);
      x += 60;
    }
    await ui.locator('[data-testid=model]').selectOption(X4);
    await ui.locator('[data-testid=clean]').setChecked(false);
    await page.evaluate((sel) => window.standin.select(sel), ids);
    await ui.locator('[data-testid=run]:not([disabled])', { hasText: `Run on ${ids.length} layers` }).click();
    await ui.locator('[data-testid=done]', { hasText: `Added ${ids.length} layers` }).waitFor({ timeout: TIMEOUTS.run });
    assert.deepEqual(await page.evaluate(() => window.standin.notifications.filter((n) => n.error)), []);
    assert.equal(await page.evaluate(() => window.__rawExports), VARIANTS.length, 'each raw layer handed its own bytes to the engine');
    const refs = {};
    for (const key of Object.keys(REFERENCES)) refs[key] = await layerPixels(page, `ref ${key} · ${X4_TITLE}`);
    assert.deepEqual([refs.rgba.width, refs.rgba.height, refs.rgba.channels, refs.rgb.channels], [W * 4, H * 4, 4, 3]);
    const worst = [];
    for (const [label, key] of VARIANTS) {
      for (const path of ['export', 'raw']) {
        const got = await layerPixels(page, `${path} ${label} · ${X4_TITLE}`);
        const d = maxDiff(got, refs[key], `${path} ${label}`);
        worst.push({ what: `${path} ${label}`, d, key });
      }
    }
    t.diagnostic(worst.map((w) => `${w.what}: ${w.d}`).join(', '));
    for (const w of worst) assert.ok(w.d <= 1, `${w.what}: max ${w.d} levels from the 8-bit ${w.key} result`);
  });
});
