// Inpaint end to end in Debian's Chromium, through the Figma stand-in and the real panel: an image
// (a crop of a held-out test photo, never trained on) with two shapes over it. Pixels away from the
// shapes stay exactly as they were, the inside changes; with the shipped `inpaint` model in the build the
// fill must also be closer to the photo than OpenCV's Telea (fixture computed by models/, cv2.inpaint).
// Replace hides the image and the shapes; undo removes everything in one step; bad selections say why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { TIMEOUTS, addImage, builtCards, launchBrowser, layer, layerNames, layerPixels, withPage } from '../helpers/browser.mjs';
import { INPAINT_DEFAULTS } from '../../ui/engine/tools/inpaint.ts';
import { offersResultChoice } from '../../ui/engine/zoo.ts';

const DIST = 'dist/test';
const PHOTO = readFileSync('test/fixtures/heldout-photo-128.png');
const TELEA = decode(readFileSync('test/fixtures/heldout-photo-128-telea.png'));
/** The two shapes, in the photo's pixels (the fixture's Telea output used the same rectangles). */
const HOLES = [
  { x: 20, y: 30, w: 24, h: 16 },
  { x: 70, y: 80, w: 18, h: 22 },
];
const AT = { x: 40, y: 900 };

let browser;
let card;
before(async () => {
  card = builtCards(DIST).find((c) => c.tool === 'inpaint');
  assert.ok(card, 'the test build has an inpaint model (tiny-inpaint at least)');
  browser = await launchBrowser();
});
after(async () => browser?.close());

const withPlayground = (fn) => withPage(browser.context, DIST, fn);

async function setUp(page, ui, holes = HOLES) {
  await addImage(page, 'Photo', PHOTO, AT.x, AT.y);
  const ids = await page.evaluate(
    ([hs, at]) => hs.map((h, i) => window.standin.addLayer({ type: 'RECTANGLE', name: `Logo ${i + 1}`, x: at.x + h.x, y: at.y + h.y, width: h.w, height: h.h, fills: [{ type: 'SOLID', color: { r: 1, g: 0, b: 1 } }] }).id),
    [holes, AT],
  );
  await ui.locator('[data-testid=tool-inpaint]').click();
  await ui.locator('[data-testid=inpaint-options]').waitFor();
  return ids;
}

async function selectAll(page, names) {
  await page.evaluate((ns) => window.standin.select(ns.map((n) => window.standin.byName(n).id)), names);
}


/** Distance in pixels from (x, y) to the nearest hole (0 inside one). */
function distanceToHoles(x, y) {
  let best = Infinity;
  for (const h of HOLES) {
    const dx = Math.max(h.x - x, 0, x - (h.x + h.w - 1));
    const dy = Math.max(h.y - y, 0, y - (h.y + h.h - 1));
    best = Math.min(best, Math.hypot(dx, dy));
  }
  return best;
}

/** Mean squared error over the hole pixels (RGB). */
function holeMse(a, b) {
  let s = 0, n = 0;
  for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) {
    if (distanceToHoles(x, y) > 0) continue;
    for (let c = 0; c < 3; c++) s += (a.data[(y * a.width + x) * a.channels + c] - b.data[(y * b.width + x) * b.channels + c]) ** 2;
    n += 3;
  }
  return s / n;
}

test('inpaint: the mask preview shows the covered share; pixels away from the shapes are untouched, the inside filled; undo removes it', async (t) => {
  await withPlayground(async ({ page, ui }) => {
    await setUp(page, ui);
    await selectAll(page, ['Photo', 'Logo 1', 'Logo 2']);
    const coverage = ui.locator('[data-testid=mask-coverage]');
    await coverage.waitFor({ timeout: TIMEOUTS.run });
    const share = Number(await coverage.getAttribute('data-share'));
    const expected = HOLES.reduce((s, h) => s + h.w * h.h, 0) / (128 * 128);
    assert.ok(Math.abs(share - expected) < 0.02, `preview coverage ${share.toFixed(3)} ≈ ${expected.toFixed(3)}`);
    await ui.locator('[data-testid=mask-preview]').waitFor();

    const before = await layerNames(page);
    await ui.locator('[data-testid=run]:not([disabled])').click();
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    const name = `Photo · ${card.title}`;
    const out = await layerPixels(page, name);
    const src = decode(PHOTO);
    assert.deepEqual([out.width, out.height], [src.width, src.height]);
    let changedInside = 0, changedFar = 0, inside = 0;
    for (let y = 0; y < src.height; y++) for (let x = 0; x < src.width; x++) {
      const d = distanceToHoles(x, y);
      let diff = 0;
      for (let c = 0; c < 3; c++) diff += Math.abs(out.data[(y * out.width + x) * out.channels + c] - src.data[(y * src.width + x) * src.channels + c]);
      if (d === 0) {
        inside++;
        if (diff > 0) changedInside++;
      } else if (d > INPAINT_DEFAULTS.feather + 1 && diff > 0) changedFar++;
    }
    assert.equal(changedFar, 0, 'every pixel beyond the feather width is the original');
    assert.ok(changedInside > inside * 0.9, `the holes are filled (${changedInside}/${inside} pixels changed)`);
    if (card.id !== 'tiny-inpaint') {
      const ours = holeMse(out, src), telea = holeMse(TELEA, src);
      t.diagnostic(`${card.id} ${card.version}: MSE inside the holes ${ours.toFixed(1)}, Telea ${telea.toFixed(1)}`);
      assert.ok(ours < telea, `closer to the photo than Telea inside the holes (MSE ${ours.toFixed(1)} vs ${telea.toFixed(1)})`);
    }
    await page.evaluate(() => window.standin.undo());
    assert.deepEqual(await layerNames(page), before, 'one undo step removes the result');
  });
});

