// The stand-in's rasteriser: what exportAsync returns for a node (fills, images, ellipses, children).
// Straight-alpha source-over in floats; image fills sample at pixel centres, so an image layer exported
// at its own size comes back with exactly its own pixels (the golden tests depend on that).
import { decodePng } from '../engine/codec';
import { toRgba8 } from '../engine/image/raw';
import type { FigmaStandin, NodeState } from './figma';

interface Canvas {
  width: number;
  height: number;
  rgba: Float32Array; // straight alpha, 0..1
}

const decoded = new Map<string, { width: number; height: number; rgba: Uint8Array }>();

function imagePixels(fig: FigmaStandin, hash: string) {
  let img = decoded.get(hash);
  if (!img) {
    const raw = decodePng(fig.images.get(hash)!);
    img = { width: raw.width, height: raw.height, rgba: toRgba8(raw) };
    decoded.set(hash, img);
  }
  return img;
}

function blend(c: Canvas, i: number, r: number, g: number, b: number, a: number): void {
  const k = i * 4;
  const da = c.rgba[k + 3];
  const oa = a + da * (1 - a);
  if (oa <= 0) return;
  c.rgba[k] = (r * a + c.rgba[k] * da * (1 - a)) / oa;
  c.rgba[k + 1] = (g * a + c.rgba[k + 1] * da * (1 - a)) / oa;
  c.rgba[k + 2] = (b * a + c.rgba[k + 2] * da * (1 - a)) / oa;
  c.rgba[k + 3] = oa;
}

/** Paints one node's fills over the box (x, y, w, h) in canvas pixels, then its children. */
function paintNode(fig: FigmaStandin, s: NodeState, c: Canvas, ox: number, oy: number, scale: number): void {
  if (!s.visible) return;
  const x0 = ox, y0 = oy, w = s.width * scale, h = s.height * scale;
  const ellipse = s.type === 'ELLIPSE';
  for (const paint of s.fills) {
    if (paint.visible === false) continue;
    const opacity = paint.opacity ?? 1;
    const img = paint.type === 'IMAGE' && paint.imageHash ? imagePixels(fig, paint.imageHash) : null;
    // FILL: cover the box, centred.
    const cover = img ? Math.max(w / img.width, h / img.height) : 1;
    const px0 = Math.max(0, Math.floor(x0)), px1 = Math.min(c.width, Math.ceil(x0 + w));
    const py0 = Math.max(0, Math.floor(y0)), py1 = Math.min(c.height, Math.ceil(y0 + h));
    for (let py = py0; py < py1; py++) {
      for (let px = px0; px < px1; px++) {
        const cx = px + 0.5 - x0, cy = py + 0.5 - y0; // pixel centre in box space
        if (cx < 0 || cy < 0 || cx > w || cy > h) continue;
        if (ellipse) {
          const ex = (cx / w) * 2 - 1, ey = (cy / h) * 2 - 1;
          if (ex * ex + ey * ey > 1) continue;
        }
        const i = py * c.width + px;
        if (paint.type === 'SOLID') {
          blend(c, i, paint.color.r, paint.color.g, paint.color.b, opacity);
        } else if (img) {
          const sx = (cx - (w - img.width * cover) / 2) / cover - 0.5;
          const sy = (cy - (h - img.height * cover) / 2) / cover - 0.5;
          const v = bilinear(img, sx, sy);
          blend(c, i, v[0], v[1], v[2], v[3] * opacity);
        }
      }
    }
  }
  for (const cid of s.children) {
    const child = fig.nodes.get(cid);
    if (!child) continue;
    // Group children are positioned in the group's parent space; frame children in the frame's.
    const bx = s.type === 'GROUP' ? ox - s.x * scale : ox;
    const by = s.type === 'GROUP' ? oy - s.y * scale : oy;
    paintNode(fig, child, c, bx + child.x * scale, by + child.y * scale, scale);
  }
}

function bilinear(img: { width: number; height: number; rgba: Uint8Array }, x: number, y: number): number[] {
  const cx = Math.min(img.width - 1, Math.max(0, x));
  const cy = Math.min(img.height - 1, Math.max(0, y));
  const x0 = Math.floor(cx), y0 = Math.floor(cy);
  const x1 = Math.min(img.width - 1, x0 + 1), y1 = Math.min(img.height - 1, y0 + 1);
  const fx = cx - x0, fy = cy - y0;
  const out = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    const p = (xx: number, yy: number) => img.rgba[(yy * img.width + xx) * 4 + k] / 255;
    out[k] = (p(x0, y0) * (1 - fx) + p(x1, y0) * fx) * (1 - fy) + (p(x0, y1) * (1 - fx) + p(x1, y1) * fx) * fy;
  }
  return out;
}

export function render(fig: FigmaStandin, id: string, scale: number): { width: number; height: number; rgba: Uint8Array } {
  const s = fig.state(id);
  const width = Math.max(1, Math.round(s.width * scale));
  const height = Math.max(1, Math.round(s.height * scale));
  const c: Canvas = { width, height, rgba: new Float32Array(width * height * 4) };
  // Export renders the node itself even when hidden, as Figma does.
  paintNode(fig, { ...s, visible: true }, c, 0, 0, scale);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = Math.round(Math.min(1, Math.max(0, c.rgba[i])) * 255);
  return { width, height, rgba };
}
