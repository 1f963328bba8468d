// PNG ⇄ RawImage in pure JS, so the browser and the CLI decode the same bytes to the same samples (a
// canvas would premultiply alpha and colour-manage, changing pixels before the model sees them).
// png-read.ts reads the common kinds (8/16-bit grey or colour, not interlaced), fast-png every other
// kind; encodePng writes with fflate's deflate.
import { decode } from 'fast-png';
import { unzlibSync, zlibSync } from 'fflate';
import { concatBytes } from './bytes';
import type { Channels, RawImage } from './image/raw';
import { pngChunks } from './png-chunks';
import { readCommonPng } from './png-read';
import { EngineError } from './errors';

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Reads only the IHDR: width and height without inflating (cheap checks before any work). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (!isPng(bytes) || bytes.length < 24) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Unpacks 1/2/4-bit samples to one byte each, scaled to 0..255 unless they are palette indices. */
function unpackLowDepth(data: Uint8Array, width: number, height: number, depth: number, scale: boolean): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const factor = scale ? 255 / mask : 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      const v = (byte >> (8 - depth - (bit & 7))) & mask;
      out[y * width + x] = Math.round(v * factor);
    }
  }
  return out;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, the four-letter type, the data and their CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * The same PNG with its image data inflated in one piece and stored again as one IDAT chunk (zlib
 * level 0: a copy), or null when there is no image data or it does not inflate. fast-png 8.0.0's
 * streaming inflater hands back no image for some valid files (those the Rust png crate writes, for
 * one: "Unsupported filter: undefined"); the restored file reads. Only a file fast-png refused pays
 * for this.
 */
export function withImageDataRestored(bytes: Uint8Array): Uint8Array | null {
  const chunks = pngChunks(bytes);
  if (!chunks) return null;
  const before: Uint8Array[] = [], after: Uint8Array[] = [], data: Uint8Array[] = [];
  for (const { type, body, whole } of chunks) {
    if (type === 'IDAT') data.push(body);
    else if (type === 'fdAT' || type === 'acTL') return null; // animated: left to fast-png
    else (data.length ? after : before).push(whole);
  }
  if (!data.length) return null;
  let raw: Uint8Array;
  try {
    raw = unzlibSync(concatBytes(data));
  } catch {
    return null;
  }
  const idat = pngChunk('IDAT', zlibSync(raw, { level: 0 }));
  return concatBytes([bytes.subarray(0, 8), ...before, idat, ...after]);
}

/**
 * Decodes any PNG (grey, grey+alpha, RGB, RGBA, palette; 1–16 bits; tRNS) to a RawImage of 8 or 16 bits:
 * the common kinds in png-read.ts's one pass, the others (and any file it declines) with fast-png.
 */