test('inpaint: Replace hides the image and the shapes (kept beneath), one undo step restores them', async () => {
  await withPlayground(async ({ page, ui }) => {
    await setUp(page, ui);
    await selectAll(page, ['Photo', 'Logo 1', 'Logo 2']);
    await ui.locator('[data-testid=mask-coverage]').waitFor({ timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=replace]').check();
    await ui.locator('[data-testid=run]:not([disabled])').click();
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    const visible = await page.evaluate(() => Object.fromEntries(window.standin.all().map((s) => [s.name, s.visible])));
    assert.equal(visible['Photo'], false);
    assert.equal(visible['Logo 1'], false);
    assert.equal(visible['Logo 2'], false);
    assert.equal(visible[`Photo · ${card.title}`], true);
    await page.evaluate(() => window.standin.undo());
    const back = await page.evaluate(() => Object.fromEntries(window.standin.all().map((s) => [s.name, s.visible])));
    assert.deepEqual([back['Photo'], back['Logo 1'], back['Logo 2']], [true, true, true], 'undo shows them again');
    assert.equal(back[`Photo · ${card.title}`], undefined, 'and removes the result');
  });
});

test('inpaint: Result Faithful and Detailed both fill the holes, differ inside them, match outside, and are kept for Run again', async () => {
  await withPlayground(async ({ page, ui }) => {
    await setUp(page, ui);
    await selectAll(page, ['Photo', 'Logo 1', 'Logo 2']);
    await ui.locator('[data-testid=mask-coverage]').waitFor({ timeout: TIMEOUTS.run });
    if (!offersResultChoice(card)) {
      // A model whose one step is its denoiser (card one_step: regressor) has one result to give.
      assert.equal(await ui.locator('[data-testid=result]').count(), 0, `${card.id} ${card.version} is a regressor: no Result choice`);
      return;
    }
    const name = `Photo · ${card.title}`;
    const results = {};
    for (const choice of ['faithful', 'detailed']) {
      await ui.locator(`[data-testid=result-${choice}]`).check();
      // Steps walk the one step's trajectory: offered with Detailed only, on the Seed's row.
      assert.equal(await ui.locator('[data-testid=steps]').count(), choice === 'detailed' ? 1 : 0, `Steps under ${choice}`);
      if (choice === 'detailed') {
        const [steps, seed] = await Promise.all(['steps', 'seed'].map((id) => ui.locator(`[data-testid=${id}]`).boundingBox()));
        assert.ok(Math.abs(seed.y - steps.y) < 2, 'Steps and Seed share one row');
      }
      await ui.locator('[data-testid=run]:not([disabled])').click();
      await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
      results[choice] = await layerPixels(page, name);
      const data = JSON.parse((await layer(page, name)).pluginData.onestep);
      assert.equal(data.options.output ?? card.default_output, choice, 'the choice Run again repeats');
      await page.evaluate(() => window.standin.undo());
      await selectAll(page, ['Photo', 'Logo 1', 'Logo 2']); // the run selected its result
      await ui.locator('[data-testid=mask-coverage]').waitFor({ timeout: TIMEOUTS.run });
    }
    const { faithful: a, detailed: b } = results;
    let inside = 0, outside = 0;
    for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) {
      const d = distanceToHoles(x, y);
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * a.channels + c;
        const diff = Math.abs(a.data[i] - b.data[i]);
        if (d === 0) inside = Math.max(inside, diff);
        else if (d > INPAINT_DEFAULTS.feather + 1) outside = Math.max(outside, diff);
      }
    }
    assert.equal(outside, 0, 'beyond the feather both are the original');
    assert.ok(inside > 2, `the two fills differ (max ${inside} levels)`);
  });
});

test('inpaint: an image alone, shapes off the image, and shapes covering most of it are refused before any work', async () => {
  await withPlayground(async ({ page, ui }) => {
    await setUp(page, ui, [{ x: 0, y: 0, w: 128, h: 110 }]);
    const state = () => page.evaluate(() => JSON.stringify(window.standin.all()));
    const start = await state();
    await selectAll(page, ['Photo']);
    await ui.locator('[data-testid=hint][data-code=mask-no-shapes]').waitFor({ timeout: TIMEOUTS.run });
    assert.equal(await ui.locator('[data-testid=run]').isDisabled(), true);

    await page.evaluate(() => window.standin.addLayer({ type: 'RECTANGLE', name: 'Far', x: 2000, y: 2000, width: 10, height: 10, fills: [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }] }));
    await selectAll(page, ['Photo', 'Far']);
    await ui.locator('[data-testid=hint][data-code=mask-outside]').waitFor({ timeout: TIMEOUTS.run });
    assert.equal(await ui.locator('[data-testid=run]').isDisabled(), true);

    await selectAll(page, ['Photo', 'Logo 1']);
    const coverage = ui.locator('[data-testid=mask-coverage]');
    await coverage.waitFor({ timeout: TIMEOUTS.run });
    assert.match(await coverage.innerText(), /too much/);
    assert.equal(await ui.locator('[data-testid=run]').isDisabled(), true, 'over 60 %: Run is off');
    const now = JSON.parse(await state());
    assert.equal(now.length, JSON.parse(start).length + 1, 'only the test\u2019s own extra shape was added');
  });
});
