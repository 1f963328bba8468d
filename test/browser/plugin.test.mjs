// End to end in Debian's Chromium: dist/code.js on the Figma stand-in, dist/ui.html in a Figma-like
// frame (opaque origin, not a secure context), the real panel, worker and ORT wasm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { decode } from 'fast-png';
import { TIMEOUTS, addImage, addSlowLayer, colourfulness, launchBrowser, layer, layerNames, layerPixels, openPlayground, overlappingLayers, runTool, withPage } from '../helpers/browser.mjs';
import { openCardModel, readCard, readCards } from '../../ui/engine/node.ts';
import { runPipeline } from '../../ui/engine/pipeline.ts';
import { cardScale } from '../../ui/engine/zoo.ts';
import { fromPlanes, toPlanes } from '../../ui/engine/image/raw.ts';
import { resizeBicubic } from '../../ui/engine/image/resize.ts';

const DIST = 'dist/test'; // built by `npm run test:browser` with --test-models --hosted
const TINY = 'tiny-random';
const TINY_TITLE = 'Tiny random (tests only)';
/** How long the stand-in's getNodeByIdAsync takes in the tests that land a Cancel or a close inside it:
 * long enough that a click on a busy 2-core machine still lands inside. */
const LOOKUP_DELAY_MS = 4000;
/** Golden tolerance: ORT wasm vs PyTorch differ by ~1e-4 in model units, i.e. at most a rounding step. */
const GOLDEN = { maxLevels: 2, meanLevels: 0.5 };

let browser;
before(async () => {
  assert.ok(existsSync(`${DIST}/ui.html`), `${DIST}/ui.html is missing: run \`node build.mjs --test-models --hosted --out ${DIST}\``);
  browser = await launchBrowser();
});
after(async () => browser?.close());

const withPlayground = (fn, opts = { model: TINY }) => withPage(browser.context, DIST, fn, opts);

/** PSNR in dB of two 8-bit images over RGB (as models/gctm/metrics.py computes it). */
function psnr(actual, expected) {
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], 'size');
  let se = 0;
  const n = actual.width * actual.height;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const d = actual.data[i * actual.channels + c] - expected.data[i * expected.channels + c];
      se += d * d;
    }
  }
  return 10 * Math.log10((255 * 255) / (se / (3 * n)));
}

/** The baseline a restore model must beat: the plugin's bicubic resize for an upscaler, the input itself for clean-up. */
function baseline(card, input) {
  const scale = cardScale(card);
  if (scale === 1) return input;
  const planes = toPlanes(input);
  const rgb = resizeBicubic(planes.rgb, 3, input.width, input.height, input.width * scale, input.height * scale);
  return fromPlanes({ width: input.width * scale, height: input.height * scale, rgb, alpha: null });
}

/**
 * A restore model must improve on its baseline on the held-out golden image by at least this much,
 * measured on what the plugin wrote: a wrong resize, normalisation or colour shift in the engine costs
 * far more than this and fails here even if the model's file is fine.
 */
/** A grey image measures 0; the shipped sketch model's golden drawing about 15. */
const SKETCH_MIN_COLOURFULNESS = 5;
const MIN_GAIN_DB = 0.3;

function compare(actual, expected) {
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], 'size');
  const ca = actual.channels, ce = expected.channels;
  let max = 0, sum = 0;
  const n = actual.width * actual.height;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(actual.data[i * ca + c] - expected.data[i * ce + c]);
      max = Math.max(max, d);
      sum += d;
    }
  }
  return { max, mean: sum / (3 * n) };
}

test('the plugin frame is Figma-like: null origin, not secure, no SharedArrayBuffer, no WebGPU', async () => {
  await withPlayground(async ({ ui }) => {
    const env = await ui.locator('body').evaluate(() => ({
      origin: self.origin, secure: isSecureContext, sab: typeof SharedArrayBuffer, gpu: 'gpu' in navigator, scheme: location.protocol,
    }));
    assert.deepEqual(env, { origin: 'null', secure: false, sab: 'undefined', gpu: false, scheme: 'data:' });
  });
});

/** The golden files models/ (gctm.publish) writes for a model of each tool; -out is the card's default result. */
const GOLDEN_FILES = {
  restore: ['in', 'out', 'hr'],
  sketch: ['in', 'out', 'hr'], // hr: the drawing's own held-out colouring
  inpaint: ['in', 'mask', 'out', 'hr', 'telea'], // mask: the hole (white); telea: OpenCV's fill of it
};

