// The panel as a designer sees it, in Debian's Chromium at Figma's default plugin size (320 × 520):
// it fits without scrolling after a run, speaks in plain words (numbers behind "About this model"),
// clears a stale outcome when the selection changes, and keeps its inputs honest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { encode } from 'fast-png';
import { TIMEOUTS, addImage, launchBrowser, layer, runTool, withPage } from '../helpers/browser.mjs';

const DIST = 'dist/test'; // built by `npm run test:browser` with --test-models --hosted
const TINY = 'tiny-random';
/** Where the screenshot goes: docs/panel.png with ONESTEP_WRITE_DOCS=1 (the README shows it), else beside the build. */
const SCREENSHOT = process.env.ONESTEP_WRITE_DOCS === '1' ? 'docs/panel.png' : `${DIST}/panel-320x520.png`;
/** Jargon that must not be on the panel outside "About this model". */
const JARGON = /\bdB\b|PSNR|network evaluation|backends?:|\bwasm\b|webgpu|\bNFE\b|bicubic/i;

let browser;
before(async () => {
  assert.ok(existsSync(`${DIST}/ui.html`), `${DIST}/ui.html is missing: run \`node build.mjs --test-models --hosted --out ${DIST}\``);
  browser = await launchBrowser();
});
after(async () => browser?.close());

const withPlayground = (fn, opts = { model: TINY }) => withPage(browser.context, DIST, fn, opts);

/** The plugin document's scroll size against its window, and the preview's box. */
function fit(ui) {
  return ui.locator('body').evaluate(() => {
    const panel = document.querySelector('main.panel');
    const preview = document.querySelector('[data-testid=preview]')?.getBoundingClientRect();
    const img = document.querySelector('[data-testid=preview] img')?.getBoundingClientRect();
    return {
      window: [innerWidth, innerHeight],
      document: [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight],
      panel: [panel.scrollHeight, panel.clientHeight],
      preview: preview && { top: preview.top, bottom: preview.bottom, height: preview.height },
      image: img && { width: img.width, height: img.height },
    };
  });
}

test('after a run the panel fits Figma\'s default 320 × 520 window: no scrolling, the preview in view (screenshot)', async (t) => {
  // The real Upscale ×2 when the build has it, so the screenshot shows the words a user reads.
  await withPlayground(async ({ page, ui }) => {
    const frame = await page.locator('#plugin iframe').boundingBox();
    assert.deepEqual([frame.width, frame.height], [320, 520], 'the stand-in opens the plugin at the size it asks for');
    await runTool(page, ui, 'Landscape', 'restore-x2', { clean: false });
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=preview] img.after').waitFor({ timeout: TIMEOUTS.run });
    const f = await fit(ui);
    t.diagnostic(JSON.stringify(f));
    assert.deepEqual(f.window, [320, 520]);
    assert.ok(f.document[0] <= 320 && f.document[1] <= 520, `the document scrolls: ${f.document}`);
    assert.ok(f.panel[0] <= f.panel[1], `the panel scrolls: ${f.panel}`);
    assert.ok(f.preview && f.preview.bottom <= 520 && f.preview.height >= 120, `the preview is in view and usable: ${JSON.stringify(f.preview)}`);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.locator('#plugin iframe').screenshot({ path: SCREENSHOT });
    t.diagnostic(`screenshot: ${SCREENSHOT}`);
    // Detailed on a model trained on a noisy source adds Steps and Seed (one row): it still fits.
    if (await ui.locator('[data-testid=result-detailed]').count()) {
      await ui.locator('[data-testid=result-detailed]').check();
      await runTool(page, ui, 'Landscape', 'restore-x2', { clean: false });
      await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
      await ui.locator('[data-testid=preview] img.after').waitFor({ timeout: TIMEOUTS.run });
      const d = await fit(ui);
      t.diagnostic(`detailed: ${JSON.stringify(d)}`);
      assert.ok(d.panel[0] <= d.panel[1], `with Detailed the panel scrolls: ${d.panel}`);
      assert.ok(d.preview && d.preview.bottom <= 520 && d.preview.height >= 90, `with Detailed the preview is in view: ${JSON.stringify(d.preview)}`);
      const [steps, seed] = await Promise.all(['steps', 'seed'].map((id) => ui.locator(`[data-testid=${id}]`).boundingBox()));
      assert.ok(seed && Math.abs(seed.y - steps.y) < 2, 'Steps and Seed share one row');
    }
  }, { model: 'restore-x2' });
});

