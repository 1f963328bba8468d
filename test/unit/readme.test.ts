// The README's promises that code can check: the two commands first, and a model table that matches the cards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { peerTable, zooTable } from '../../ui/engine/cli';
import { readCards } from '../../ui/engine/node';
// @ts-expect-error plain JavaScript module without type declarations
import { readmeZooTables, sketchTable, inpaintTable } from '../../bin/zoo-tables.mjs';

const readme = readFileSync('README.md', 'utf8');

test('README starts with the two commands', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1];
  assert.match(firstBlock.split('\n')[0], /^npm install && npm start/);
  assert.match(firstBlock.split('\n')[1], /^npm test/);
});

test('README model table matches models/zoo (npm run readme rewrites it)', () => {
  const table = /<!-- zoo-table -->\n([\s\S]*?)\n<!-- \/zoo-table -->/.exec(readme)?.[1];
  assert.ok(table, 'README has the zoo-table markers');
  assert.equal(table, readmeZooTables(readCards('models/zoo'), zooTable), 'stale table: run `npm run readme`');
});

test('README model tables: sketch and inpaint cards get tables of their own measures, restore rows stay as they were', () => {
  const restore = readCards('models/zoo').filter((c) => c.tool === 'restore');
  const base = { file: 'x.onnx', sha256: '0'.repeat(64), bytes: 1048576, fp16_bytes: 524288, multiple: 8, tile: { size: 256, overlap: 32 }, outputs: ['y', 'g'], time: { sigma_max: 80, grid: [0, 0.5, 1], one_step: { t: 1, s: 0 } }, flops_per_output_pixel: 123400 };
  const sketch = {
    ...base, id: 'sketch', tool: 'sketch', title: 'Sketch → image', version: '0.2.0', summary: '', default_output: 'detailed', one_step: 'gctm',
    source: { kind: 'sketch', size: 64, sigma_p: 0.05 },
    metrics: {
      pairs: 167, consistency: { one_step_to_ode_db: 25.2, one_step_to_denoiser_db: 21.0 },
      summary: { targets: { colourfulness: 55.02 }, gctm_nfe1: { colourfulness: 41.23, swd: 30.14, stroke_f1: 0.823 }, regression_nfe1: { colourfulness: 27.0, swd: 35.2, stroke_f1: 0.85 }, gctm_ode: { colourfulness: 44.1, swd: 29.0, stroke_f1: 0.8 } },
    },
  };
  const inpaint = {
    ...base, id: 'inpaint', tool: 'inpaint', title: 'Inpaint', version: '0.1.0', summary: '', default_output: 'faithful', max_hole: 48,
    source: { kind: 'inpaint', size: 128 },
    metrics: {
      crops: 14, masks: 48, consistency: { one_step_to_ode_db: 30.1, one_step_to_denoiser_db: 33.0 },
      by_size: { small: { telea: { psnr: 27.5 }, ns: { psnr: 27.3 }, gctm_nfe1: { psnr: 27.9 }, gctm_denoiser: { psnr: 28.1 } }, large: { telea: { psnr: 19.8 }, ns: { psnr: 19.5 }, gctm_nfe1: { psnr: 19.9 }, gctm_denoiser: { psnr: 20.1 } } },
    },
  };
  const cards = [...restore, sketch, inpaint] as never[];
  const all: string = readmeZooTables(cards, zooTable);
  assert.ok(all.startsWith(zooTable(restore)), 'the restore table first, with the restore cards only');
  assert.equal(readmeZooTables(restore, zooTable), zooTable(restore), 'no sketch or inpaint card: the restore table alone');
  assert.match(sketchTable([sketch]), /\| `sketch` Sketch → image \| 0\.2\.0 \| 0\.5 MB \| 123\.4 k \| 64×64 \| 1, detailed \| 41\.2 \/ 30\.1 \/ 0\.82 \| 27\.0 \/ 35\.2 \/ 0\.85 \| 44\.1 \/ 29\.0 \/ 0\.80 \| 25\.2 \/ 21\.0 \| 167 \(55\.0\) \|/);
  assert.match(inpaintTable([inpaint]), /\| `inpaint` Inpaint \| 0\.1\.0 \| .* \| 128×128 \| 1, faithful \| 28\.10 \/ – \/ 20\.10 \| 27\.50 \/ – \/ 19\.80 \| 27\.30 \/ – \/ 19\.50 \| – \/ – \/ – \| 48 \| 30\.1 \/ 33\.0 \(not a GCTM jump\) \| 14 × 48 \|/);
  assert.ok(all.includes(sketchTable([sketch])) && all.includes(inpaintTable([inpaint])));
  const rows = all.split('\n').filter((l) => /^\| `(sketch|inpaint)`/.test(l));
  assert.equal(rows.length, 2, 'one row each, in their own tables');
  for (const line of rows) assert.ok(!/\| (bicubic|input) /.test(line), `no photo baseline in a sketch or inpaint row: ${line}`);
});

test('README model tables: an L2 baseline measured on an earlier network is marked as such, not as the same net', () => {
  const [restore] = readCards('models/zoo').filter((c) => c.tool === 'restore') as any[];
  const reg = { psnr: 27.99, ssim: 0.8, swd: 60 };
  const own = { ...restore, metrics: { ...restore.metrics, summary: { ...restore.metrics.summary, regression_nfe1: reg } } };
  const borrowed = { ...restore, metrics: { ...restore.metrics, summary: { ...restore.metrics.summary, regression_nfe1: { ...reg, note: 'the 32-channel network' } } } };
  assert.match(zooTable([own]), /\| 27\.99 \|/);
  assert.match(zooTable([borrowed]), /\| 27\.99 \(an earlier net\) \|/);
  const by_size = { small: { telea: { psnr: 27.5 }, ns: { psnr: 27.3 }, gctm_denoiser: { psnr: 28.1 }, regression_nfe1: { psnr: 27.9 } } };
  const inpaint = { id: 'inpaint', tool: 'inpaint', title: 'Inpaint', version: '0.6.0', outputs: ['y', 'g'], default_output: 'faithful', source: { size: 64 }, metrics: { crops: 1, masks: 1, by_size } };
  assert.match(inpaintTable([inpaint]), /\| 27\.90 \/ – \/ – \| – \|/);
  assert.match(inpaintTable([{ ...inpaint, metrics: { ...inpaint.metrics, carried: { regression_nfe1: 'an earlier release' } } }]), /\| 27\.90 \/ – \/ – \(an earlier net\) \|/);
});

test('README restore table: the one-step verdict is the card\'s own (one_step), not a bare comparison of the two distances', () => {
  const [restore] = readCards('models/zoo').filter((c) => c.tool === 'restore') as any[];
  const consistency = { one_step_to_ode_db: 26.3, one_step_to_denoiser_db: 25.9 }; // nearer its ODE, by less than the release margin
  const card = (one_step: string) => ({ ...restore, one_step, metrics: { ...restore.metrics, consistency } });
  assert.match(zooTable([card('regressor')]), /\| 26\.3 \/ 25\.9 \(not a GCTM jump\) \|/);
  assert.match(zooTable([card('gctm')]), /\| 26\.3 \/ 25\.9 \|/);
});

test('README peer comparison matches the cards (npm run readme rewrites it)', () => {
  const table = /<!-- peer-table -->\n([\s\S]*?)\n<!-- \/peer-table -->/.exec(readme)?.[1];
  assert.ok(table, 'README has the peer-table markers');
  assert.equal(table, peerTable(readCards('models/zoo')), 'stale table: run `npm run readme`');
});