test('smoke (files only, not behaviour): every zoo model has golden files from the export step', () => {
  const cards = readCards('models/zoo');
  assert.ok(cards.length > 0, 'models/zoo has no model cards: the golden browser test has nothing to check (models/ exports restore-x2 there)');
  for (const c of cards) {
    for (const kind of GOLDEN_FILES[c.tool] ?? GOLDEN_FILES.restore) {
      assert.ok(existsSync(`test/fixtures/golden-${c.id}-${kind}.png`), `test/fixtures/golden-${c.id}-${kind}.png is missing (written by models/ export)`);
    }
  }
});


/** The golden hole: its bounding box, checked to be one filled rectangle (the shape the test draws over it). */
function holeRect(mask) {
  const on = (x, y) => mask.data[(y * mask.width + x) * mask.channels] > 127;
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < mask.height; y++) for (let x = 0; x < mask.width; x++) {
    if (on(x, y)) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  }
  assert.ok(x1 >= 0, 'the golden mask has a hole');
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) assert.ok(on(x, y), 'the golden hole is one rectangle');
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** Mean squared error of two 8-bit images over the mask's pixels (RGB). */
function maskedMse(a, b, mask) {
  let s = 0, n = 0;
  for (let i = 0; i < a.width * a.height; i++) {
    if (mask.data[i * mask.channels] <= 127) continue;
    for (let c = 0; c < 3; c++) s += (a.data[i * a.channels + c] - b.data[i * b.channels + c]) ** 2;
    n += 3;
  }
  return s / n;
}

/** Clicks the tool's tab (there is none when the build has one tool) and waits for its options. */
async function pickTool(ui, tool) {
  const tab = ui.locator(`[data-testid=tool-${tool}]`);
  if ((await tab.count()) > 0) await tab.click();
  if (tool !== 'restore') await ui.locator(`[data-testid=${tool}-options]`).waitFor();
}

async function setSeed(ui, seed) {
  const box = ui.locator('[data-testid=seed]');
  await box.fill(String(seed));
  await box.dispatchEvent('change');
}

