// The panel's opening time, the cost of one page that inlines every model: from the plugin calling
// figma.showUI(__html__) to the panel ready (main[data-ready=true]: settings and selection received),
// in the Figma stand-in's sandboxed data: frame, with the page users get (every zoo model, fp16
// weights). Both ends are wall-clock Date.now(); the ready end is read when Playwright sees the
// attribute, so it is late by at most a few tens of milliseconds.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../build.mjs';
import { openPlayground } from '../helpers/browser.mjs';

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** Opens the plugin 1 + `reps` times in fresh pages; returns the page size and the times (first, then the rest). */
export async function benchOpen(context, { reps = 3, dist }) {
  await build({ out: dist });
  const mib = statSync(join(dist, 'ui.html')).size / 1048576;
  console.log(`open: dist/ui.html as users get it, ${mib.toFixed(2)} MiB (every zoo model inlined)`);
  const times = [];
  for (let i = 0; i <= reps; i++) {
    const pg = await openPlayground(context, dist);
    try {
      const shown = await pg.page.evaluate(() => window.standin.showUiTimes.at(-1));
      const ready = await pg.ui.locator('main[data-ready=true]').evaluate(() => Date.now());
      times.push(ready - shown);
    } finally {
      await pg.page.close();
      await pg.close();
    }
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  const median = rest[Math.floor(rest.length / 2)];
  console.log(`  showUI → panel ready: first ${fmt(times[0])}, then the median of ${rest.length} ${fmt(median)} (all: ${times.map(fmt).join(', ')})\n`);
  return { part: 'open', uiHtmlMiB: mib, first: times[0], median, times };
}
