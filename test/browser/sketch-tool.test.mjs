// Sketch → image and Edit end to end in Debian's Chromium, through the Figma stand-in and the real
// panel, on a held-out OpenMoji line drawing (an apple; OpenMoji, CC-BY-SA-4.0, never trained on).
// With the shipped `sketch` model in the build the result must look like a colouring: coloured, on the
// strokes; with only the random-weight fixture (tiny-sketch) it checks the mechanics: seeds, variations,
// the colour latent's direction, Edit's strength, sizes and names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { TIMEOUTS, addImage, builtCards, colourfulness, launchBrowser, layerPixels, nodePixels, withPage } from '../helpers/browser.mjs';
import { extractSketch, toSketch } from '../../ui/engine/image/sketch-extract.ts';

const DIST = 'dist/test';
const SKETCH = readFileSync('test/fixtures/heldout-sketch-1F34E.png');

let browser;
let card; // the sketch model the panel uses: the zoo's when there is one
before(async () => {
  card = builtCards(DIST).find((c) => c.tool === 'sketch');
  assert.ok(card, 'the test build has a sketch model (tiny-sketch at least)');
  browser = await launchBrowser();
});
after(async () => browser?.close());

const trained = () => card.id !== 'tiny-sketch';
const withPlayground = (fn) => withPage(browser.context, DIST, fn);

async function pickTool(ui, tool) {
  await ui.locator(`[data-testid=tool-${tool}]`).click();
  await ui.locator(`[data-testid=${tool}-options]`).waitFor();
}

async function select(page, ...names) {
  await page.evaluate((ns) => window.standin.select(ns.map((n) => window.standin.byName(n).id)), names);
}

/** Runs the panel's current tool and waits until `count` new layers exist; returns them ({id, name}). */
async function run(page, ui, count = 1) {
  const ids = () => page.evaluate(() => window.standin.all().map((s) => s.id));
  const before = await ids();
  await ui.locator('[data-testid=run]:not([disabled])').click();
  await page.waitForFunction(([n, k]) => window.standin.all().length >= n + k, [before.length, count], { timeout: TIMEOUTS.run });
  await ui.locator('[data-testid=done]').waitFor({ timeout: TIMEOUTS.run });
  const added = (await ids()).filter((id) => !before.includes(id));
  return page.evaluate((list) => list.map((id) => ({ id, name: window.standin.all().find((s) => s.id === id).name })), added);
}

/** The pixels of a layer the test made ({id, name}). */
const pixels = (page, node) => nodePixels(page, node.id);

async function selectNode(page, node) {
  await page.evaluate((id) => window.standin.select([id]), node.id);
}

async function setNumber(ui, id, value) {
  const box = ui.locator(`[data-testid=${id}]`);
  await box.fill(String(value));
  await box.dispatchEvent('change');
}

async function setRange(ui, id, value) {
  await ui.locator(`[data-testid=${id}]`).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

const meanAbs = (a, b) => {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
};


/**
 * Stroke agreement as models/gctm/sketch_extract.py measures it: ink (< 0.5) of the sketch extracted
 * from the result against the input's, each counted as matched within `tol` pixels; F1 of the two.
 */
function strokeF1(a, b, tol = 2) {
  const inkA = a.data.map((v) => (v < 0.5 ? 1 : 0)), inkB = b.data.map((v) => (v < 0.5 ? 1 : 0));
  const near = (ink, w, h, x, y) => {
    for (let dy = -tol; dy <= tol; dy++) for (let dx = -tol; dx <= tol; dx++) {
      const u = x + dx, v = y + dy;
      if (u >= 0 && v >= 0 && u < w && v < h && ink[v * w + u]) return true;
    }
    return false;
  };
  let hitA = 0, nA = 0, hitB = 0, nB = 0;
  for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) {
    if (inkA[y * a.width + x]) { nA++; if (near(inkB, b.width, b.height, x, y)) hitA++; }
    if (inkB[y * b.width + x]) { nB++; if (near(inkA, a.width, a.height, x, y)) hitB++; }
  }
  const precision = hitA / Math.max(1, nA), recall = hitB / Math.max(1, nB);
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** The input sketch at the result's size (area average), as the model saw it. */
function shrink(img, side) {
  const k = img.width / side, ch = img.channels, out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let v = 0; v < k; v++) for (let u = 0; u < k; u++) s += img.data[((y * k + v) * img.width + x * k + u) * ch + (ch >= 3 ? c : 0)];
    out[(y * side + x) * 3 + c] = Math.round(s / (k * k));
  }
  return { width: side, height: side, channels: 3, depth: 8, data: out };
}

/** Mean of each channel over pixels that are not near white (the drawing, not the paper). */
function meanInk(img) {
  const ch = img.channels, sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const p = [img.data[i * ch], img.data[i * ch + 1], img.data[i * ch + 2]];
    if (Math.min(...p) > 235) continue;
    for (let c = 0; c < 3; c++) sum[c] += p[c];
    n++;
  }
  return sum.map((s) => s / Math.max(1, n));
}