/** Clicks Run with `names` selected and resolves to the one layer the run adds ({id, name}). */
async function runSelected(page, ui, names) {
  const ids = () => page.evaluate(() => window.standin.all().map((s) => s.id));
  const before = await ids();
  await page.evaluate((ns) => window.standin.select(ns.map((n) => window.standin.byName(n).id)), names);
  // Run only once the panel shows this selection (not the last run's result, which was selected).
  const exact = new RegExp(`^${names[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await ui.locator('[data-testid=selection] .name').filter({ hasText: exact }).waitFor({ timeout: TIMEOUTS.run });
  await ui.locator('[data-testid=run]:not([disabled])').click();
  await page.waitForFunction((n) => window.standin.all().length > n, before.length, { timeout: TIMEOUTS.run });
  await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
  const added = (await ids()).filter((id) => !before.includes(id));
  assert.equal(added.length, 1, `one result layer (got ${added.length})`);
  return page.evaluate((id) => ({ id, name: window.standin.all().find((s) => s.id === id).name }), added[0]);
}

/**
 * Runs one zoo model on its golden input through its own panel tool, as a user would (seed 0, the
 * card's default result and steps), and resolves to the result's pixels. Restore: the model picked in
 * the Size list. Sketch: the Sketch tab at the model's own size (no upscaler, no colour, one result);
 * the panel must have picked this card (the result's name says which). Inpaint: the image and a
 * rectangle over the golden hole, selected together.
 */
async function runGolden(page, ui, card, source) {
  if (card.tool === 'restore') {
    await pickTool(ui, 'restore');
    await runTool(page, ui, source, card.id);
    const name = `${source} · ${card.title}`;
    await page.waitForFunction((n) => window.standin.byName(n), name, { timeout: TIMEOUTS.run });
    return layerPixels(page, name);
  }
  await pickTool(ui, card.tool);
  await setSeed(ui, 0);
  let made;
  if (card.tool === 'sketch') {
    await ui.locator('[data-testid=sketch-scale]').selectOption('1');
    await ui.locator('[data-testid=variations]').setChecked(false);
    await ui.locator('[data-testid=use-color]').setChecked(false);
    made = await runSelected(page, ui, [source]);
    assert.equal(made.name, `${source} · ${card.title}`, 'the panel ran this sketch model alone');
  } else if (card.tool === 'inpaint') {
    made = await runSelected(page, ui, [source, `${source} hole`]);
    assert.ok(made.name.startsWith(`${source} · ${card.title}`), `the panel ran this inpaint model: ${made.name}`);
  } else {
    throw new Error(`${card.id}: no golden run for tool "${card.tool}"`);
  }
  const b64 = await page.evaluate((id) => {
    const bytes = window.standin.images.get(window.standin.all().find((s) => s.id === id).fills[0].imageHash);
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }, made.id);
  return decode(Buffer.from(b64, 'base64'));
}

test('each zoo model, run through the panel, matches the PyTorch golden output and beats its baseline on the held-out image', async (t) => {
  const cards = readCards('models/zoo').filter((c) => existsSync(`test/fixtures/golden-${c.id}-out.png`));
  assert.ok(cards.length > 0, 'no zoo model with golden files to compare against');
  await withPlayground(async ({ page, ui }) => {
    // The golden inputs are test fixtures, not playground examples: the test adds them itself.
    let x = 40;
    for (const card of cards) {
      const png = readFileSync(`test/fixtures/golden-${card.id}-in.png`);
      await addImage(page, `golden ${card.id}`, png, x, 1400);
      if (card.tool === 'inpaint') {
        // The shape over the hole, in the image's pixels (Figma units = pixels at scale 1).
        const r = holeRect(decode(readFileSync(`test/fixtures/golden-${card.id}-mask.png`)));
        await page.evaluate(([n, x0, r]) => window.standin.addLayer({ type: 'RECTANGLE', name: n, x: x0 + r.x, y: 1400 + r.y, width: r.w, height: r.h, fills: [{ type: 'SOLID', color: { r: 1, g: 0, b: 1 } }] }), [`golden ${card.id} hole`, x, r]);
      }
      x += decode(png).width + 400;
    }
    for (const card of cards) {
      const source = `golden ${card.id}`;
      const got = await runGolden(page, ui, card, source);
      const want = decode(readFileSync(`test/fixtures/golden-${card.id}-out.png`));
      const d = compare(got, want);
      t.diagnostic(`${card.id}: max ${d.max} levels, mean ${d.mean.toFixed(3)} levels vs PyTorch`);
      assert.ok(d.max <= GOLDEN.maxLevels && d.mean <= GOLDEN.meanLevels, `${card.id}: max ${d.max}, mean ${d.mean} (allowed ${JSON.stringify(GOLDEN)})`);
      if (card.tool === 'restore') {
        // The held-out ground truth: the plugin's result must beat the baseline on it.
        const truth = decode(readFileSync(`test/fixtures/golden-${card.id}-hr.png`));
        const base = baseline(card, decode(readFileSync(`test/fixtures/golden-${card.id}-in.png`)));
        const gain = psnr(got, truth) - psnr(base, truth);
        t.diagnostic(`${card.id}: ${psnr(got, truth).toFixed(2)} dB vs ${cardScale(card) === 1 ? 'input' : 'bicubic'} ${psnr(base, truth).toFixed(2)} dB: ${gain >= 0 ? '+' : ''}${gain.toFixed(2)} dB`);
        assert.ok(gain >= MIN_GAIN_DB, `${card.id}: the plugin's result gains ${gain.toFixed(2)} dB over the baseline on the held-out image (at least ${MIN_GAIN_DB} expected)`);
      } else if (card.tool === 'sketch') {
        // Against the L2 regressor the measures are means over the held-out drawings (the card's
        // targets, gctm.sketch_eval), not one drawing's; here: the result is coloured, not grey.
        const l2 = card.metrics?.summary?.regression_nfe1?.colourfulness;
        const ours = colourfulness(got);
        t.diagnostic(`${card.id}: colourfulness ${ours.toFixed(1)} on the golden drawing${typeof l2 === 'number' ? `; the L2 regressor's mean over the held-out drawings ${l2.toFixed(1)}` : ''}`);
        assert.ok(ours > SKETCH_MIN_COLOURFULNESS, `${card.id}: the result is grey (colourfulness ${ours.toFixed(1)})`);
      } else if (card.tool === 'inpaint') {
        // Closer to the photo inside the hole than OpenCV's Telea on the same hole.
        const mask = decode(readFileSync(`test/fixtures/golden-${card.id}-mask.png`));
        const truth = decode(readFileSync(`test/fixtures/golden-${card.id}-hr.png`));
        const telea = decode(readFileSync(`test/fixtures/golden-${card.id}-telea.png`));
        const ours = maskedMse(got, truth, mask), base = maskedMse(telea, truth, mask);
        t.diagnostic(`${card.id}: MSE inside the hole ${ours.toFixed(1)} vs Telea ${base.toFixed(1)}`);
        assert.ok(ours < base, `${card.id}: the fill (MSE ${ours.toFixed(1)}) is not closer to the photo than Telea's (${base.toFixed(1)}) inside the golden hole`);
      }
    }
  });
});

