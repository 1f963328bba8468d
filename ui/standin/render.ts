// The stand-in's rasteriser: what exportAsync returns for a node (fills, images, ellipses, text as
// glyph boxes (see text.ts), solid strokes, children, rotation, layer opacity and drop shadows), over
// the node's render bounds as Figma exports them. No anti-aliasing: a pixel is in a shape when its centre is.
// Straight-alpha source-over in floats; image fills sample at pixel centres, so an unrotated image
// layer exported at its own size comes back with exactly its own pixels (the golden tests depend on that).
import { decodePng } from '../engine/codec';
import { toRgba8 } from '../engine/image/raw';
import type { FigmaStandin, NodeState } from './figma';
import { apply, containerTransform, drawnStrokes, dropShadows, invert, multiply, relativeTransform, renderBounds, strokeExtent, type Affine } from './geometry';
import { glyphTest } from './text';

interface Canvas {
  width: number;
  height: number;
  rgba: Float32Array; // straight alpha, 0..1
}

/** A region children are clipped to (a frame's box): page → local map and the box size. */
interface Clip {
  inv: Affine;
  width: number;
  height: number;
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

const blank = (c: Canvas): Canvas => ({ width: c.width, height: c.height, rgba: new Float32Array(c.rgba.length) });

const inside = (inv: Affine, w: number, h: number, x: number, y: number) => {
  const [u, v] = apply(inv, x, y);
  return u >= 0 && v >= 0 && u <= w && v <= h;
};

/** The canvas pixels [px0, px1) × [py0, py1) that the node's rectangle grown by `grow` can touch. */
function pixelRange(c: Canvas, m: Affine, w: number, h: number, grow: number) {
  const corners = [apply(m, -grow, -grow), apply(m, w + grow, -grow), apply(m, -grow, h + grow), apply(m, w + grow, h + grow)];
  const px0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0])))), px1 = Math.min(c.width, Math.ceil(Math.max(...corners.map((p) => p[0]))));
  const py0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1])))), py1 = Math.min(c.height, Math.ceil(Math.max(...corners.map((p) => p[1]))));
  return { px0, px1, py0, py1 };
}

/** Whether a point (u, v) inside the node's box, in its units, is inside what its fills cover. */
function fillShape(s: NodeState): (u: number, v: number) => boolean {
  const w = s.width, h = s.height;
  if (s.type === 'ELLIPSE') {
    return (u, v) => {
      const ex = (u / w) * 2 - 1, ey = (v / h) * 2 - 1;
      return ex * ex + ey * ey <= 1;
    };
  }
  if (s.type === 'TEXT') return glyphTest(s.characters, s.fontSize);
  return () => true;
}

/** Paints one node's fills; `m` maps the node's local units to canvas pixels. */
function paintFills(fig: FigmaStandin, s: NodeState, c: Canvas, m: Affine, clips: Clip[]): void {
  const inv = invert(m);
  const w = s.width, h = s.height;
  const { px0, px1, py0, py1 } = pixelRange(c, m, w, h, 0);
  const covers = fillShape(s);
  for (const paint of s.fills) {
    if (paint.visible === false) continue;
    const opacity = paint.opacity ?? 1;
    const img = paint.type === 'IMAGE' && paint.imageHash ? imagePixels(fig, paint.imageHash) : null;
    // FILL: cover the box, centred (cover = local units per image pixel).
    const cover = img ? Math.max(w / img.width, h / img.height) : 1;
    for (let py = py0; py < py1; py++) {
      for (let px = px0; px < px1; px++) {
        const [u, v] = apply(inv, px + 0.5, py + 0.5); // pixel centre in the node's units
        if (u < 0 || v < 0 || u > w || v > h) continue;
        if (!covers(u, v)) continue;
        if (clips.some((k) => !inside(k.inv, k.width, k.height, px + 0.5, py + 0.5))) continue;
        const i = py * c.width + px;
        if (paint.type === 'SOLID') {
          blend(c, i, paint.color.r, paint.color.g, paint.color.b, opacity);
        } else if (img) {
          const sx = (u - (w - img.width * cover) / 2) / cover - 0.5;
          const sy = (v - (h - img.height * cover) / 2) / cover - 0.5;
          const val = bilinear(img, sx, sy);
          blend(c, i, val[0], val[1], val[2], val[3] * opacity);
        }
      }
    }
  }
}

