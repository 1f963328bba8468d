// The CLI's image files: sizes read from headers and refused before decoding (decompression bombs),
// with bounded memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { readHeader } from '../../ui/engine/cli-image';
import { pngChunk } from '../../ui/engine/codec';
import { main } from '../../ui/engine/cli';

let dir = '';
let zoo = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'onestep-cli-images-'));
  zoo = join(dir, 'zoo');
  mkdirSync(zoo);
  for (const f of ['tiny-random.json', 'tiny-random.onnx', 'tiny-x4.json', 'tiny-x4.onnx', 'tiny-inpaint.json', 'tiny-inpaint.onnx']) copyFileSync(join('test/fixtures', f), join(zoo, f));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/onestep.mjs', ...args, '--zoo', zoo], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** main() in this process, for answers that come before any model runs (no process start per case). */
async function inProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, '--zoo', zoo], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** An RGBA PNG declaring width × height whose IDAT is `idat` (by default a short stream of zeros). */
function declaredPng(width: number, height: number, idat: Buffer = deflateSync(Buffer.alloc(1024))): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The complete zlib stream of a width × height RGBA image of zeros (filter byte 0 on each row), built
 * from one independently compressed row repeated: 4 MB that inflate to width × height × 4 bytes.
 */
function zeroImageStream(width: number, height: number): Buffer {
  const rowBytes = 1 + width * 4;
  const row = deflateRawSync(Buffer.alloc(rowBytes), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const total = rowBytes * height;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0); // Adler-32 of zeros: a = 1, b = n mod 65521
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array(height).fill(row), Buffer.from([0x03, 0x00]), adler]);
}

test('readHeader: format and declared size of PNG, JPEG (SOF after other segments) and WebP (VP8, VP8L, VP8X)', () => {
  assert.deepEqual(readHeader(declaredPng(30000, 20000)), { format: 'png', width: 30000, height: 20000 });
  assert.deepEqual(readHeader(new Uint8Array(readFileSync('ui/standin/examples/Icon.png'))), { format: 'png', width: 96, height: 96 });
  // JPEG: SOI, APP0 (JFIF), a fill byte, DQT, then SOF2 (progressive) 640 wide, 480 high.
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const dqt = [0xff, 0xdb, 0x00, 0x04, 0x00, 0x00];
  const sof2 = [0xff, 0xc2, 0x00, 0x11, 8, 0x01, 0xe0, 0x02, 0x80, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  assert.deepEqual(readHeader(new Uint8Array([0xff, 0xd8, ...app0, 0xff, ...dqt, ...sof2])), { format: 'jpeg', width: 640, height: 480 });
  // DHT (C4) is not a frame; a scan before any frame is no image.
  assert.equal(readHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xc4, 0x00, 0x02, 0xff, 0xda, 0x00, 0x02])), null);
  const riff = (fourcc: string, body: number[]) => {
    const data = Buffer.from(body);
    const head = Buffer.alloc(20);
    head.write('RIFF', 0, 'ascii');
    head.writeUInt32LE(12 + data.length, 4);
    head.write('WEBP', 8, 'ascii');
    head.write(fourcc, 12, 'ascii');
    head.writeUInt32LE(data.length, 16);
    return new Uint8Array(Buffer.concat([head, data, Buffer.alloc(16)]));
  };
  // VP8: frame tag, start code, 14-bit sizes (16383 is the most VP8 can say).
  assert.deepEqual(readHeader(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0xff, 0x3f, 0x00, 0x10])), { format: 'webp', width: 16383, height: 4096 });
  // VP8L: 0x2f, then (w − 1) | (h − 1) << 14: 300 × 200.
  const bits = 299 | (199 << 14);
  assert.deepEqual(readHeader(riff('VP8L', [0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, (bits >>> 24) & 255])), { format: 'webp', width: 300, height: 200 });
  // VP8X: 24-bit canvas sizes, so a WebP can declare 30000 × 30000.
  const u24 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];
  assert.deepEqual(readHeader(riff('VP8X', [0x10, 0, 0, 0, ...u24(29999), ...u24(29999)])), { format: 'webp', width: 30000, height: 30000 });
  for (const junk of [new Uint8Array(0), new Uint8Array([0x89, 0x50]), Buffer.from('GIF89a........................')]) assert.equal(readHeader(junk), null);
});

/** Runs the CLI, sampling its peak resident memory (VmHWM) and killing it past `killMb`. */
function runMeasured(args: string[], killMb = 1500): Promise<{ code: number | null; err: string; peakMb: number; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['bin/onestep.mjs', ...args, '--zoo', zoo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    let peakMb = 0;
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
        peakMb = Math.max(peakMb, kb('VmHWM') / 1024, kb('VmRSS') / 1024);
        if (peakMb > killMb) child.kill('SIGKILL');
      } catch {
        // exited
      }
    };
    const timer = setInterval(sample, 20);
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearInterval(timer);
      clearTimeout(deadline);
      resolve({ code, err, peakMb, ms: Date.now() - t0 });
    });
  });
}