test('run: new layer in free space right of the source, right size and name, same pixels as the CLI engine, undo removes it', async (t) => {
  await withPlayground(async ({ page, ui }) => {
    const before = await layerNames(page);
    assert.deepEqual(await overlappingLayers(page), [], 'the playground starts with no layer over another');
    await runTool(page, ui, 'Landscape', TINY);
    const name = `Landscape · ${TINY_TITLE}`;
    await page.waitForFunction((n) => window.standin.byName(n), name, { timeout: TIMEOUTS.run });
    const src = await layer(page, 'Landscape');
    const out = await layer(page, name);
    // Pattern, the next example, sits where a result twice Landscape's size would start: it goes past Pattern.
    const next = await layer(page, 'Pattern');
    assert.ok(next.x < src.x + src.width + 24 + src.width * 2, 'the example row has a layer in the way');
    assert.deepEqual([out.y, out.width, out.height], [src.y, src.width * 2, src.height * 2]);
    assert.ok(out.x >= next.x + next.width + 24, `past Pattern: x ${out.x}`);
    assert.deepEqual(await overlappingLayers(page), [], 'the result is over no other layer');
    assert.equal(out.parent, src.parent);
    assert.deepEqual(await page.evaluate(() => window.standin.selectedIds), [out.id]);
    await ui.locator('[data-testid=done]').waitFor();
    assert.equal(await ui.locator('[data-testid=done]').getAttribute('data-backend'), 'wasm');
    assert.match(await ui.locator('[data-testid=done]').innerText(), /on the processor/);

    // The same engine in Node (onnxruntime-node) on the same bytes gives the same image.
    const card = readCard(`test/fixtures/${TINY}.json`);
    const session = await openCardModel('test/fixtures', card);
    const ref = await runPipeline(card, session, new Uint8Array(readFileSync('ui/standin/examples/Landscape.png')), { steps: 1, seed: 0, strength: 1 });
    await session.release();
    const d = compare(await layerPixels(page, name), ref.image);
    t.diagnostic(`browser wasm vs node cpu: max ${d.max} levels, mean ${d.mean.toFixed(4)}`);
    assert.ok(d.max <= 1, `browser vs CLI engine: max ${d.max} levels`);

    await page.evaluate(() => window.standin.undo());
    assert.deepEqual(await layerNames(page), before, 'undo removes the result and only it');
  });
});

test('a layer with a drop shadow and a rotation: the result is what it draws ×2, beside that (or over it with Replace)', async () => {
  await withPlayground(async ({ page, ui }) => {
    const drawn = await page.evaluate(() => window.standin.renderBounds(window.standin.byName('Tilted card').id));
    const box = await layer(page, 'Tilted card');
    assert.ok(drawn.width > box.width + 20 && drawn.height > box.height + 20, `the example draws outside its box: ${JSON.stringify(drawn)}`);
    await runTool(page, ui, 'Tilted card', TINY);
    const name = `Tilted card · ${TINY_TITLE}`;
    await page.waitForFunction((n) => window.standin.byName(n), name, { timeout: TIMEOUTS.run });
    const out = await layer(page, name);
    const w = Math.round(drawn.width) * 2, h = Math.round(drawn.height) * 2;
    assert.deepEqual([out.width, out.height], [w, h], 'the render bounds ×2');
    assert.ok(Math.abs(out.x - (drawn.x + drawn.width + 24)) < 1e-6 && Math.abs(out.y - drawn.y) < 1e-6, `beside what it draws: ${JSON.stringify([out.x, out.y])} vs ${JSON.stringify(drawn)}`);
    const px = await layerPixels(page, name);
    assert.deepEqual([px.width, px.height], [w, h]);
    // The corner of the box is transparent (rotation), the shadow under the card is partly opaque.
    assert.equal(px.data[3], 0, 'the top-left corner is clear (the card is turned)');
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=replace]').setChecked(true);
    await runTool(page, ui, 'Tilted card', TINY);
    await page.waitForFunction((n) => window.standin.all().filter((s) => s.name === n).length === 2, name, { timeout: TIMEOUTS.run });
    const over = (await page.evaluate(() => window.standin.all())).find((s) => s.name === name && s.id !== out.id);
    for (const k of ['x', 'y', 'width', 'height']) assert.ok(Math.abs(over[k] - drawn[k]) < 1e-6, `Replace covers what the card drew: ${k} ${over[k]} vs ${drawn[k]}`);
    await ui.locator('[data-testid=replace]').setChecked(false);
  });
});