/**
 * Whether a point (u, v) in the node's units is on its stroke: inside the outline grown by `outer` and
 * not inside the outline shrunk by `inner`. For an ellipse both are taken as ellipses with the
 * semi-axes grown or shrunk, which is exact for circles and close for others (a true offset curve of
 * an ellipse is not an ellipse).
 */
function strokeShape(s: NodeState, outer: number, inner: number): (u: number, v: number) => boolean {
  const w = s.width, h = s.height;
  if (s.type === 'ELLIPSE') {
    const cx = w / 2, cy = h / 2;
    const ox = cx + outer, oy = cy + outer, ix = cx - inner, iy = cy - inner;
    const inEllipse = (u: number, v: number, a: number, b: number) => ((u - cx) / a) ** 2 + ((v - cy) / b) ** 2;
    return (u, v) => inEllipse(u, v, ox, oy) <= 1 && !(ix > 0 && iy > 0 && inEllipse(u, v, ix, iy) < 1);
  }
  return (u, v) =>
    u >= -outer && v >= -outer && u <= w + outer && v <= h + outer &&
    !(u > inner && v > inner && u < w - inner && v < h - inner);
}

/** Paints one node's solid strokes (above its fills and children, as Figma draws them). */
function paintStrokes(s: NodeState, c: Canvas, m: Affine, clips: Clip[]): void {
  const paints = drawnStrokes(s);
  if (paints.length === 0) return;
  const { outer, inner } = strokeExtent(s);
  const inv = invert(m);
  const { px0, px1, py0, py1 } = pixelRange(c, m, s.width, s.height, outer);
  const onStroke = strokeShape(s, outer, inner);
  for (const paint of paints) {
    const opacity = paint.opacity ?? 1;
    for (let py = py0; py < py1; py++) {
      for (let px = px0; px < px1; px++) {
        const [u, v] = apply(inv, px + 0.5, py + 0.5);
        if (!onStroke(u, v)) continue;
        if (clips.some((k) => !inside(k.inv, k.width, k.height, px + 0.5, py + 0.5))) continue;
        blend(c, py * c.width + px, paint.color.r, paint.color.g, paint.color.b, opacity);
      }
    }
  }
}

/** Source-over of every pixel of `src` onto `dst`, its alpha times `k`. */
function composite(dst: Canvas, src: Canvas, k: number): void {
  for (let i = 0; i < dst.width * dst.height; i++) {
    const j = i * 4;
    if (src.rgba[j + 3] > 0) blend(dst, i, src.rgba[j], src.rgba[j + 1], src.rgba[j + 2], src.rgba[j + 3] * k);
  }
}

/** Separable box blur of one plane, `r` pixels each side (two passes approximate a Gaussian). */
function boxBlur(a: Float32Array, width: number, height: number, r: number): Float32Array {
  if (r < 1) return a;
  const tmp = new Float32Array(a.length), out = new Float32Array(a.length);
  const n = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) { const xx = x + k; if (xx >= 0 && xx < width) sum += a[y * width + xx]; }
      tmp[y * width + x] = sum / n;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) { const yy = y + k; if (yy >= 0 && yy < height) sum += tmp[yy * width + x]; }
      out[y * width + x] = sum / n;
    }
  }
  return out;
}

