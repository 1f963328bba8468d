// Shared browser-test plumbing: Debian's Chromium through playwright-core, the playground server,
// and named timeouts (so a slow CI machine fails with a reason, not a hang).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../ui/standin/serve.mjs';

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
export async function openPlayground(context, dist) {
  const server = await startServer({ port: 0, dist });
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.standin && window.standin.uiFrame(), null, { timeout: TIMEOUTS.pluginReady });
  await page.evaluate(() => window.standin.ready);
  const ui = page.frameLocator('#plugin iframe');
  await ui.locator('[data-testid=run]').waitFor({ timeout: TIMEOUTS.pluginReady });
  return { page, ui, logs, server, close: () => new Promise((r) => server.close(r)) };
}