test('several selected layers are processed one after another, with per-layer progress and undo steps', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addSlowLayer(page, 'Big', 400, 300);
    await page.evaluate(() => window.standin.select(['Big', 'Icon'].map((n) => window.standin.byName(n).id)));
    await ui.locator('[data-testid=run]', { hasText: 'Run on 2 layers' }).click();
    await ui.locator('[data-testid=progress]', { hasText: 'layer 1/2' }).waitFor({ timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=done]', { hasText: 'Added 2 layers' }).waitFor({ timeout: TIMEOUTS.run });
    const icon = await layer(page, `Icon · ${TINY_TITLE}`);
    assert.deepEqual([icon.width, icon.height], [192, 192]);
    assert.ok(await layer(page, `Big · ${TINY_TITLE}`));
    assert.equal(await page.evaluate(() => window.standin.commits), 2, 'one undo step per result');
    const px = await layerPixels(page, `Icon · ${TINY_TITLE}`);
    assert.equal(px.channels, 4, 'the icon keeps its transparency');
    assert.equal(px.data[3], 0, 'its transparent corner stays transparent');
  });
});

test('the playground shows people\'s example layers only: no test fixtures', async () => {
  await withPlayground(async ({ page }) => {
    const names = await layerNames(page);
    assert.ok(names.includes('Landscape') && names.includes('Tilted card'), JSON.stringify(names));
    assert.deepEqual(names.filter((n) => /golden|tiny|test/i.test(n)), [], `test names in the playground: ${JSON.stringify(names)}`);
  });
});

test('"Run again" on a result reruns the same tool and options on its source', async () => {
  await withPlayground(async ({ page, ui }) => {
    await ui.locator('[data-testid=steps]').fill('2');
    await ui.locator('[data-testid=steps]').dispatchEvent('change');
    await runTool(page, ui, 'Pattern', TINY);
    const name = `Pattern · ${TINY_TITLE}`;
    await page.waitForFunction((n) => window.standin.byName(n), name, { timeout: TIMEOUTS.run });
    const first = await layer(page, name);
    assert.deepEqual(first.relaunchData, { 'run-again': TINY_TITLE });
    // Selecting the result shows Figma's relaunch button (named in the manifest); pressing it relaunches
    // the plugin with the result selected and figma.command set to the button's command.
    await page.evaluate((id) => window.standin.select([id]), first.id);
    const button = page.locator('#relaunch button[data-command=run-again]');
    await button.waitFor({ timeout: 5000 });
    assert.equal(await button.innerText(), 'Onestep: Run again');
    assert.match(await page.locator('#relaunch').innerText(), new RegExp(TINY_TITLE.replace(/[()]/g, '\\$&')));
    await button.click();
    await page.waitForFunction((n) => window.standin.all().filter((s) => s.name === n).length === 2, name, { timeout: TIMEOUTS.run });
    const again = (await page.evaluate(() => window.standin.all())).find((s) => s.name === name && s.id !== first.id);
    const data = JSON.parse(again.pluginData.onestep);
    assert.equal(data.options.steps, 2, 'the same options, steps included');
    assert.equal(data.sourceId, (await layer(page, 'Pattern')).id, 'run on the source, not on the result');
  });
});

test('cancel mid-run stops within a second and writes nothing', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addSlowLayer(page, 'Slow');
    const before = await layerNames(page);
    await runTool(page, ui, 'Slow', TINY);
    await ui.locator('[data-testid=progress]', { hasText: 'tile' }).waitFor({ timeout: TIMEOUTS.run });
    const t0 = Date.now();
    await ui.locator('[data-testid=cancel]').click();
    await ui.locator('[data-testid=note]', { hasText: 'Cancelled' }).waitFor({ timeout: TIMEOUTS.cancel });
    // The engine must be free again quickly: a small run right after finishes without waiting for the big one.
    await runTool(page, ui, 'Pattern', TINY);
    await page.waitForFunction((n) => window.standin.byName(n), `Pattern · ${TINY_TITLE}`, { timeout: TIMEOUTS.run });
    const elapsed = Date.now() - t0;
    await page.waitForTimeout(1500);
    const names = await layerNames(page);
    assert.deepEqual(names.filter((n) => n.startsWith('Slow')), ['Slow'], 'no result for the cancelled layer');
    assert.deepEqual(names.length, before.length + 1);
    assert.ok(elapsed < 15_000, `after cancel the next run took ${elapsed} ms (the cancelled job kept the engine busy?)`);
  });
});