/** Max filter (spread grows the silhouette), `r` pixels each side. */
function dilate(a: Float32Array, width: number, height: number, r: number): Float32Array {
  if (r < 1) return a;
  const tmp = new Float32Array(a.length), out = new Float32Array(a.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    let m = 0;
    for (let k = -r; k <= r; k++) { const xx = x + k; if (xx >= 0 && xx < width) m = Math.max(m, a[y * width + xx]); }
    tmp[y * width + x] = m;
  }
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    let m = 0;
    for (let k = -r; k <= r; k++) { const yy = y + k; if (yy >= 0 && yy < height) m = Math.max(m, tmp[yy * width + x]); }
    out[y * width + x] = m;
  }
  return out;
}

/** A drop shadow of what `layer` holds: its alpha moved by the offset, grown by the spread, blurred by the radius. */
function paintShadow(layer: Canvas, c: Canvas, e: DropShadowEffect, scale: number): void {
  const { width, height } = layer;
  const dx = Math.round(e.offset.x * scale), dy = Math.round(e.offset.y * scale);
  let a: Float32Array = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = x - dx, sy = y - dy;
      if (sx >= 0 && sy >= 0 && sx < width && sy < height) a[y * width + x] = layer.rgba[(sy * width + sx) * 4 + 3];
    }
  }
  a = dilate(a, width, height, Math.round((e.spread ?? 0) * scale));
  const half = Math.round((e.radius * scale) / 2);
  a = boxBlur(boxBlur(a, width, height, half), width, height, half);
  for (let i = 0; i < a.length; i++) if (a[i] > 0) blend(c, i, e.color.r, e.color.g, e.color.b, a[i] * e.color.a);
}

/** Paints a node and its children; `container` maps the node's container space to canvas pixels. */
function paintNode(fig: FigmaStandin, s: NodeState, c: Canvas, container: Affine, scale: number, clips: Clip[]): void {
  if (!s.visible) return;
  if (s.opacity <= 0) return; // draws nothing (its render bounds still count, as in Figma)
  const m = multiply(container, relativeTransform(s));
  const shadows = dropShadows(s);
  // Shadows and layer opacity apply to what the node draws as a whole: paint it apart first.
  const target = shadows.length > 0 || s.opacity < 1 ? blank(c) : c;
  paintFills(fig, s, target, m, clips);
  // Group children are positioned in the group's container space; frame children in the frame's,
  // and a frame clips them to its box.
  const childContainer = s.type === 'GROUP' ? container : m;
  const childClips = s.type === 'FRAME' ? [...clips, { inv: invert(m), width: s.width, height: s.height }] : clips;
  for (const cid of s.children) {
    const child = fig.nodes.get(cid);
    if (child) paintNode(fig, child, target, childContainer, scale, childClips);
  }
  paintStrokes(s, target, m, clips);
  if (target === c) return;
  if (s.opacity >= 1) {
    // Opaque layers keep the exact order of operations they always had (the golden tests rely on it).
    for (const e of shadows) paintShadow(target, c, e, scale);
    composite(c, target, 1);
    return;
  }
  const layer = shadows.length > 0 ? blank(c) : target;
  if (layer !== target) {
    for (const e of shadows) paintShadow(target, layer, e, scale);
    composite(layer, target, 1);
  }
  composite(c, layer, s.opacity);
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

/** What exportAsync returns at `scale`: the node's render bounds (box, children, shadows), rounded to pixels. */
export function render(fig: FigmaStandin, id: string, scale: number): { width: number; height: number; rgba: Uint8Array } {
  const s = { ...fig.state(id), visible: true }; // export renders the node itself even when hidden, as Figma does
  const rb = renderBounds(fig, s)!;
  const width = Math.max(1, Math.round(rb.width * scale));
  const height = Math.max(1, Math.round(rb.height * scale));
  const c: Canvas = { width, height, rgba: new Float32Array(width * height * 4) };
  const toCanvas: Affine = [scale, 0, -rb.x * scale, 0, scale, -rb.y * scale];
  paintNode(fig, s, c, multiply(toCanvas, containerTransform(fig, s)), scale, []);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = Math.round(Math.min(1, Math.max(0, c.rgba[i])) * 255);
  return { width, height, rgba };
}
