import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from 'fast-png';
import { readFileSync } from 'node:fs';
import { unzlibSync } from 'fflate';
import { decode } from 'fast-png';
import { decodePng, encodePng, pngChunk, pngSize, withImageDataRestored } from '../../ui/engine/codec';
import { fromPlanes, toPlanes, toRgba8, type RawImage } from '../../ui/engine/image/raw';

const cases: Array<[string, Parameters<typeof encode>[0], number[]]> = [
  ['grey 8-bit', { width: 2, height: 1, data: new Uint8Array([0, 255]), depth: 8, channels: 1 }, [0, 0, 0, 255, 255, 255, 255, 255]],
  ['grey 1-bit', { width: 2, height: 1, data: new Uint8Array([0b01000000]), depth: 1, channels: 1 }, [0, 0, 0, 255, 255, 255, 255, 255]],
  ['grey 4-bit', { width: 2, height: 1, data: new Uint8Array([0x0f]), depth: 4, channels: 1 }, [0, 0, 0, 255, 255, 255, 255, 255]],
  ['grey+alpha', { width: 1, height: 1, data: new Uint8Array([100, 50]), depth: 8, channels: 2 }, [100, 100, 100, 50]],
  ['RGB 16-bit', { width: 1, height: 1, data: new Uint16Array([65535, 0, 32896]), depth: 16, channels: 3 }, [255, 0, 128, 255]],
  ['RGBA 8-bit', { width: 1, height: 1, data: new Uint8Array([1, 2, 3, 4]), depth: 8, channels: 4 }, [1, 2, 3, 4]],
  [
    'palette 2-bit',
    { width: 3, height: 1, data: new Uint8Array([0b00011000]), depth: 2, channels: 1, palette: [[255, 0, 0], [0, 255, 0], [0, 0, 255]] },
    [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255],
  ],
];

for (const [name, png, rgba] of cases) {
  test(`decodes ${name}`, () => {
    const img = decodePng(encode(png));
    assert.deepEqual(Array.from(toRgba8(img)), rgba);
  });
}

test('decodes a palette with tRNS alpha', () => {
  // fast-png does not write tRNS, so build the chunk by hand into an encoded palette PNG.
  const base = encode({ width: 2, height: 1, data: new Uint8Array([0, 1]), depth: 8, channels: 1, palette: [[10, 20, 30], [40, 50, 60]] });
  const idat = findChunk(base, 'IDAT');
  const trns = pngChunk('tRNS', new Uint8Array([0, 255]));
  const bytes = new Uint8Array([...base.subarray(0, idat), ...trns, ...base.subarray(idat)]);
  const img = decodePng(bytes);
  assert.equal(img.channels, 4);
  assert.deepEqual(Array.from(toRgba8(img)), [10, 20, 30, 0, 40, 50, 60, 255]);
});

test('a valid PNG that fast-png alone refuses (written by the Rust png crate) decodes to its samples', () => {
  // 200×200 RGBA, sample (x + y·c) mod 256 in channel c, alpha 255 (@jsquash/png 3.1.1 wrote it)
  const bytes = new Uint8Array(readFileSync('test/fixtures/png-written-by-rust-png.png'));
  assert.throws(() => decode(bytes), /Unsupported filter/, 'fast-png 8.0.0 refuses this file (if it stops refusing, this test shows nothing)');
  const img = decodePng(bytes);
  assert.deepEqual([img.width, img.height, img.channels, img.depth], [200, 200, 4, 8]);
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 200; x++) {
      const i = (y * 200 + x) * 4;
      assert.deepEqual(Array.from(img.data.subarray(i, i + 4)), [x & 255, (x + y) & 255, (x + 2 * y) & 255, 255], `pixel ${x},${y}`);
    }
  }
  // the restored file keeps every chunk but the image data, which is one stored IDAT with a valid CRC
  const restored = withImageDataRestored(bytes)!;
  assert.deepEqual(Array.from(decode(restored, { checkCrc: true }).data), Array.from(img.data));
  assert.equal(withImageDataRestored(bytes.subarray(0, 33)), null, 'no image data: nothing to restore');
});