test('decompression bombs are refused from the header: exit 1, the limits in words, bounded memory', async (ctx) => {
  // A tiny PNG that only declares 30000×30000, and a 4 MB one whose data really inflates to 3.6 GB.
  const out = join(dir, 'bomb-out.png');
  const tiny = join(dir, 'declared-30000.png');
  writeFileSync(tiny, declaredPng(30000, 30000));
  assert.ok(readFileSync(tiny).length < 200);
  const t = await runMeasured(['restore', tiny, '-o', out]);
  assert.equal(t.code, 1, `exit ${t.code} after ${t.ms} ms, peak ${t.peakMb.toFixed(0)} MB:\n${t.err}`);
  assert.match(t.err, /declared-30000\.png is 30000×30000 px; at ×2 the result would be 60000×60000 px/);
  const bomb = join(dir, 'bomb.png');
  writeFileSync(bomb, declaredPng(30000, 30000, zeroImageStream(30000, 30000)));
  const r = await runMeasured(['restore', bomb, '-o', out]);
  assert.equal(r.code, 1, `exit ${r.code} after ${r.ms} ms, peak ${r.peakMb.toFixed(0)} MB:\n${r.err}`);
  assert.match(r.err, /bomb\.png is 30000×30000 px; at ×2 the result would be 60000×60000 px \(3600\.0 megapixels\), over the limit of 8192 px a side and 16 megapixels \(4096×4096 px\)/);
  ctx.diagnostic(`bomb (${readFileSync(bomb).length} bytes, inflates to 3.6 GB): refused in ${r.ms} ms, peak resident memory ${r.peakMb.toFixed(0)} MB`);
  // Node, the TypeScript loader and the 4 MB file: about 100 MB. Decoding would need 3.6 GB.
  assert.ok(r.peakMb < 400, `peak resident memory ${r.peakMb.toFixed(0)} MB`);
  assert.equal(existsSync(out), false);
});

test('inpaint takes photos up to 8192 px a side and 32 megapixels (a 24-megapixel camera photo); beyond, it says so in its own words', async () => {
  const out = join(dir, 'inpaint-limits-out.png');
  for (const [w, h] of [[30000, 30000], [8193, 16], [8000, 4500]] as const) {
    const file = join(dir, `inpaint-declared-${w}x${h}.png`);
    writeFileSync(file, declaredPng(w, h));
    const r = await inProcess('inpaint', file, '--mask', file, '-o', out);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`is ${w}×${h} px \\([\\d.]+ megapixels\\), over what inpaint takes: 8192 px a side and 32 megapixels`));
    assert.doesNotMatch(r.err, /--scale/, 'inpaint has no scale to lower');
  }
  // 6000×4000 (24 MP) is over the plugin's 16 MP but inside inpaint's limit: it gets as far as decoding
  // (the declared files' pixel data is short).
  const photo = join(dir, 'inpaint-declared-6000x4000.png');
  writeFileSync(photo, declaredPng(6000, 4000));
  const r = await inProcess('inpaint', photo, '--mask', photo, '-o', out);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.err, /over what inpaint takes|over the limit/);
  assert.match(r.err, /could not be read as an image/);
  assert.equal(existsSync(out), false);
});

test('results over 8192 px a side or 16 megapixels are refused before decoding; within the limits the file is decoded', async () => {
  const out = join(dir, 'limits-out.png');
  // 5000×5000 at ×4 (the case that once ran past 8 GB), a side over 8192 at ×2, an area over 16 MP at ×2.
  for (const [w, h, scale, want] of [[5000, 5000, '4', '20000×20000'], [4097, 16, '2', '8194×32'], [3000, 3000, '2', '6000×6000']] as const) {
    const file = join(dir, `declared-${w}x${h}.png`);
    writeFileSync(file, declaredPng(w, h));
    const r = await inProcess('restore', file, '-o', out, '--scale', scale);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`is ${w}×${h} px; at ×${scale} the result would be ${want} px`));
  }
  // 2048×2048 at ×2 is 16.8 MP, just inside: this one gets as far as decoding (its pixel data is short).
  const inside = join(dir, 'declared-inside.png');
  writeFileSync(inside, declaredPng(2048, 2048));
  const r = await inProcess('restore', inside, '-o', out);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.err, /over the limit/);
  assert.match(r.err, /could not be read as an image/);
  // A header that declares no pixels.
  const empty = join(dir, 'declared-empty.png');
  writeFileSync(empty, declaredPng(0, 10));
  assert.match((await inProcess('restore', empty, '-o', out)).err, /has no pixels/);
  assert.equal(existsSync(out), false);
});

// ---- JPEG and WebP in, the output format from -o's extension ----

