// The common PNG read in one pass: 8- or 16-bit grey, grey+alpha, RGB or RGBA, not interlaced, no
// palette or tRNS. fast-png inflates through a growing stream buffer and copies each row out again;
// on a 4000×3000 photo that is 1.2–1.7 s, half of it buffer copies. Here the image data inflate once
// into a buffer of the size IHDR promises and are unfiltered in place: about 0.8 s. Anything else
// (or anything odd) returns null and fast-png reads it, errors included (codec.ts decodePng).
import { unzlibSync } from 'fflate';
import { concatBytes } from './bytes';
import type { Channels, RawImage } from './image/raw';
import { pngChunks } from './png-chunks';

const CHANNELS_OF_COLOUR_TYPE: Record<number, Channels | undefined> = { 0: 1, 4: 2, 2: 3, 6: 4 };

/** The IHDR fields and the image data of a PNG this reader takes, or null. */
function parse(bytes: Uint8Array): { width: number; height: number; depth: 8 | 16; channels: Channels; data: Uint8Array[] } | null {
  const chunks = pngChunks(bytes);
  if (!chunks) return null;
  let header: { width: number; height: number; depth: 8 | 16; channels: Channels } | null = null;
  const data: Uint8Array[] = [];
  for (const { type, body } of chunks) {
    if (type === 'IHDR') {
      if (body.length < 13) return null;
      const fields = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const depth = body[8];
      const channels = CHANNELS_OF_COLOUR_TYPE[body[9]];
      const interlaced = body[12] !== 0;
      if ((depth !== 8 && depth !== 16) || !channels || interlaced || body[10] !== 0 || body[11] !== 0) return null;
      header = { width: fields.getUint32(0), height: fields.getUint32(4), depth, channels };
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'tRNS' || type === 'acTL') return null; // a transparent colour, or an animation
  }
  return header && data.length ? { ...header, data } : null;
}

/** Undoes the five PNG row filters in place: `rows` holds each row's filter byte and then its bytes. */
function unfilter(rows: Uint8Array, rowBytes: number, height: number, bpp: number): Uint8Array | null {
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const filter = rows[y * (rowBytes + 1)];
    const src = y * (rowBytes + 1) + 1;
    const at = y * rowBytes;
    const up = at - rowBytes; // the row above in `out` (none on the first row: read as zeros)
    switch (filter) {
      case 0:
        out.set(rows.subarray(src, src + rowBytes), at);
        break;
      case 1: // Sub: the byte one pixel to the left
        for (let i = 0; i < rowBytes; i++) out[at + i] = rows[src + i] + (i >= bpp ? out[at + i - bpp] : 0);
        break;
      case 2: // Up: the byte above
        if (y === 0) out.set(rows.subarray(src, src + rowBytes), at);
        else for (let i = 0; i < rowBytes; i++) out[at + i] = rows[src + i] + out[up + i];
        break;
      case 3: // Average of left and above, rounded down
        for (let i = 0; i < rowBytes; i++) {
          const left = i >= bpp ? out[at + i - bpp] : 0;
          const above = y > 0 ? out[up + i] : 0;
          out[at + i] = rows[src + i] + ((left + above) >> 1);
        }
        break;
      case 4: // Paeth: whichever of left, above and upper-left is nearest left + above − upper-left
        for (let i = 0; i < rowBytes; i++) {
          const a = i >= bpp ? out[at + i - bpp] : 0;
          const b = y > 0 ? out[up + i] : 0;
          const c = i >= bpp && y > 0 ? out[up + i - bpp] : 0;
          const da = Math.abs(b - c), db = Math.abs(a - c), dc = Math.abs(a + b - 2 * c);
          out[at + i] = rows[src + i] + (da <= db && da <= dc ? a : db <= dc ? b : c);
        }
        break;
      default:
        return null;
    }
  }
  return out;
}

/** The PNG's samples (16-bit ones in a Uint16Array), or null when fast-png should read this file. */
export function readCommonPng(bytes: Uint8Array): RawImage | null {
  const png = parse(bytes);
  if (!png) return null;
  const { width, height, depth, channels } = png;
  const bpp = (channels * depth) / 8;
  const rowBytes = width * bpp;
  const size = (rowBytes + 1) * height;
  if (!(width > 0 && height > 0) || !Number.isSafeInteger(size) || size > 2 ** 31) return null;
  let rows: Uint8Array;
  try {
    const joined = png.data.length === 1 ? png.data[0] : concatBytes(png.data);
    // Inflated straight into a buffer of the promised size: no growing, no copy at the end.
    rows = unzlibSync(joined, { out: new Uint8Array(size) });
  } catch {
    return null;
  }
  if (rows.length < size) return null; // truncated: fast-png says how
  const bytesOut = unfilter(rows, rowBytes, height, bpp);
  if (!bytesOut) return null;
  if (depth === 8) return { width, height, channels, depth, data: bytesOut };
  const data = new Uint16Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (bytesOut[2 * i] << 8) | bytesOut[2 * i + 1];
  return { width, height, channels, depth, data };
}