test('sketch: one result at the model size, same seed → same image, new seed → a different one; 4 variations side by side', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addImage(page, 'Apple', SKETCH);
    await select(page, 'Apple');
    await pickTool(ui, 'sketch');
    await setNumber(ui, 'seed', 7);
    const [first] = await run(page, ui);
    assert.equal(first.name, `Apple · ${card.title}`);
    const a = await pixels(page, first);
    assert.deepEqual([a.width, a.height], [card.source.size, card.source.size]);

    await select(page, 'Apple');
    const [again] = await run(page, ui);
    assert.equal(meanAbs(a, await pixels(page, again)), 0, 'the same seed reproduces the result exactly');

    await select(page, 'Apple');
    await setNumber(ui, 'seed', 8);
    const [other] = await run(page, ui);
    assert.ok(meanAbs(a, await pixels(page, other)) > 0, 'another seed gives another image');

    await select(page, 'Apple');
    await setNumber(ui, 'seed', 7);
    await ui.locator('[data-testid=variations]').check();
    const four = await run(page, ui, 4);
    assert.deepEqual(four.map((n) => n.name).sort(), [7, 8, 9, 10].map((s) => `Apple · ${card.title} (seed ${s})`).sort());
    // Variation k is exactly the single run with seed 7 + k, and the four differ from one another.
    const v7 = await layerPixels(page, `Apple · ${card.title} (seed 7)`);
    const v8 = await layerPixels(page, `Apple · ${card.title} (seed 8)`);
    assert.equal(meanAbs(v7, a), 0, 'variation seed 7 = the single run with seed 7');
    assert.ok(meanAbs(v7, v8) > 0, 'variations differ');
    // Side by side, none over another, each remembering its own seed for Run again.
    const boxes = await page.evaluate(() => window.standin.all().filter((s) => s.name.includes('(seed')).map((s) => ({ x: s.x, seed: JSON.parse(s.pluginData.onestep).options.seed, v: JSON.parse(s.pluginData.onestep).options.variations })));
    boxes.sort((p, q) => p.x - q.x);
    assert.deepEqual(boxes.map((b) => [b.seed, b.v]), [[7, 1], [8, 1], [9, 1], [10, 1]]);
    assert.equal(await page.evaluate(() => window.standin.commits), 4, 'one undo step per run (4 runs), the four variations together');

    if (trained()) {
      const colour = colourfulness(a);
      assert.ok(colour > 20, `the result is coloured, not grey (colourfulness ${colour.toFixed(1)})`);
      const f1 = strokeF1(extractSketch({ ...a, depth: 8 }), toSketch(shrink(decode(SKETCH), a.width)), 2);
      assert.ok(f1 > 0.5, `the result follows the strokes (F1 ${f1.toFixed(2)})`);
    }
  });
});

test('sketch: the colour latent moves the result toward the chosen colour as its strength grows', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addImage(page, 'Apple', SKETCH);
    await pickTool(ui, 'sketch');
    await ui.locator('[data-testid=use-color]').check();
    await ui.locator('[data-testid=color]').evaluate((el) => {
      el.value = '#3366cc';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    // The Strength hint gives the model's measured range (its card's), or says what Strength does.
    const hint = await ui.locator('[data-testid=latent-hint]').textContent();
    if (card.latent) assert.equal(hint, `Works best near ${card.latent.best}; from ${card.latent.floods} up the colour floods the paper.`);
    else assert.equal(hint, 'How strongly the colour pushes the result.');
    const blueness = [];
    for (const gamma of [0, 1]) {
      await setRange(ui, 'latent-strength', gamma);
      await select(page, 'Apple');
      const [made] = await run(page, ui);
      const [r, g, b] = meanInk(await pixels(page, made));
      blueness.push(b - (r + g) / 2);
    }
    assert.notEqual(blueness[0], blueness[1], 'γ changes the result');
    // Toward the colour is a property of a trained model, not of random weights.
    if (trained()) assert.ok(blueness[1] > blueness[0] + 5, `blue rises with γ: ${blueness.map((v) => v.toFixed(1)).join(' → ')}`);
  });
});

test('edit: strokes painted over a result (a group): at small s the result stays near the painted image, at large s it moves away; the sketch comes from the result', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addImage(page, 'Apple', SKETCH);
    await select(page, 'Apple');
    await pickTool(ui, 'sketch');
    const [made] = await run(page, ui);
    // A green bar painted across the result, grouped with it: what the user selects for Edit.
    const group = await page.evaluate((id) => {
      const fig = window.standin;
      const r = fig.all().find((n) => n.id === id);
      const bar = fig.addLayer({ type: 'RECTANGLE', name: 'Paint', x: r.x + r.width * 0.2, y: r.y + r.height * 0.45, width: r.width * 0.6, height: r.height * 0.12, fills: [{ type: 'SOLID', color: { r: 0.1, g: 0.8, b: 0.2 } }] });
      const api = fig.api();
      const g = api.group([fig.handle(id), fig.handle(bar.id)], api.currentPage);
      g.name = 'Painted';
      return { id: g.id, name: g.name };
    }, made.id);
    // x_edit as the engine sees it: the group's export, shrunk to the model's square.
    const exported = await page.evaluate(async (id) => Array.from(await window.standin.handle(id).exportAsync({ format: 'PNG' })), group.id);
    const painted = shrink(decode(new Uint8Array(exported)), card.source.size);
    await pickTool(ui, 'edit');
    const far = [];
    for (const s of [0.1, 0.9]) {
      await setRange(ui, 'edit-strength', s);
      await selectNode(page, group);
      const [edited] = await run(page, ui);
      assert.equal(edited.name, 'Painted · Edit');
      const out = await pixels(page, edited);
      far.push(meanAbs(painted, { ...out, data: out.data.filter((_, i) => out.channels !== 4 || i % 4 !== 3) }));
    }
    assert.notEqual(far[0], far[1], 's changes the result');
    if (trained()) {
      // A property of a trained (consistent) model, not of random weights.
      assert.ok(far[0] < far[1], `distance to the painted image grows with s: ${far.map((v) => v.toFixed(2)).join(' → ')}`);
      assert.ok(far[0] < 12, `at s = 0.1 the result stays close to it (mean ${far[0].toFixed(2)} levels)`);
    }
  });
});