/** A fixture PNG re-encoded as JPEG or WebP with the CLI's own codecs (jSquash). */
async function reencoded(png: string, format: 'jpeg' | 'webp', name: string): Promise<string> {
  const { nodeCodecs } = await import('../../ui/engine/node');
  const { decodePng } = await import('../../ui/engine/codec');
  const { toRgba8 } = await import('../../ui/engine/image/raw');
  const img = decodePng(new Uint8Array(readFileSync(png)));
  const bytes = await nodeCodecs().encode(format, { width: img.width, height: img.height, data: toRgba8(img) }, 95);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

test('JPEG and WebP inputs are read; the result matches the PNG input\'s within the codec\'s loss', async () => {
  const { decodePng } = await import('../../ui/engine/codec');
  const png = 'ui/standin/examples/Landscape.png';
  const ref = join(dir, 'ref.png');
  assert.equal(cli('restore', png, '-o', ref).code, 0);
  const want = decodePng(new Uint8Array(readFileSync(ref)));
  for (const [format, name] of [['jpeg', 'in.jpg'], ['webp', 'in.webp']] as const) {
    const input = await reencoded(png, format, name);
    const out = join(dir, `from-${format}.png`);
    const r = cli('restore', input, '-o', out, '--json');
    assert.equal(r.code, 0, `${format}: ${r.err}`);
    const report = JSON.parse(r.out);
    assert.deepEqual([report.input.format, report.output.format], [format, 'png']);
    const got = decodePng(new Uint8Array(readFileSync(out)));
    assert.deepEqual([got.width, got.height, got.channels], [want.width, want.height, want.channels], format);
    const d = meanAbsDiff(got.data as Uint8Array, want.data as Uint8Array);
    assert.ok(d < 3, `${format}: mean difference ${d.toFixed(2)} levels from the PNG input's result`);
  }
  // WebP keeps alpha: the icon's transparent corners stay transparent.
  const icon = await reencoded('ui/standin/examples/Icon.png', 'webp', 'icon.webp');
  const out = join(dir, 'icon-from-webp.png');
  assert.equal(cli('restore', icon, '-o', out).code, 0);
  const img = decodePng(new Uint8Array(readFileSync(out)));
  assert.equal(img.channels, 4);
  assert.equal(img.data[3], 0, 'corner transparent');
});

test('the output format follows -o\'s extension: .png, .jpg/.jpeg (flattened on white), .webp; others are usage errors', async () => {
  const { readHeader } = await import('../../ui/engine/cli-image');
  const { nodeCodecs } = await import('../../ui/engine/node');
  for (const [name, format] of [['o.PNG', 'png'], ['o.jpg', 'jpeg'], ['o.JPEG', 'jpeg'], ['o.webp', 'webp']] as const) {
    const out = join(dir, name);
    const r = cli('restore', 'ui/standin/examples/Icon.png', '-o', out, '--json');
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    assert.equal(JSON.parse(r.out).output.format, format);
    const bytes = new Uint8Array(readFileSync(out));
    assert.deepEqual(readHeader(bytes), { format, width: 192, height: 192 }, name);
    if (format === 'jpeg') {
      assert.match(r.err, /JPEG has no transparency, so the result was flattened onto white/);
      const rgba = await nodeCodecs().decode('jpeg', bytes);
      assert.ok(rgba.data[0] > 240 && rgba.data[1] > 240 && rgba.data[2] > 240, 'the transparent corner is white');
    }
    if (format === 'webp') {
      const rgba = await nodeCodecs().decode('webp', bytes);
      assert.equal(rgba.data[3], 0, 'WebP keeps the transparent corner');
    }
  }
  for (const bad of ['o.gif', 'o', 'o.png.tmp']) {
    const out = join(dir, bad);
    const r = await inProcess('restore', 'ui/standin/examples/Icon.png', '-o', out);
    assert.equal(r.code, 2, `${bad}: ${r.err}`);
    assert.match(r.err, /the output format comes from the extension: \.png, \.jpg, \.jpeg or \.webp/);
    assert.equal(existsSync(out), false);
  }
});

test('a damaged JPEG or WebP body fails as unreadable (exit 1), with no output; a cut JPEG decodes with a warning', async () => {
  const out = join(dir, 'damaged-out.png');
  for (const [format, name] of [['jpeg', 'damaged.jpg'], ['webp', 'damaged.webp']] as const) {
    const good = readFileSync(await reencoded('ui/standin/examples/Pattern.png', format, name));
    // Keep the header (the size check passes), replace the rest with noise.
    const bad = Buffer.concat([good.subarray(0, format === 'jpeg' ? good.length / 8 : 30), Buffer.alloc(64, 0x5a)]);
    writeFileSync(join(dir, name), bad);
    const r = cli('restore', join(dir, name), '-o', out);
    assert.equal(r.code, 1, `${format}: ${r.err}`);
    assert.match(r.err, /could not be read as an image/);
    assert.equal(existsSync(out), false);
  }
  // libjpeg decodes a JPEG cut short (its end grey), as browsers do: the CLI says so.
  const whole = readFileSync(await reencoded('ui/standin/examples/Landscape.png', 'jpeg', 'cut.jpg'));
  writeFileSync(join(dir, 'cut.jpg'), whole.subarray(0, whole.length / 2));
  const r = cli('restore', join(dir, 'cut.jpg'), '-o', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^onestep: .*cut\.jpg: Premature end of JPEG file \(decoded anyway: check the result\)$/m);
});