test('a Cancel that lands while main looks the layer up again after the result writes nothing', async () => {
  await withPlayground(async ({ page, ui }) => {
    const before = await layerNames(page);
    const commits = await page.evaluate(() => window.standin.commits);
    await page.evaluate((ms) => (window.standin.lookupDelayMs = ms), LOOKUP_DELAY_MS);
    await runTool(page, ui, 'Pattern', TINY);
    // The panel has sent its result; main is now in its (slow) lookup of the source before writing.
    await page.waitForFunction(() => window.standin.uiLog.some((l) => l.type === 'job-result'), null, { timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=cancel]').click();
    assert.ok(await page.evaluate(() => window.standin.lookupsInFlight) > 0, `Cancel landed after main's ${LOOKUP_DELAY_MS} ms lookup: too late to test anything`);
    await ui.locator('[data-testid=note]', { hasText: 'Cancelled' }).waitFor({ timeout: TIMEOUTS.cancel });
    await page.waitForFunction(() => window.standin.lookupsInFlight === 0, null, { timeout: LOOKUP_DELAY_MS + 5000 });
    await page.waitForTimeout(500); // anything main would write after its lookup
    assert.deepEqual(await layerNames(page), before, 'no layer was added');
    assert.equal(await page.evaluate(() => window.standin.commits), commits, 'no undo step');
    assert.deepEqual(await page.evaluate(() => window.standin.notifications.map((n) => n.message)), [], 'no "Added 1 layer" notice');
  });
});

test('a panel whose answer never reaches main: Cancel gets out, nothing is written, the next run works', async () => {
  await withPlayground(async ({ page, ui }) => {
    const before = await layerNames(page);
    await page.evaluate(() => (window.standin.dropFromUi = ['job-result']));
    await runTool(page, ui, 'Pattern', TINY);
    await page.waitForFunction(() => window.standin.uiLog.some((l) => l.type === 'job-result'), null, { timeout: TIMEOUTS.run });
    await page.waitForTimeout(500);
    assert.equal(await ui.locator('[data-testid=cancel]').count(), 1, 'the panel still waits for main, with Cancel');
    await ui.locator('[data-testid=cancel]').click();
    await ui.locator('[data-testid=note]', { hasText: 'Cancelled' }).waitFor({ timeout: TIMEOUTS.cancel });
    assert.deepEqual(await layerNames(page), before);
    await page.evaluate(() => (window.standin.dropFromUi = []));
    await runTool(page, ui, 'Pattern', TINY);
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    assert.ok(await layer(page, `Pattern · ${TINY_TITLE}`), 'the next run is not refused as busy');
  });
});

test('the source deleted while the tool runs: clear message, no layer', async () => {
  await withPlayground(async ({ page, ui }) => {
    const id = await addSlowLayer(page, 'Doomed');
    await runTool(page, ui, 'Doomed', TINY);
    await ui.locator('[data-testid=progress]', { hasText: 'tile' }).waitFor({ timeout: TIMEOUTS.run });
    await page.evaluate((i) => window.standin.delete(i), id);
    await ui.locator('[data-testid=error][data-code=source-removed]').waitFor({ timeout: TIMEOUTS.run });
    assert.deepEqual((await layerNames(page)).filter((n) => n.startsWith('Doomed')), []);
    const notes = await page.evaluate(() => window.standin.notifications);
    assert.ok(notes.some((n) => n.error && /deleted/.test(n.message)), JSON.stringify(notes));
  });
});

test('the plugin closed mid-run: no layer is written', async () => {
  await withPlayground(async ({ page, ui }) => {
    const before = await layerNames(page);
    const commits = await page.evaluate(() => window.standin.commits);
    // Close at the last moment: the panel's result has arrived and main is looking the source up
    // again before it writes. Only the close → cancel wiring stops the write here.
    await page.evaluate((ms) => (window.standin.lookupDelayMs = ms), LOOKUP_DELAY_MS);
    await runTool(page, ui, 'Pattern', TINY);
    await page.waitForFunction(() => window.standin.uiLog.some((l) => l.type === 'job-result'), null, { timeout: TIMEOUTS.run });
    await page.waitForTimeout(100); // delivered to main (the stand-in delivers UI messages on a task)
    await page.evaluate(() => window.figma.closePlugin());
    assert.ok(await page.evaluate(() => window.standin.lookupsInFlight) > 0, `the close landed after main's ${LOOKUP_DELAY_MS} ms lookup: too late to test anything`);
    assert.equal(await page.evaluate(() => window.standin.uiFrame()), null, 'the UI frame is gone');
    await page.waitForFunction(() => window.standin.lookupsInFlight === 0, null, { timeout: LOOKUP_DELAY_MS + 5000 });
    await page.waitForTimeout(500); // anything main would write after its lookup
    assert.deepEqual(await layerNames(page), before, 'no layer');
    assert.equal(await page.evaluate(() => window.standin.commits), commits, 'no undo step');
    assert.deepEqual(await page.evaluate(() => window.standin.callsAfterClose), [], 'no API call after close');
  });
});

test('the plugin closed mid-inference: the UI and its engine go, nothing is written or called after', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addSlowLayer(page, 'Closing');
    const before = await layerNames(page);
    await runTool(page, ui, 'Closing', TINY);
    await ui.locator('[data-testid=progress]', { hasText: 'tile' }).waitFor({ timeout: TIMEOUTS.run });
    const atClose = await page.evaluate(() => {
      const names = window.standin.all().map((s) => s.name);
      window.figma.closePlugin();
      return names;
    });
    assert.deepEqual(atClose, before, 'the run was still going when the plugin closed');
    assert.equal(await page.evaluate(() => window.standin.uiFrame()), null, 'the UI frame is gone');
    await page.waitForTimeout(3000);
    assert.deepEqual(await layerNames(page), before);
    assert.deepEqual(await page.evaluate(() => window.standin.callsAfterClose), [], 'no API call after close');
  });
});