test('sketch: an empty layer is refused with a clear message and nothing is added', async () => {
  await withPlayground(async ({ page, ui }) => {
    const white = readFileSync('test/fixtures/heldout-sketch-1F34E.png');
    const img = decode(white);
    img.data.fill(255);
    const { encode } = await import('fast-png');
    await addImage(page, 'Blank', encode(img));
    await select(page, 'Blank');
    await pickTool(ui, 'sketch');
    const before = await page.evaluate(() => JSON.stringify(window.standin.all()));
    await ui.locator('[data-testid=run]:not([disabled])').click();
    await ui.locator('[data-testid=error]').waitFor({ timeout: TIMEOUTS.run });
    assert.match(await ui.locator('[data-testid=error]').innerText(), /no drawing/i);
    assert.equal(await page.evaluate(() => JSON.stringify(window.standin.all())), before, 'the document is unchanged');
  });
});

test('sketch: a selected swatch layer is the colour latent; a swatch with no fill is refused with a message', async () => {
  await withPlayground(async ({ page, ui }) => {
    await addImage(page, 'Apple', SKETCH);
    await page.evaluate(() => {
      window.standin.addLayer({ type: 'RECTANGLE', name: 'Blue swatch', x: 400, y: 900, width: 40, height: 40, fills: [{ type: 'SOLID', color: { r: 0.2, g: 0.4, b: 0.8 } }] });
      window.standin.addLayer({ type: 'RECTANGLE', name: 'Empty swatch', x: 460, y: 900, width: 40, height: 40, fills: [] });
    });
    await pickTool(ui, 'sketch');
    await select(page, 'Apple');
    const [plain] = await run(page, ui);
    await ui.locator('[data-testid=use-color]').check();
    await setRange(ui, 'latent-strength', 1);
    await select(page, 'Blue swatch');
    await ui.locator('[data-testid=swatch-use]').click();
    await ui.locator('[data-testid=swatch]').waitFor();
    await select(page, 'Apple');
    const [tinted] = await run(page, ui);
    const [a, b] = [meanInk(await pixels(page, plain)), meanInk(await pixels(page, tinted))];
    assert.notDeepEqual(a, b, 'the swatch changes the result');
    if (trained()) assert.ok(b[2] - (b[0] + b[1]) / 2 > a[2] - (a[0] + a[1]) / 2 + 5, `bluer with the blue swatch: ${a.map(Math.round)} → ${b.map(Math.round)}`);

    await ui.locator('[data-testid=swatch-clear]').click();
    await select(page, 'Empty swatch');
    await ui.locator('[data-testid=swatch-use]').click();
    await select(page, 'Apple');
    const before = await page.evaluate(() => window.standin.all().length);
    await ui.locator('[data-testid=run]:not([disabled])').click();
    await ui.locator('[data-testid=error][data-code=swatch-empty]').waitFor({ timeout: TIMEOUTS.run });
    assert.equal(await page.evaluate(() => window.standin.all().length), before, 'nothing added');
  });
});

test('sketch: a photo still runs (a sketch is extracted first) and the panel says so; a dark-background drawing is inverted', async () => {
  await withPlayground(async ({ page, ui }) => {
    await pickTool(ui, 'sketch');
    await select(page, 'Landscape'); // the playground's example photo
    await run(page, ui);
    assert.match(await ui.locator('[data-testid=done-note]').innerText(), /sketch was extracted/);
    // White strokes on black: the same drawing as black on white, so the same result for the same seed.
    const img = decode(SKETCH);
    const inverted = { ...img, data: img.data.map((v, i) => (img.channels === 4 && i % 4 === 3 ? v : 255 - v)) };
    const { encode } = await import('fast-png');
    await addImage(page, 'Dark', encode(inverted));
    await addImage(page, 'Light', SKETCH, 300, 900);
    await select(page, 'Dark');
    const [dark] = await run(page, ui);
    await select(page, 'Light');
    const [light] = await run(page, ui);
    assert.ok(meanAbs(await pixels(page, dark), await pixels(page, light)) < 2, 'inverted to the same drawing');
  });
});
