// The inpaint hole's coarse fill against the training code's (models/gctm/inpaint_data.py coarse_fill),
// on the vectors gctm.fixtures writes: the engine's x1 is the x1 the model was trained on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { coarseFill } from '../../ui/engine/image/coarse-fill';

interface Case {
  width: number;
  height: number;
  smooth: number;
  x: number[];
  hole: number[];
  out: number[];
}

const { cases } = JSON.parse(readFileSync('test/fixtures/coarse-fill.json', 'utf8')) as { cases: Case[] };

test('coarse fill equals PyTorch on every fixture (rectangle, ragged hole at the edges, early-stopping pyramids)', () => {
  assert.equal(cases.length, 4);
  for (const c of cases) {
    const out = coarseFill(Float32Array.from(c.x), 3, c.width, c.height, c.hole, c.smooth);
    let worst = 0;
    let filled = 0;
    for (let i = 0; i < out.length; i++) {
      worst = Math.max(worst, Math.abs(out[i] - c.out[i]));
      if (c.hole[i % (c.width * c.height)] > 0.5) filled++;
      else assert.equal(out[i], Math.fround(c.x[i]), 'a known pixel is kept as it is');
    }
    assert.ok(filled > 0);
    assert.ok(worst < 1e-5, `${c.width}×${c.height}, ${c.smooth} passes: max |ts − torch| = ${worst}`);
  }
});

test('coarse fill: a flat surrounding gives a flat fill; the input array is not changed', () => {
  const w = 16, h = 8;
  const x = new Float32Array(3 * w * h).fill(0.25);
  const hole = new Uint8Array(w * h);
  hole.fill(1, 2 * w + 3, 2 * w + 12);
  for (let i = 0; i < hole.length; i++) if (hole[i]) x[i] = 9; // whatever is under the hole never shows
  const before = x.slice();
  const out = coarseFill(x, 3, w, h, hole, 4);
  for (let i = 0; i < out.length; i++) assert.equal(out[i], 0.25);
  assert.deepEqual(x, before);
});