test('bad selections are explained and Run stays disabled: nothing, empty frame, a 10000 px layer', async () => {
  await withPlayground(async ({ page, ui }) => {
    const cases = [
      [[], 'empty-selection'],
      [['Empty frame'], 'no-pixels'],
    ];
    await page.evaluate(() => window.standin.addLayer({ type: 'RECTANGLE', name: 'Huge', width: 10000, height: 300, fills: [{ type: 'SOLID', color: { r: 1, g: 0, b: 0 } }] }));
    cases.push([['Huge'], 'too-large']);
    for (const [names, code] of cases) {
      await page.evaluate((ns) => window.standin.select(ns.map((n) => window.standin.byName(n).id)), names);
      await ui.locator(`[data-testid=hint][data-code=${code}]`).waitFor({ timeout: 5000 });
      assert.equal(await ui.locator('[data-testid=run]').isDisabled(), true, `${code}: Run is disabled`);
    }
  });
});

/** Damage the tiny model's inlined bytes (gzip no longer inflates) or its card's sha256 (bytes fine, checksum not). */
const TAMPER = {
  bytes(html) {
    const block = new RegExp(`id="onestep-model-${TINY}"[^>]*>`).exec(html);
    assert.ok(block, 'the tiny model block is in ui.html');
    const at = block.index + block[0].length + 4000;
    return html.slice(0, at) + (html[at] === 'A' ? 'B' : 'A') + html.slice(at + 1);
  },
  checksum(html) {
    const card = JSON.parse(readFileSync(`test/fixtures/${TINY}.json`, 'utf8'));
    assert.ok(html.includes(card.sha256), 'the card is in ui.html');
    return html.replace(card.sha256, card.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')));
  },
};

for (const [what, tamper] of Object.entries(TAMPER)) {
  test(`a model that does not match its card (${what}) is refused with a message, twice; nothing is written`, async () => {
    const pg = await openPlaygroundTampered(tamper);
    try {
      const before = await layerNames(pg.page);
      await runTool(pg.page, pg.ui, 'Pattern', TINY);
      await pg.ui.locator('[data-testid=error][data-code=model-corrupt]').waitFor({ timeout: TIMEOUTS.run });
      // A second try reports the same problem (not a confusing "model missing").
      await runTool(pg.page, pg.ui, 'Icon', TINY);
      await pg.page.waitForFunction(() => window.standin.notifications.filter((n) => n.error).length === 2, null, { timeout: TIMEOUTS.run });
      const notes = await pg.page.evaluate(() => window.standin.notifications.filter((n) => n.error).map((n) => n.message));
      assert.ok(notes.every((m) => /damaged/.test(m)), JSON.stringify(notes));
      assert.deepEqual(await layerNames(pg.page), before);
    } finally {
      await pg.page.close();
      await pg.close();
    }
  });
}

/** The playground with the served ui.html changed by `tamper`. */
async function openPlaygroundTampered(tamper) {
  const body = tamper(readFileSync(`${DIST}/ui.html`, 'utf8'));
  const ctx = browser.context;
  await ctx.route('**/dist/ui.html', (route) => route.fulfill({ status: 200, contentType: 'text/html', body }));
  try {
    return await openPlayground(ctx, DIST, { model: TINY });
  } finally {
    await ctx.unroute('**/dist/ui.html');
  }
}

test('hosted build in a secure page uses WebGPU when an adapter exists and matches WASM', async (t) => {
  const gpuBrowser = await launchBrowser({ webgpu: true });
  const pg = await openPlayground(gpuBrowser.context, DIST, { hosted: true, model: TINY });
  try {
    const { page, ui } = pg;
    // Small input: WebGPU here is SwiftShader on the CPU, about 100× slower than wasm.
    const small = await page.evaluate(async () => {
      const c = new OffscreenCanvas(24, 16);
      const g = c.getContext('2d');
      for (let i = 0; i < 24; i++) { g.fillStyle = `hsl(${i * 15},70%,50%)`; g.fillRect(i, 0, 1, 16); }
      return Array.from(new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer()));
    });
    await page.evaluate((bytes) => window.standin.addImageLayer('Tiny', new Uint8Array(bytes), 40, 700), small);
    await runTool(page, ui, 'Tiny', TINY);
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run * 2 });
    assert.equal(await ui.locator('[data-testid=done]').getAttribute('data-backend'), 'webgpu');
    assert.match(await ui.locator('[data-testid=done]').innerText(), /on the graphics card/);
    const card = readCard(`test/fixtures/${TINY}.json`);
    const session = await openCardModel('test/fixtures', card);
    const ref = await runPipeline(card, session, new Uint8Array(small), { steps: 1, seed: 0, strength: 1 });
    await session.release();
    const d = compare(await layerPixels(page, `Tiny · ${TINY_TITLE}`), ref.image);
    t.diagnostic(`webgpu vs cpu: max ${d.max} levels, mean ${d.mean.toFixed(4)}`);
    assert.ok(d.max <= 2, `webgpu vs wasm/cpu: max ${d.max} levels`);
  } finally {
    await pg.page.close();
    await pg.close();
    await gpuBrowser.close();
  }
});

