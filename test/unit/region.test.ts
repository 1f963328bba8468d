// Cutting a rectangle out of an interleaved image and putting it back (ui/engine/image/region.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cropRaw, moveCrop, pasteRaw, unionBox } from '../../ui/engine/image/region';
import type { Crop } from '../../ui/engine/image/crop-plan';
import type { RawImage } from '../../ui/engine/image/raw';

const crop = (x: number, y: number, w: number, h: number): Crop => ({
  x, y, w, h, scale: 1, modelWidth: w, modelHeight: h, holes: 1,
  hole: { x: x + 2, y: y + 2, w: 1, h: 1 }, context: { x: x + 1, y: y + 1, w: 3, h: 3 }, writes: { x: x + 2, y: y + 2, w: 2, h: 2 },
});

test('unionBox holds every window; moveCrop moves the window and all three boxes', () => {
  assert.deepEqual(unionBox([crop(10, 20, 5, 5), crop(3, 30, 4, 8)]), { x: 3, y: 20, w: 12, h: 18 });
  const moved = moveCrop({ ...crop(10, 20, 5, 5), upscaler: 'x4' }, -3, -20);
  assert.deepEqual([moved.x, moved.y, moved.hole, moved.context, moved.writes, moved.upscaler], [7, 0, { x: 9, y: 2, w: 1, h: 1 }, { x: 8, y: 1, w: 3, h: 3 }, { x: 9, y: 2, w: 2, h: 2 }, 'x4']);
  assert.throws(() => unionBox([]));
});

test('cropRaw copies a box (8 and 16 bits); pasteRaw writes it back, RGB over RGBA keeping the alpha', () => {
  const w = 7, h = 5;
  const deep: RawImage = { width: w, height: h, channels: 3, depth: 16, data: Uint16Array.from({ length: w * h * 3 }, (_, i) => i * 300) };
  const part = cropRaw(deep, { x: 2, y: 1, w: 3, h: 2 });
  assert.ok(part.data instanceof Uint16Array);
  assert.deepEqual([part.width, part.height, part.channels, part.depth], [3, 2, 3, 16]);
  assert.deepEqual(Array.from(part.data.subarray(0, 3)), [(1 * w + 2) * 3 * 300, ((1 * w + 2) * 3 + 1) * 300, ((1 * w + 2) * 3 + 2) * 300]);

  const rgba: RawImage = { width: w, height: h, channels: 4, depth: 8, data: Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 200 : 9)) };
  const patch: RawImage = { width: 3, height: 2, channels: 3, depth: 8, data: new Uint8Array(18).fill(77) };
  pasteRaw(rgba, patch, { x: 2, y: 1, w: 3, h: 2 });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= 2 && x < 5 && y >= 1 && y < 3;
      const px = Array.from(rgba.data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4));
      assert.deepEqual(px, inside ? [77, 77, 77, 200] : [9, 9, 9, 200], `pixel ${x},${y}`);
    }
  }
  assert.throws(() => pasteRaw(rgba, patch, { x: 0, y: 0, w: 2, h: 3 }), /a 3×2 part for a 2×3 box/);
  assert.throws(() => pasteRaw(deep, patch, { x: 0, y: 0, w: 3, h: 2 }), /8-bit RGB or RGBA only/);
});
