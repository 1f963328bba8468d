// The README's model tables from the cards (`npm run readme`; test/unit/readme.test.ts checks them):
// the restore models in the table ui/engine/cli.ts zooTable makes (PSNR against bicubic or the damaged
// input), then one table per tool that measures other things: sketch (colourfulness, SWD and stroke F1
// on held-out drawings; models/gctm/sketch_eval.py) and inpaint (PSNR inside the hole by hole size
// against OpenCV; models/gctm/inpaint_eval.py). Plain JavaScript on plain card JSON; the cells every
// table shows alike come from ui/engine/card-cells.ts (its callers load TypeScript).
import { earlierNetMark, oneStepCell } from '../ui/engine/card-cells.ts';

/** Tools with a table of their own here; every other card goes to the restore table. */
const OWN_TABLE = new Set(['sketch', 'inpaint']);

function num(v, digits) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function shipped(c) {
  const bytes = c.fp16_bytes ?? c.bytes;
  return bytes ? `${(bytes / 1048576).toFixed(1)} MB` : '–';
}

function flops(c) {
  return c.flops_per_output_pixel ? `${(c.flops_per_output_pixel / 1e3).toFixed(1)} k` : '–';
}

const hasDenoiser = (c) => Array.isArray(c.outputs) && c.outputs.includes('g');

/** "1, detailed": the steps and result a run gives by default (as ui/engine/zoo.ts effectiveSteps / effectiveOutput). */
function byDefault(c) {
  const steps = Math.max(1, Math.min(c.default_steps ?? 1, (c.time?.grid?.length ?? 2) - 1));
  return `${steps}, ${hasDenoiser(c) ? (c.default_output ?? 'detailed') : 'detailed'}`;
}

/** The metrics key of the default result: the one step (Detailed) or the denoiser (Faithful). */
function defaultKey(c) {
  return hasDenoiser(c) && c.default_output === 'faithful' ? 'gctm_denoiser' : 'gctm_nfe1';
}

/** The sketch models' table (gctm.sketch_eval: metrics.summary.<method>.{colourfulness, swd, stroke_f1}). */
export function sketchTable(cards) {
  const triple = (m) => (m ? `${num(m.colourfulness, 1)} / ${num(m.swd, 1)} / ${num(m.stroke_f1, 2)}` : '–');
  const rows = cards.map((c) => {
    const m = c.metrics ?? {};
    const s = m.summary ?? {};
    const size = c.source?.size ? `${c.source.size}×${c.source.size}` : '–';
    return `| \`${c.id}\` ${c.title} | ${c.version} | ${shipped(c)} | ${flops(c)} | ${size} | ${byDefault(c)} | ${triple(s[defaultKey(c)])} | ${triple(s.regression_nfe1)}${earlierNetMark(m)} | ${triple(s.gctm_ode)} | ${oneStepCell(c)} | ${m.pairs ?? '–'} (${num(s.targets?.colourfulness, 1)}) |`;
  });
  return [
    '| sketch model | version | shipped (fp16) | FLOPs per output px | square | default: steps, result | default result: colourfulness / SWD ×10³ / stroke F1 (higher / lower / higher) | same net as L2 regressor | ODE reference (Heun) | one step to its ODE / to its denoiser, dB (higher: closer) | held-out drawings (the real colourings\' colourfulness) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The inpaint models' table (gctm.inpaint_eval: metrics.by_size.<size>.<method>.psnr, max_hole). */
export function inpaintTable(cards) {
  const sizes = ['small', 'medium', 'large'];
  const rows = cards.map((c) => {
    const m = c.metrics ?? {};
    const by = m.by_size ?? {};
    const per = (method) => sizes.map((s) => num(by[s]?.[method]?.psnr, 2)).join(' / ');
    const size = c.source?.size ? `${c.source.size}×${c.source.size}` : '–';
    const held = m.crops !== undefined ? `${m.crops} × ${m.masks}` : '–';
    return `| \`${c.id}\` ${c.title} | ${c.version} | ${shipped(c)} | ${flops(c)} | ${size} | ${byDefault(c)} | ${per(defaultKey(c))} | ${per('telea')} | ${per('ns')} | ${per('regression_nfe1')}${earlierNetMark(m)} | ${c.max_hole ?? '–'} | ${oneStepCell(c)} | ${held} |`;
  });
  return [
    '| inpaint model | version | shipped (fp16) | FLOPs per output px | window | default: steps, result | default result: PSNR inside the hole, small / medium / large holes (dB) | OpenCV Telea | OpenCV Navier–Stokes | same net as L2 regressor | largest hole above Telea (`max_hole`, px) | one step to its ODE / to its denoiser, dB inside the hole | held-out crops × masks |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * The README's zoo-table section: `zooTable` (ui/engine/cli.ts) over the restore cards, then the sketch
 * and inpaint tables when the zoo has such cards. With restore cards only it is zooTable's table alone.
 */
export function readmeZooTables(cards, zooTable) {
  const parts = [zooTable(cards.filter((c) => !OWN_TABLE.has(c.tool)))];
  const sketch = cards.filter((c) => c.tool === 'sketch');
  if (sketch.length) parts.push('Sketch → image, on the held-out OpenMoji drawings (`python3 -m gctm.sketch_eval`):', sketchTable(sketch));
  const inpaint = cards.filter((c) => c.tool === 'inpaint');
  if (inpaint.length) parts.push('Inpaint, on the held-out photos and clip art with the held-out masks (`python3 -m gctm.inpaint_eval`; holes: small < 5 %, medium 5–15 %, large > 15 % of the window):', inpaintTable(inpaint));
  return parts.join('\n\n');
}
