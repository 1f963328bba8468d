// A rectangle of an interleaved image, cut out and put back, and the crop plan moved with it: how the
// inpaint tool works on the part of a large photo its holes need (tools/inpaint.ts inpaintRaw).
import type { Crop } from './crop-plan';
import type { Box } from './mask';
import type { RawImage } from './raw';

/** The smallest box holding every crop's window. */
export function unionBox(crops: readonly Crop[]): Box {
  if (!crops.length) throw new Error('unionBox: no crops');
  const x0 = Math.min(...crops.map((c) => c.x)), y0 = Math.min(...crops.map((c) => c.y));
  const x1 = Math.max(...crops.map((c) => c.x + c.w)), y1 = Math.max(...crops.map((c) => c.y + c.h));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** The crop with its window and boxes moved by (dx, dy). */
export function moveCrop<C extends Crop>(c: C, dx: number, dy: number): C {
  const move = (b: Box): Box => ({ x: b.x + dx, y: b.y + dy, w: b.w, h: b.h });
  return { ...c, x: c.x + dx, y: c.y + dy, hole: move(c.hole), context: move(c.context), writes: move(c.writes) };
}

/** The pixels of `box` as an image of their own (a copy). */
export function cropRaw(img: RawImage, box: Box): RawImage {
  const { channels } = img;
  const data = new (img.data.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(box.w * box.h * channels);
  for (let y = 0; y < box.h; y++) {
    const from = ((box.y + y) * img.width + box.x) * channels;
    data.set(img.data.subarray(from, from + box.w * channels), y * box.w * channels);
  }
  return { width: box.w, height: box.h, channels, depth: img.depth, data };
}

/**
 * Writes `part` (box-sized, 8-bit RGB or RGBA) over `box` of `img` (8-bit RGB or RGBA). Colour always;
 * alpha where both have it (an RGB part over RGBA keeps the image's alpha: the part came from opaque pixels).
 */
export function pasteRaw(img: RawImage, part: RawImage, box: Box): void {
  if (img.depth !== 8 || part.depth !== 8 || img.channels < 3 || part.channels < 3) throw new Error('pasteRaw: 8-bit RGB or RGBA only');
  if (part.width !== box.w || part.height !== box.h) throw new Error(`pasteRaw: a ${part.width}×${part.height} part for a ${box.w}×${box.h} box`);
  const ci = img.channels, cp = part.channels;
  const copied = Math.min(ci, cp);
  const dst = img.data, src = part.data;
  if (ci === cp) {
    for (let y = 0; y < box.h; y++) dst.set(src.subarray(y * box.w * cp, (y + 1) * box.w * cp), ((box.y + y) * img.width + box.x) * ci);
    return;
  }
  for (let y = 0; y < box.h; y++) {
    for (let x = 0; x < box.w; x++) {
      const d = ((box.y + y) * img.width + box.x + x) * ci, s = (y * box.w + x) * cp;
      for (let c = 0; c < copied; c++) dst[d + c] = src[s + c];
    }
  }
}