test('WebGPU failing mid-run in the real WebGPU path (a buffer read-back rejected, as on a lost device): the run finishes on WASM with the same pixels', async (t) => {
  const gpuBrowser = await launchBrowser({ webgpu: true });
  const pg = await openPlayground(gpuBrowser.context, DIST, { hosted: true, model: TINY });
  try {
    const { page, ui } = pg;
    // The engine's worker (started by the panel's preload): patch the WebGPU API ORT's WebGPU backend
    // calls to read results back, so that once armed every read-back fails as it does when the device is lost.
    const started = Date.now();
    while (page.workers().length === 0 && Date.now() - started < TIMEOUTS.pluginReady) await page.waitForTimeout(100);
    const worker = page.workers()[0];
    assert.ok(worker, 'the engine worker is running');
    await worker.evaluate(() => {
      self.__readBacks = 0;
      self.__failGpu = false;
      const mapAsync = GPUBuffer.prototype.mapAsync;
      GPUBuffer.prototype.mapAsync = function (...args) {
        self.__readBacks++;
        if (self.__failGpu) return Promise.reject(new DOMException('injected: the GPU device was lost', 'OperationError'));
        return mapAsync.apply(this, args);
      };
    });
    await ui.locator('[data-testid=backend]', { hasText: 'backends: webgpu → wasm' }).waitFor({ state: 'attached', timeout: TIMEOUTS.pluginReady });
    const png = await page.evaluate(async () => {
      const c = new OffscreenCanvas(24, 16);
      const g = c.getContext('2d');
      for (let i = 0; i < 24; i++) { g.fillStyle = `hsl(${i * 15},70%,50%)`; g.fillRect(i, 0, 1, 16); }
      return Array.from(new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer()));
    });
    await page.evaluate((bytes) => window.standin.addImageLayer('Tiny', new Uint8Array(bytes), 40, 700), png);
    await worker.evaluate(() => (self.__failGpu = true));
    await runTool(page, ui, 'Tiny', TINY);
    await ui.locator('[data-testid=done], [data-testid=error]').waitFor({ timeout: TIMEOUTS.run * 2 });
    assert.equal(await ui.locator('[data-testid=error]').count(), 0, 'the run did not fail');
    assert.ok((await worker.evaluate(() => self.__readBacks)) >= 1, 'the run went through WebGPU and its read-back failed');
    const log = await ui.locator('[data-testid=backend]').evaluate((e) => e.textContent);
    t.diagnostic(log);
    assert.match(log, /webgpu failed mid-run, continuing on wasm: .*injected: the GPU device was lost/);
    assert.equal(await ui.locator('[data-testid=done]').getAttribute('data-backend'), 'wasm', 'the result came from WASM');
    assert.deepEqual(await page.evaluate(() => window.standin.notifications.filter((n) => n.error)), [], 'no error for the user');
    const card = readCard(`test/fixtures/${TINY}.json`);
    const session = await openCardModel('test/fixtures', card);
    const ref = await runPipeline(card, session, new Uint8Array(png), { steps: 1, seed: 0, strength: 1 });
    await session.release();
    const d = compare(await layerPixels(page, `Tiny · ${TINY_TITLE}`), ref.image);
    t.diagnostic(`after the WebGPU failure, wasm vs cpu: max ${d.max} levels, mean ${d.mean.toFixed(4)}`);
    assert.ok(d.max <= 1, `the WASM result vs the CLI engine: max ${d.max} levels`);
  } finally {
    await pg.page.close();
    await pg.close();
    await gpuBrowser.close();
  }
});