export function decodePng(bytes: Uint8Array): RawImage {
  if (!isPng(bytes)) throw new EngineError('decode-failed', 'not a PNG file');
  const common = readCommonPng(bytes);
  if (common) return common;
  let png;
  try {
    png = decode(bytes);
  } catch (err) {
    const restored = withImageDataRestored(bytes);
    try {
      if (!restored) throw err;
      png = decode(restored);
    } catch {
      throw new EngineError('decode-failed', (err as Error).message);
    }
  }
  const { width, height, depth, channels } = png;
  if (!(width > 0 && height > 0)) throw new EngineError('decode-failed', 'the image has no pixels');
  const expected = depth < 8 ? Math.ceil((width * depth) / 8) * height : width * height * channels;
  if (png.data.length < expected) throw new EngineError('decode-failed', 'the PNG data is truncated');

  if (png.palette) {
    const indices = depth < 8 ? unpackLowDepth(png.data as Uint8Array, width, height, depth, false) : (png.data as Uint8Array);
    const withAlpha = png.palette.some((c) => c.length === 4 && c[3] !== 255);
    const ch: Channels = withAlpha ? 4 : 3;
    const data = new Uint8Array(width * height * ch);
    for (let i = 0; i < width * height; i++) {
      const c = png.palette[indices[i]];
      if (!c) throw new EngineError('decode-failed', `palette index ${indices[i]} out of range`);
      for (let k = 0; k < ch; k++) data[i * ch + k] = k < 3 ? c[k] : (c[3] ?? 255);
    }
    return { width, height, channels: ch, depth: 8, data };
  }

  let data: Uint8Array | Uint16Array = png.data as Uint8Array | Uint16Array;
  let outDepth: 8 | 16 = depth === 16 ? 16 : 8;
  if (depth < 8) data = unpackLowDepth(png.data as Uint8Array, width, height, depth, true);
  // fast-png may hand back a Uint8ClampedArray: view it as a plain Uint8Array.
  if (!(data instanceof Uint8Array) && !(data instanceof Uint16Array)) {
    const c = data as Uint8ClampedArray;
    data = new Uint8Array(c.buffer, c.byteOffset, c.length);
  }

  // tRNS on grey or RGB names one colour that is fully transparent: turn it into an alpha channel.
  const key = png.transparency;
  if (key && key.length > 0 && (channels === 1 || channels === 3)) {
    const maxIn = (1 << depth) - 1;
    const keyScaled = Array.from(key, (k) => (depth < 8 ? Math.round((k * 255) / maxIn) : k));
    const ch = (channels + 1) as Channels;
    const out = outDepth === 16 ? new Uint16Array(width * height * ch) : new Uint8Array(width * height * ch);
    const opaque = outDepth === 16 ? 65535 : 255;
    for (let i = 0; i < width * height; i++) {
      let match = true;
      for (let c = 0; c < channels; c++) {
        out[i * ch + c] = data[i * channels + c];
        if (data[i * channels + c] !== keyScaled[c]) match = false;
      }
      out[i * ch + channels] = match ? 0 : opaque;
    }
    return { width, height, channels: ch, depth: outDepth, data: out };
  }
  return { width, height, channels: channels as Channels, depth: outDepth, data };
}

/**
 * An image as the engine's entry points take it: PNG bytes (the plugin's worker, a PNG file), or
 * pixels another codec already decoded (the CLI's JPEG and WebP), which need no PNG in between.
 */
export type ImageInput = Uint8Array | RawImage;

/** The input's pixels: PNG bytes decoded, a RawImage as it is. */
export function imageOf(input: ImageInput): RawImage {
  return input instanceof Uint8Array ? decodePng(input) : input;
}

const COLOUR_TYPE: Record<Channels, number> = { 1: 0, 2: 4, 3: 2, 4: 6 }; // grey, grey+alpha, RGB, RGBA

/** The image's scanlines, each led by its filter byte: Up (2), the byte above subtracted, for every row. */
function upFilteredScanlines(img: RawImage): Uint8Array {
  const rowBytes = img.width * img.channels * (img.depth / 8);
  // 16-bit samples go big-endian, as PNG stores them.
  const bytes =
    img.depth === 8 ? (img.data as Uint8Array) : (() => {
      const be = new Uint8Array(img.data.length * 2);
      for (let i = 0; i < img.data.length; i++) (be[2 * i] = img.data[i] >> 8), (be[2 * i + 1] = img.data[i] & 255);
      return be;
    })();
  const out = new Uint8Array((rowBytes + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    const at = y * (rowBytes + 1);
    const row = y * rowBytes;
    out[at] = 2;
    if (y === 0) out.set(bytes.subarray(0, rowBytes), at + 1);
    else for (let i = 0; i < rowBytes; i++) out[at + 1 + i] = bytes[row + i] - bytes[row - rowBytes + i];
  }
  return out;
}

/**
 * Encodes an 8- or 16-bit RawImage as PNG: every row Up-filtered, deflated at zlib level 1. Every
 * result the plugin places and every PNG the CLI writes comes from here. fast-png's writer stores rows unfiltered, byte by byte, at level 3: on a
 * 4000×3000 photo it took 2.3–2.9 s for a 28 MB file, this takes 1.1–1.5 s for an 18 MB one.
 */
export function encodePng(img: RawImage): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, img.width);
  view.setUint32(4, img.height);
  header.set([img.depth, COLOUR_TYPE[img.channels], 0, 0, 0], 8); // compression, filter method, no interlace
  return concatBytes([
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlibSync(upFilteredScanlines(img), { level: 1 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
