// The fast reader of common PNGs (ui/engine/png-read.ts) against fast-png, the reader it stands in for:
// every filter type, channel count and depth, several image-data chunks; and the kinds it leaves to fast-png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from 'fast-png';
import { zlibSync } from 'fflate';
import { pngChunk } from '../../ui/engine/codec';
import { readCommonPng } from '../../ui/engine/png-read';

const COLOUR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

/** Row filtering as the PNG specification defines it (filter `kinds[y % n]` on row y), on big-endian bytes. */
function filterRows(bytes: Uint8Array, rowBytes: number, height: number, bpp: number, kinds: number[]): Uint8Array {
  const out = new Uint8Array((rowBytes + 1) * height);
  const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : bytes[y * rowBytes + x]);
  for (let y = 0; y < height; y++) {
    const kind = kinds[y % kinds.length];
    out[y * (rowBytes + 1)] = kind;
    for (let x = 0; x < rowBytes; x++) {
      const a = at(x - bpp, y), b = at(x, y - 1), c = at(x - bpp, y - 1);
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, Math.floor((a + b) / 2), pa <= pb && pa <= pc ? a : pb <= pc ? b : c][kind];
      out[y * (rowBytes + 1) + 1 + x] = (at(x, y) - predictor) & 255;
    }
  }
  return out;
}

function pngOf(width: number, height: number, channels: 1 | 2 | 3 | 4, depth: 8 | 16, samples: ArrayLike<number>, kinds: number[], parts = 1, extra: Uint8Array[] = []): Uint8Array {
  const bytes = new Uint8Array(samples.length * (depth / 8));
  for (let i = 0; i < samples.length; i++) {
    if (depth === 8) bytes[i] = samples[i];
    else (bytes[2 * i] = samples[i] >> 8), (bytes[2 * i + 1] = samples[i] & 255);
  }
  const bpp = (channels * depth) / 8;
  const z = zlibSync(filterRows(bytes, width * bpp, height, bpp, kinds), { level: 6 });
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([depth, COLOUR_TYPE[channels], 0, 0, 0], 8);
  const cut = Math.ceil(z.length / parts);
  const idats = Array.from({ length: parts }, (_, i) => pngChunk('IDAT', z.subarray(i * cut, (i + 1) * cut)));
  const all = [Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', header), ...extra, ...idats, pngChunk('IEND', new Uint8Array(0))];
  return Uint8Array.from(all.flatMap((p) => Array.from(p)));
}

test('reads every row filter, channel count and depth to the samples fast-png reads', () => {
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xffff;
  for (const channels of [1, 2, 3, 4] as const) {
    for (const depth of [8, 16] as const) {
      const width = 9, height = 12; // 12 rows: each filter on several rows, the first row included
      const n = width * height * channels;
      // smooth with noise, so predictors differ from one another
      const samples = Array.from({ length: n }, (_, i) => ((i * 37) % (depth === 8 ? 256 : 65536) + (rand() % 9)) % (depth === 8 ? 256 : 65536));
      for (const kinds of [[0], [1], [2], [3], [4], [4, 3, 2, 1, 0]]) {
        const png = pngOf(width, height, channels, depth, samples, kinds, kinds.length > 1 ? 3 : 1);
        const ours = readCommonPng(png);
        const theirs = decode(png);
        const what = `${channels} ch, ${depth}-bit, filters ${kinds}`;
        assert.ok(ours, `${what}: read`);
        assert.deepEqual([ours.width, ours.height, ours.channels, ours.depth], [width, height, channels, depth], what);
        assert.deepEqual(Array.from(ours.data), Array.from(theirs.data), what);
        assert.deepEqual(Array.from(ours.data), samples, what);
      }
    }
  }
});

test('leaves palette, low-depth, interlaced, tRNS and damaged files to fast-png', () => {
  const palette = encode({ width: 2, height: 1, data: new Uint8Array([0, 1]), depth: 8, channels: 1, palette: [[1, 2, 3], [4, 5, 6]] });
  assert.equal(readCommonPng(palette), null, 'palette');
  const low = encode({ width: 8, height: 1, data: new Uint8Array([0b10101010]), depth: 1, channels: 1 });
  assert.equal(readCommonPng(low), null, '1-bit');
  const interlaced = encode({ width: 4, height: 4, data: new Uint8Array(48).fill(9), depth: 8, channels: 3 }, { interlace: 'Adam7' });
  assert.equal(readCommonPng(interlaced), null, 'Adam7');
  const trns = pngOf(2, 2, 3, 8, new Array(12).fill(7), [0], 1, [pngChunk('tRNS', new Uint8Array([0, 7, 0, 7, 0, 7]))]);
  assert.equal(readCommonPng(trns), null, 'tRNS');
  const good = pngOf(8, 8, 3, 8, new Array(192).fill(50), [1]);
  assert.ok(readCommonPng(good), 'the undamaged file reads');
  const truncated = good.slice(0, good.length - 20);
  assert.equal(readCommonPng(truncated), null, 'truncated image data');
  const badFilter = pngOf(4, 2, 1, 8, new Array(8).fill(1), [0]);
  // rewrite the first row's filter byte to 5 (there is no filter 5): stored again so only that byte differs
  const rows = new Uint8Array([5, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
  const header = badFilter.subarray(8, 33);
  const bad = Uint8Array.from([...badFilter.subarray(0, 8), ...header, ...pngChunk('IDAT', zlibSync(rows)), ...pngChunk('IEND', new Uint8Array(0))]);
  assert.equal(readCommonPng(bad), null, 'unknown filter type');
});
