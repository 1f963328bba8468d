// Cuts a result into pieces no larger than Figma's createImage limit (a grid of equal-ish parts).
import type { RawImage } from './raw';

export interface RawPiece {
  x: number;
  y: number;
  image: RawImage;
}

export function splitImage(img: RawImage, max: number): RawPiece[] {
  const nx = Math.ceil(img.width / max);
  const ny = Math.ceil(img.height / max);
  if (nx === 1 && ny === 1) return [{ x: 0, y: 0, image: img }];
  const pieces: RawPiece[] = [];
  const ch = img.channels;
  for (let j = 0; j < ny; j++) {
    const y0 = Math.floor((j * img.height) / ny);
    const y1 = Math.floor(((j + 1) * img.height) / ny);
    for (let i = 0; i < nx; i++) {
      const x0 = Math.floor((i * img.width) / nx);
      const x1 = Math.floor(((i + 1) * img.width) / nx);
      const w = x1 - x0;
      const h = y1 - y0;
      const data = new (img.data.constructor as Uint8ArrayConstructor)(w * h * ch);
      for (let y = 0; y < h; y++) {
        const s = ((y0 + y) * img.width + x0) * ch;
        data.set(img.data.subarray(s, s + w * ch), y * w * ch);
      }
      pieces.push({ x: x0, y: y0, image: { ...img, width: w, height: h, data } });
    }
  }
  return pieces;
}

/** A piece as it goes back to the main thread: its place in the result and its own PNG. */
export interface EncodedPiece {
  x: number;
  y: number;
  width: number;
  height: number;
  png: Uint8Array;
}

/** Splits a result at `max` px and encodes each piece, and only the pieces: the whole image is never
 * encoded (for a 4400 px result that would be a second, thrown-away PNG of every pixel). */
export function encodePieces(img: RawImage, max: number, encode: (img: RawImage) => Uint8Array): EncodedPiece[] {
  return splitImage(img, max).map((p) => ({ x: p.x, y: p.y, width: p.image.width, height: p.image.height, png: encode(p.image) }));
}
