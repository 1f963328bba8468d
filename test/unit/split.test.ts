import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePieces, splitImage } from '../../ui/engine/image/split';
import type { RawImage } from '../../ui/engine/image/raw';

function image(w: number, h: number, channels: 3 | 4 = 3): RawImage {
  const data = new Uint8Array(w * h * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 255;
  return { width: w, height: h, channels, depth: 8, data };
}

for (const [w, h, max, n] of [[10, 10, 10, 1], [11, 10, 10, 2], [25, 7, 10, 3], [21, 21, 10, 9]] as const) {
  test(`splitImage ${w}×${h} at ${max}: ${n} pieces, each ≤ ${max}, reassembling to the original`, () => {
    const img = image(w, h, 4);
    const pieces = splitImage(img, max);
    assert.equal(pieces.length, n);
    const back = new Uint8Array(img.data.length);
    for (const p of pieces) {
      assert.ok(p.image.width <= max && p.image.height <= max);
      for (let y = 0; y < p.image.height; y++) {
        back.set(p.image.data.subarray(y * p.image.width * 4, (y + 1) * p.image.width * 4), ((p.y + y) * w + p.x) * 4);
      }
    }
    assert.deepEqual(back, img.data);
  });
}

test('encodePieces encodes each piece once and never the whole image (a result split for Figma)', () => {
  const img = image(25, 7, 4);
  const encoded: Array<[number, number]> = [];
  const pieces = encodePieces(img, 10, (p) => {
    encoded.push([p.width, p.height]);
    return new Uint8Array([p.width, p.height]);
  });
  assert.deepEqual(encoded, [[8, 7], [8, 7], [9, 7]], 'three pieces, no 25×7 encode');
  assert.deepEqual(pieces.map((p) => [p.x, p.width, Array.from(p.png)]), [[0, 8, [8, 7]], [8, 8, [8, 7]], [16, 9, [9, 7]]]);
  const small = encodePieces(image(6, 5, 3), 10, (p) => new Uint8Array([p.width]));
  assert.equal(small.length, 1, 'a result within the limit is one piece, encoded once');
});