test('the panel speaks in plain words; the numbers are behind "About this model"', async () => {
  await withPlayground(async ({ page, ui }) => {
    await runTool(page, ui, 'Landscape', 'restore-x2');
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    const about = ui.locator('[data-testid=about]');
    assert.equal(await about.evaluate((d) => d.open), false, 'About starts closed');
    const visible = await ui.locator('main').innerText();
    assert.doesNotMatch(visible, JARGON, `jargon on the panel:\n${visible}`);
    assert.match(await ui.locator('[data-testid=quality]').innerText(), /sharper than a standard resize/);
    assert.match(await ui.locator('[data-testid=done]').innerText(), /^Added 1 layer in [\d.]+ s on the processor\.$/);
    assert.match(await ui.locator('[data-testid=estimate]').innerText(), /^Takes (under a second|about \d+ (s|min))$/);
    await about.locator('summary').click();
    const facts = await about.innerText();
    assert.match(facts, /\d+\.\d dB PSNR, bicubic resize \d+\.\d dB/);
    assert.match(facts, /Runs on the processor\./);
    // Clean-up first: each model of the chain has its line and its facts.
    await ui.locator('[data-testid=clean]').setChecked(true);
    assert.equal(await ui.locator('[data-testid=quality]').count(), 2);
    assert.match(await ui.locator('[data-testid=quality]').first().innerText(), /^Clean up: (clearly |a little )?cleaner than the original\.$|^Clean up: cleans up/);
    assert.equal(await ui.locator('[data-testid=facts]').count(), 2);
  }, { model: 'restore-x2' });
});

test('the clean-up option: its label and hint read as one column beside the checkbox', async () => {
  await withPlayground(async ({ ui }) => {
    const box = await ui.locator('[data-testid=clean]').boundingBox();
    const label = await ui.locator('[data-testid=clean-label]').boundingBox();
    const hint = await ui.locator('[data-testid=clean-hint]').boundingBox();
    assert.ok(label.x > box.x + box.width, 'the text is right of the checkbox');
    assert.ok(label.width >= 200, `the label has the panel's width, not a narrow column: ${label.width} px`);
    assert.ok(hint.y >= label.y + label.height - 1, 'the hint is under the label');
    assert.ok(Math.abs(hint.x - label.x) < 1, 'and starts where the label starts');
    assert.ok(hint.width >= 200, `the hint is not squeezed: ${hint.width} px`);
  });
});

test('Steps: a number over the maximum shows and saves the maximum, every time', async () => {
  await withPlayground(async ({ page, ui }) => {
    const steps = ui.locator('[data-testid=steps]');
    const max = Number(await steps.getAttribute('max'));
    assert.ok(max >= 1 && max < 9, `max ${max}`);
    for (const typed of ['9', '9', '12']) {
      await steps.fill(typed);
      await steps.dispatchEvent('change');
      assert.equal(await steps.inputValue(), String(max), `typed ${typed}`);
    }
    await page.waitForFunction((m) => window.standin.storage.get('settings.v1')?.steps === m, max, { timeout: 5000 });
    await steps.fill('0');
    await steps.dispatchEvent('change');
    assert.equal(await steps.inputValue(), '', '0 means the default (empty)');
    // What is typed survives a render before it is committed (here: a selection change from main).
    await steps.fill('2');
    await page.evaluate(() => window.standin.select([window.standin.byName('Icon').id]));
    await ui.locator('[data-testid=selection]', { hasText: 'Icon' }).waitFor({ timeout: 5000 });
    assert.equal(await steps.inputValue(), '2', 'the typed number is still there');
    await steps.dispatchEvent('change');
    await page.waitForFunction(() => window.standin.storage.get('settings.v1')?.steps === 2, null, { timeout: 5000 });
  });
});

test('a selection change clears a stale "Added 1 layer", error and preview; the result just added keeps them', async () => {
  await withPlayground(async ({ page, ui }) => {
    await runTool(page, ui, 'Pattern', TINY);
    await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
    await ui.locator('[data-testid=preview]').waitFor();
    // Main selected the new layer: that is still this run's outcome.
    const result = await layer(page, 'Pattern · Tiny random (tests only)');
    assert.deepEqual(await page.evaluate(() => window.standin.selectedIds), [result.id]);
    await page.waitForTimeout(600);
    assert.equal(await ui.locator('[data-testid=done]').count(), 1, '"Added 1 layer" stays while its result is selected');
    // Another layer: the outcome and the preview belong to something else now.
    await page.evaluate(() => window.standin.select([window.standin.byName('Icon').id]));
    await ui.locator('[data-testid=selection]', { hasText: 'Icon' }).waitFor({ timeout: 5000 });
    await ui.locator('[data-testid=done]').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await ui.locator('[data-testid=preview]').count(), 0, 'the preview is gone');
    // An error is stale the same way.
    await page.evaluate(() => window.standin.select([window.standin.byName('Empty frame').id]));
    await ui.locator('[data-testid=hint][data-code=no-pixels]').waitFor({ timeout: 5000 });
    await addImage(page, 'Clear', encode({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4), channels: 4, depth: 8 }), 40, 900);
    await runTool(page, ui, 'Clear', TINY);
    await ui.locator('[data-testid=error][data-code=no-pixels]').waitFor({ timeout: TIMEOUTS.run });
    await page.evaluate(() => window.standin.select([window.standin.byName('Pattern').id]));
    await ui.locator('[data-testid=error]').waitFor({ state: 'detached', timeout: 5000 });
  });
});