test('corrupt and truncated PNGs fail with decode-failed', () => {
  const good = encode({ width: 8, height: 8, data: new Uint8Array(64 * 3).fill(7), depth: 8, channels: 3 });
  for (const bad of [new Uint8Array([1, 2, 3]), good.subarray(0, good.length - 20), good.subarray(0, 40)]) {
    assert.throws(() => decodePng(bad), (e: { code?: string }) => e.code === 'decode-failed');
  }
  assert.deepEqual(pngSize(good), { width: 8, height: 8 });
  assert.equal(pngSize(new Uint8Array(4)), null);
});

test('planes composite on white and fromPlanes recovers colour and alpha', () => {
  const img: RawImage = { width: 2, height: 1, channels: 4, depth: 8, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]) };
  const p = toPlanes(img);
  assert.ok(p.alpha);
  assert.equal(p.rgb[0], 1); // red, opaque
  const a = 128 / 255;
  assert.ok(Math.abs(p.rgb[1] - ((0 * a + 1 - a) * 2 - 1)) < 1e-6, 'blue pixel red channel is white-composited');
  const back = fromPlanes(p);
  assert.equal(back.channels, 4);
  assert.deepEqual(Array.from(back.data), [255, 0, 0, 255, 0, 0, 255, 128]);
});

test('opaque images have no alpha plane and come back RGB; y is clamped and rounded', () => {
  const p = toPlanes({ width: 1, height: 1, channels: 4, depth: 8, data: new Uint8Array([9, 9, 9, 255]) });
  assert.equal(p.alpha, null);
  const out = fromPlanes({ width: 1, height: 1, rgb: Float32Array.from([1.7, -3, 0]), alpha: null });
  assert.deepEqual(Array.from(out.data), [255, 0, 128]);
  assert.equal(decodePng(encodePng(out)).channels, 3);
});

function findChunk(png: Uint8Array, type: string): number {
  let off = 8;
  const view = new DataView(png.buffer, png.byteOffset);
  while (off < png.length) {
    const len = view.getUint32(off);
    const name = String.fromCharCode(...png.subarray(off + 4, off + 8));
    if (name === type) return off;
    off += 12 + len;
  }
  throw new Error(`no ${type}`);
}

test('16-bit samples round to the nearest 8-bit level for previews and the stand-in renderer', () => {
  const img: RawImage = { width: 1, height: 1, channels: 3, depth: 16, data: Uint16Array.from([51527, 32896, 65535]) };
  assert.deepEqual(Array.from(toRgba8(img)), [200, 128, 255, 255]);
});

test('encodePng writes every channel count and depth so that fast-png reads back the same samples (CRCs checked)', () => {
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff;
  for (const channels of [1, 2, 3, 4] as const) {
    for (const depth of [8, 16] as const) {
      const width = 13, height = 5; // odd sizes: no row is a multiple of 4 bytes
      const n = width * height * channels;
      const data = depth === 8 ? Uint8Array.from({ length: n }, () => rand() & 255) : Uint16Array.from({ length: n }, rand);
      const png = encodePng({ width, height, channels, depth, data });
      const back = decode(png, { checkCrc: true });
      assert.deepEqual([back.width, back.height, back.channels, back.depth], [width, height, channels, depth], `${channels} ch ${depth}-bit`);
      assert.deepEqual(Array.from(back.data), Array.from(data), `${channels} ch ${depth}-bit`);
      assert.deepEqual(decodePng(png), { width, height, channels, depth, data: back.data });
    }
  }
});

test('encodePng Up-filters every row, so a smooth photo-like image is smaller than fast-png writes it unfiltered', () => {
  const width = 256, height = 192;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = (x * (c + 1) + y * 2 + ((x * 31 + y * 17) % 5)) & 255;
  const ours = encodePng({ width, height, channels: 3, depth: 8, data });
  const at = findChunk(ours, 'IDAT');
  const length = new DataView(ours.buffer, ours.byteOffset).getUint32(at);
  const scanlines = unzlibSync(ours.subarray(at + 8, at + 8 + length));
  const rowBytes = width * 3 + 1;
  assert.equal(scanlines.length, rowBytes * height);
  for (let y = 0; y < height; y++) assert.equal(scanlines[y * rowBytes], 2, `row ${y}: filter Up`);
  const unfiltered = encode({ width, height, channels: 3, depth: 8, data });
  assert.ok(ours.length < unfiltered.length * 0.8, `${ours.length} bytes against fast-png's ${unfiltered.length}`);
});
