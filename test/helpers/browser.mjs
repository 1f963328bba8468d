// Shared browser-test plumbing: Debian's Chromium through playwright-core, the playground server,
// and named timeouts (so a slow CI machine fails with a reason, not a hang).
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../ui/standin/serve.mjs';
import { decode } from 'fast-png';
import { parseCard } from '../../ui/engine/zoo.ts';

export const TIMEOUTS = {
  /** ui.html parse + worker start + ORT wasm inflate + session create, on a busy 2-core machine. */
  pluginReady: 60_000,
  /** One tool run on a small layer, WASM one thread. */
  run: 120_000,
  /** Cancel must stop everything within a second; allow scheduling slack. */
  cancel: 3_000,
};

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser({ webgpu = false } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  const dir = mkdtempSync(join(tmpdir(), 'onestep-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Serves dist-like folder `dist` and opens the stand-in page; resolves when the plugin UI has booted. */
/** `model` makes the panel open with that model chosen (and preloaded); `hosted` loads the hosted UI. */
export async function openPlayground(context, dist, { hosted = false, model = '' } = {}) {
  const params = new URLSearchParams();
  if (hosted) params.set('hosted', '');
  if (model) params.set('model', model);
  const query = params.size ? `?${params}` : '';
  const server = await startServer({ port: 0, dist });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/dist/standin/index.html${query}`);
  await page.waitForFunction(() => window.standin && window.standin.uiFrame(), null, { timeout: TIMEOUTS.pluginReady });
  await page.evaluate(() => window.standin.ready);
  const ui = page.frameLocator('#plugin iframe');
  // The panel has its 'init' from main (settings, selection) once data-ready is true.
  await ui.locator('main[data-ready=true]').waitFor({ timeout: TIMEOUTS.pluginReady });
  // closeAllConnections: keep-alive sockets from the page would otherwise hold close() for minutes.
  return { page, ui, logs, server, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

/** Runs fn with a fresh playground page, appending the page's last log lines to any failure. */
export async function withPage(context, dist, fn, opts = {}) {
  const pg = await openPlayground(context, dist, opts);
  try {
    await fn(pg);
  } catch (err) {
    err.message += `\n--- page log ---\n${pg.logs.slice(-20).join('\n')}`;
    throw err;
  } finally {
    await pg.page.close();
    await pg.close();
  }
}

/** The layer the plugin wrote, as plain state, or null. */
export function layer(page, name) {
  return page.evaluate((n) => window.standin.byName(n) ?? null, name);
}

export function layerNames(page) {
  return page.evaluate(() => window.standin.all().map((s) => s.name));
}

/** Pairs of top-level layers (by name) whose drawn areas (render bounds) overlap; visible layers only. */
export function overlappingLayers(page) {
  return page.evaluate(() => {
    const fig = window.standin;
    const boxes = fig.nodes.get(fig.pageId).children.map((id) => ({ name: fig.nodes.get(id).name, b: fig.renderBounds(id) })).filter((x) => x.b);
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].b, b = boxes[j].b;
        if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push(`${boxes[i].name} / ${boxes[j].name}`);
      }
    }
    return out;
  });
}

/** RGBA pixels of a result layer's image fill, decoded in Node from the bytes the plugin gave createImage. */
export async function layerPixels(page, name) {
  return nodePixels(page, await page.evaluate((n) => window.standin.byName(n).id, name));
}

/** layerPixels by node id (names repeat when a run is repeated). */
export async function nodePixels(page, id) {
  const b64 = await page.evaluate((nid) => {
    const s = window.standin.all().find((n) => n.id === nid);
    const bytes = window.standin.images.get(s.fills[0].imageHash);
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }, id);
  return decode(Buffer.from(b64, 'base64'));
}

/**
 * Selects a layer by name and runs a model through the real panel: an upscaler is picked in the Size
 * list (with "clean up first" set to `clean`); a same-size model is Size ×1, which cleans.
 */
export async function runTool(page, ui, layerName, modelId, { clean = false } = {}) {
  await page.evaluate((n) => window.standin.select([window.standin.byName(n).id]), layerName);
  if (modelId) {
    const sizes = await ui.locator('[data-testid=model] option').evaluateAll((os) => os.map((o) => o.value));
    await ui.locator('[data-testid=model]').selectOption(sizes.includes(modelId) ? modelId : '');
    const box = ui.locator('[data-testid=clean]');
    if ((await box.count()) > 0 && (await box.isEnabled())) await box.setChecked(clean);
  }
  await ui.locator('[data-testid=run]:not([disabled])').click();
}

/** Adds an image layer from PNG bytes made in Node (as dropping a PNG on the canvas); returns its id. */
export function addImage(page, name, png, x = 40, y = 900) {
  return page.evaluate(([n, bytes, x, y]) => window.standin.addImageLayer(n, new Uint8Array(bytes), x, y).id, [name, Array.from(png), x, y]);
}

/** Adds a large gradient image layer (slow enough to cancel or interfere with mid-run). */
export function addSlowLayer(page, name, w = 1000, h = 750) {
  return page.evaluate(
    async ([n, w, h]) => {
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      const g = ctx.createLinearGradient(0, 0, w, h);
      g.addColorStop(0, '#c33');
      g.addColorStop(1, '#33c');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, w, h);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const png = new Uint8Array(await blob.arrayBuffer());
      return window.standin.addImageLayer(n, png, 40, 600).id;
    },
    [name, w, h],
  );
}

/** The cards inlined in the build under test (`dist`/ui.html), as the panel reads them. */
export function builtCards(dist) {
  const html = readFileSync(`${dist}/ui.html`, 'utf8');
  const m = /<script type="application\/json" id="onestep-zoo">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error(`${dist}/ui.html has no zoo block`);
  return JSON.parse(m[1]).map(parseCard);
}

/** Hasler–Süsstrunk colourfulness of 8-bit pixels (as models/gctm/sketch_eval.py computes it; 0: grey). */
export function colourfulness(img) {
  const n = img.width * img.height, ch = img.channels;
  let srg = 0, syb = 0, srg2 = 0, syb2 = 0;
  for (let i = 0; i < n; i++) {
    const r = img.data[i * ch], g = img.data[i * ch + 1], b = img.data[i * ch + 2];
    const rg = r - g, yb = 0.5 * (r + g) - b;
    srg += rg; syb += yb; srg2 += rg * rg; syb2 += yb * yb;
  }
  const mrg = srg / n, myb = syb / n;
  return Math.sqrt(srg2 / n - mrg * mrg + (syb2 / n - myb * myb)) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
}
