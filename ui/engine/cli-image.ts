// The CLI's image files: which format a file is and the size its header declares, read from the first
// bytes without decoding anything, so that a size over the limits is refused before any memory is
// spent on pixels (a few kilobytes of PNG can declare 30000 × 30000); and the conversions between the
// engine's images and the JPEG/WebP codecs.
import { toRgba8, type RawImage } from './image/raw';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

function pngHeader(b: Uint8Array, v: DataView): ImageHeader | null {
  // Signature, then the IHDR chunk first: length 13, type, width, height (big-endian).
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return null;
  return { format: 'png', width: v.getUint32(16), height: v.getUint32(20) };
}

/** SOFn markers (start of frame): C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegHeader(b: Uint8Array, v: DataView): ImageHeader | null {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length: TEM and RSTn (SOI and EOI do not belong here).
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd8 || marker === 0xd9 || marker === 0xda) return null; // no frame before the scan
    const length = v.getUint16(at + 2);
    if (length < 2) return null;
    if (isSof(marker)) {
      if (at + 9 > b.length) return null;
      return { format: 'jpeg', height: v.getUint16(at + 5), width: v.getUint16(at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

function webpHeader(b: Uint8Array, v: DataView): ImageHeader | null {
  if (b.length < 30 || ascii(b, 8, 4) !== 'WEBP') return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height (2 bits of scaling each).
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return { format: 'webp', width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Signature 0x2f, then width − 1 and height − 1 in 14 bits each (little-endian bit order).
    if (b[20] !== 0x2f) return null;
    const bits = v.getUint32(21, true);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Flags (1 byte), reserved (3), then canvas width − 1 and height − 1 in 24 bits each.
    const u24 = (at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
    return { format: 'webp', width: u24(24) + 1, height: u24(27) + 1 };
  }
  return null;
}

/** The format and declared size of a PNG, JPEG or WebP file from its first bytes; null for anything else. */
export function readHeader(bytes: Uint8Array): ImageHeader | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return pngHeader(b, v);
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegHeader(b, v);
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF') return webpHeader(b, v);
  return null;
}

/** The output format named by a file's extension (.png, .jpg, .jpeg, .webp; any case); null for others. */
export function formatOfPath(path: string): ImageFormat | null {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'webp' ? 'webp' : null;
}

/** 8-bit RGBA, as the JPEG and WebP codecs take and give it (ImageData's layout). */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** JPEG and WebP decoding and encoding (node.ts provides them: jSquash's MozJPEG and libwebp builds in WebAssembly). */
export interface Codecs {
  /** The pixels, and what the decoder warned about (a truncated JPEG decodes, with its end grey). */
  decode(format: 'jpeg' | 'webp', bytes: Uint8Array): Promise<Rgba & { warnings?: string[] }>;
  encode(format: 'jpeg' | 'webp', image: Rgba, quality: number): Promise<Uint8Array>;
}

/** Quality of the JPEG and WebP files the CLI writes (0–100). */
export const QUALITY = 90;

/** A decoded JPEG/WebP as the engine's RawImage: RGB when every pixel is opaque (JPEG always), else RGBA. */
export function fromRgba(img: Rgba): RawImage {
  const { width, height, data } = img;
  const n = width * height;
  let opaque = true;
  for (let i = 0; i < n && opaque; i++) if (data[i * 4 + 3] !== 255) opaque = false;
  if (!opaque) return { width, height, channels: 4, depth: 8, data: new Uint8Array(data.buffer, data.byteOffset, n * 4).slice() };
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = data[i * 4];
    rgb[i * 3 + 1] = data[i * 4 + 1];
    rgb[i * 3 + 2] = data[i * 4 + 2];
  }
  return { width, height, channels: 3, depth: 8, data: rgb };
}

/** A result as 8-bit RGBA for the JPEG or WebP encoder; JPEG has no alpha, so it is flattened onto white. */
export function toRgbaFor(format: 'jpeg' | 'webp', img: RawImage): { rgba: Rgba; flattened: boolean } {
  const data = toRgba8(img);
  let flattened = false;
  if (format === 'jpeg') {
    for (let i = 0; i < data.length; i += 4) {
      const a = data[i + 3];
      if (a === 255) continue;
      flattened = true;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round((data[i + c] * a + 255 * (255 - a)) / 255);
      data[i + 3] = 255;
    }
  }
  return { rgba: { width: img.width, height: img.height, data }, flattened };
}
