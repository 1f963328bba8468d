// Inpaint's mask from shapes: the selection read on the main thread (src/inpaint-selection.ts), the
// shapes exported through the Figma stand-in, and their union in the engine (image/mask-layers.ts).
// Every case checks real pixel coverage, so a shape that is lost, misplaced or drawn as its box fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FigmaStandin } from '../../ui/standin/figma';
import { exportMaskLayers, inpaintThumbnail, readInpaintSelection } from '../../src/inpaint-selection';
import { exportPng, pngSize } from '../../src/export-image';
import { maskFromLayers } from '../../ui/engine/image/mask-layers';
import { components, maskShare, type Mask } from '../../ui/engine/image/mask';
import type { MaskLayer } from '../../src/protocol';
import { setup, solidPng } from '../helpers/standin';



const api = () => (globalThis as unknown as { figma: PluginAPI }).figma;
const RED: SolidPaint = { type: 'SOLID', color: { r: 1, g: 0, b: 0 } };
const covered = (m: Mask) => Math.round(maskShare(m) * m.width * m.height);
const at = (m: Mask, x: number, y: number) => m.data[y * m.width + x] > 0;

/** A 100 × 80 photo at the page origin (exported at 1×: the image is the layer's size). */
function photo(fig: FigmaStandin) {
  return fig.addImageLayer('Photo', solidPng(100, 80));
}

function rect(fig: FigmaStandin, name: string, x: number, y: number, width: number, height: number, extra = {}) {
  return fig.addLayer({ type: 'RECTANGLE', name, x, y, width, height, fills: [RED], ...extra });
}

/** The selection read, its shapes exported and unioned: what the engine would inpaint. */
async function maskOf(nodes: SceneNode[]) {
  const sel = await readInpaintSelection(nodes);
  assert.equal(sel.problem, null);
  assert.ok(sel.target && sel.item);
  const layers = await exportMaskLayers(sel.target);
  return { sel, layers, mask: maskFromLayers(sel.item.width, sel.item.height, layers) };
}

async function problemOf(nodes: SceneNode[]) {
  const sel = await readInpaintSelection(nodes);
  if (sel.problem) assert.equal(sel.target, null);
  return sel.problem;
}

// ---- the mask, shape by shape ----

test('mask: a filled rectangle covers exactly its pixels; the item is the image', async () => {
  const fig = setup();
  const img = photo(fig);
  const r = rect(fig, 'Blot', 10, 20, 30, 15);
  const { sel, layers, mask } = await maskOf([img, r]);
  assert.deepEqual(sel.item, { id: img.id, name: 'Photo', type: 'RECTANGLE', width: 100, height: 80, exportScale: 1 });
  assert.deepEqual(sel.target?.shapes.map((s) => s.id), [r.id]);
  assert.deepEqual(layers.map((l) => [l.x, l.y]), [[10, 20]]);
  assert.equal(covered(mask), 30 * 15);
  assert.deepEqual(components(mask), [{ x: 10, y: 20, w: 30, h: 15, pixels: 450 }]);
  assert.equal(maskShare(mask), 450 / 8000);
});

test('mask: an ellipse with only a stroke covers the ring, not the centre (CENTER stroke grows the bounds)', async () => {
  const fig = setup();
  const img = photo(fig);
  // A circle of radius 20 centred at (40, 40), stroke 4 centred on the outline: the ring 18 ≤ d ≤ 22.
  const ring = fig.addLayer({ type: 'ELLIPSE', name: 'Ring', x: 20, y: 20, width: 40, height: 40, fills: [], strokes: [RED], strokeWeight: 4, strokeAlign: 'CENTER' });
  assert.deepEqual(fig.renderBounds(ring.id), { x: 18, y: 18, width: 44, height: 44 });
  const { layers, mask } = await maskOf([img, ring]);
  assert.deepEqual(layers.map((l) => [l.x, l.y, pngSize(l.png)?.width]), [[18, 18, 44]]);
  let expected = 0;
  for (let y = 0; y < 80; y++) {
    for (let x = 0; x < 100; x++) {
      const d2 = (x + 0.5 - 40) ** 2 + (y + 0.5 - 40) ** 2; // never exactly 18² or 22² at pixel centres
      const inRing = d2 >= 18 * 18 && d2 <= 22 * 22;
      if (inRing) expected++;
      assert.equal(at(mask, x, y), inRing, `pixel ${x},${y}`);
    }
  }
  assert.equal(covered(mask), expected);
  assert.ok(Math.abs(expected - Math.PI * (22 * 22 - 18 * 18)) < 20, `about the ring's area: ${expected}`);
  assert.equal(at(mask, 40, 40), false, 'the centre is not covered');
});

test('mask: a shape at 30 % opacity still covers all of its pixels', async () => {
  const fig = setup();
  const img = photo(fig);
  const faint = rect(fig, 'Faint', 50, 10, 20, 10, { opacity: 0.3 });
  const { layers, mask } = await maskOf([img, faint]);
  const rgba = fig.renderNode(faint.id).rgba;
  assert.equal(rgba[3], Math.round(0.3 * 255), 'the export carries the layer opacity');
  assert.equal(layers.length, 1);
  assert.equal(covered(mask), 200);
  assert.deepEqual(components(mask), [{ x: 50, y: 10, w: 20, h: 10, pixels: 200 }]);
});

test('mask: a rotated rectangle covers its rotated footprint, not its bounding box', async () => {
  const fig = setup();
  const img = photo(fig);
  // 40 × 20 turned 30° about (50, 30): its render bounds start at (50, 10) exactly, so the mask's
  // pixels line up with page pixels and can be compared with the analytic footprint.
  const tilted = rect(fig, 'Tilted', 50, 30, 40, 20, { rotation: 30 });
  const box = fig.renderBounds(tilted.id)!;
  const { mask } = await maskOf([img, tilted]);
  const [cos, sin] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  let inside = 0, mismatched = 0;
  for (let y = 0; y < 80; y++) {
    for (let x = 0; x < 100; x++) {
      const dx = x + 0.5 - 50, dy = y + 0.5 - 30;
      const u = cos * dx - sin * dy, v = sin * dx + cos * dy; // page → the rectangle's own units
      const want = u >= 0 && u <= 40 && v >= 0 && v <= 20;
      if (want) inside++;
      if (want !== at(mask, x, y)) mismatched++;
    }
  }
  assert.ok(Math.abs(inside - 800) < 20, `the footprint is about 40 × 20: ${inside}`);
  assert.ok(mismatched <= 2, `${mismatched} pixels differ from the rotated footprint`);
  assert.ok(covered(mask) < 0.6 * box.width * box.height, 'far less than the bounding box');
  const [c] = components(mask);
  assert.deepEqual([c.x, c.y], [50, 10]);
});

test('mask: text covers its glyphs (the stand-in draws each glyph as a box), not the spaces', async () => {
  const fig = setup();
  const img = photo(fig);
  await api().loadFontAsync({ family: 'Inter', style: 'Regular' });
  const text = api().createText();
  text.characters = 'Hi a';
  text.fontSize = 20;
  text.x = 10;
  text.y = 30;
  assert.deepEqual([text.width, text.height], [48, 24]);
  const { mask } = await maskOf([img, text]);
  // Each glyph's ink is 0.5 × 0.75 font sizes (10 × 15 px); the space draws nothing.
  const parts = components(mask);
  assert.deepEqual(parts.map((p) => [p.x, p.y, p.w, p.h, p.pixels]), [
    [11, 35, 10, 15, 150],
    [23, 35, 10, 15, 150],
    [47, 35, 10, 15, 150],
  ]);
  assert.equal(covered(mask), 450);
});

test('mask: two separate shapes make two holes; a shape half outside the image is clipped to it', async () => {
  const fig = setup();
  const img = photo(fig);
  const a = rect(fig, 'A', 5, 5, 10, 10);
  const b = fig.addLayer({ type: 'ELLIPSE', name: 'B', x: 60, y: 40, width: 20, height: 20, fills: [RED] });
  const edge = rect(fig, 'Edge', 90, 70, 20, 30); // 10 × 10 of it over the image's bottom-right corner
  const { layers, mask } = await maskOf([a, img, b, edge]);
  assert.equal(layers.length, 3);
  const parts = components(mask);
  assert.equal(parts.length, 3);
  assert.deepEqual(parts[0], { x: 5, y: 5, w: 10, h: 10, pixels: 100 });
  assert.deepEqual([parts[1].x, parts[1].y, parts[1].w, parts[1].h], [60, 40, 20, 20]);
  const disc = parts[1].pixels;
  assert.ok(Math.abs(disc - Math.PI * 100) < 12, `disc of radius 10: ${disc}`);
  assert.deepEqual(parts[2], { x: 90, y: 70, w: 10, h: 10, pixels: 100 });
  assert.equal(covered(mask), 200 + disc);
});

test('mask: a shape over the left and top edges is clipped (negative offsets)', async () => {
  const fig = setup();
  const img = fig.addImageLayer('Photo', solidPng(100, 80), 200, 100);
  const r = rect(fig, 'Over', 190, 95, 30, 15);
  const { layers, mask } = await maskOf([img, r]);
  assert.deepEqual(layers.map((l) => [l.x, l.y]), [[-10, -5]]);
  assert.deepEqual(components(mask), [{ x: 0, y: 0, w: 20, h: 10, pixels: 200 }]);
});

test('mask: a rotated image is no error; the mask lies in its render bounds pixels, as it is exported', async () => {
  const fig = setup();
  const img = fig.addImageLayer('Tilted photo', solidPng(60, 40), 20, 40);
  fig.state(img.id).rotation = 30;
  const rb = fig.renderBounds(img.id)!;
  const r = rect(fig, 'Blot', 40, 30, 10, 10);
  const { sel, mask } = await maskOf([img, r]);
  assert.deepEqual([sel.item!.width, sel.item!.height], [Math.round(rb.width), Math.round(rb.height)]);
  assert.deepEqual([sel.item!.width, sel.item!.height], [72, 65]);
  assert.deepEqual(pngSize(await exportPng(img as SceneNode & ExportMixin, 1)), { width: 72, height: 65 });
  assert.deepEqual(components(mask), [{ x: Math.round(40 - rb.x), y: Math.round(30 - rb.y), w: 10, h: 10, pixels: 100 }]);
});

test('mask: a frame selected alone: the bottom-most image child is the image, visible children above it the shapes', async () => {
  const fig = setup();
  const frame = fig.addLayer({ type: 'FRAME', name: 'Edit', x: 100, y: 100, width: 100, height: 80 });
  const bg = rect(fig, 'Background', 0, 0, 100, 80);
  fig.asHost(() => (frame as FrameNode).appendChild(bg));
  const img = fig.addImageLayer('Photo', solidPng(100, 80), 0, 0, frame.id);
  const shown = rect(fig, 'Shown', 10, 10, 10, 20);
  const hidden = rect(fig, 'Hidden', 50, 50, 10, 10, { visible: false });
  fig.asHost(() => { (frame as FrameNode).appendChild(shown); (frame as FrameNode).appendChild(hidden); });
  const { sel, mask } = await maskOf([frame]);
  assert.equal(sel.item?.id, img.id);
  assert.deepEqual(sel.target?.shapes.map((s) => s.name), ['Shown']);
  assert.deepEqual(components(mask), [{ x: 10, y: 10, w: 10, h: 20, pixels: 200 }]);
});

test('mask: a frame holding one image (a cropped photo) is the image when selected with shapes', async () => {
  const fig = setup();
  const crop = fig.addLayer({ type: 'FRAME', name: 'Crop', x: 0, y: 0, width: 50, height: 40 });
  fig.addImageLayer('Photo', solidPng(100, 80), -20, -10, crop.id);
  const r = rect(fig, 'Blot', 45, 35, 10, 10);
  const { sel, mask } = await maskOf([crop, r]);
  assert.deepEqual([sel.item?.id, sel.item?.width, sel.item?.height], [crop.id, 50, 40]);
  assert.deepEqual(components(mask), [{ x: 45, y: 35, w: 5, h: 5, pixels: 25 }]);
});

test('mask layers: hidden shapes are skipped at export; a shape whose export fails throws with its name', async () => {
  const fig = setup();
  const img = photo(fig);
  const a = rect(fig, 'A', 0, 0, 10, 10);
  const b = rect(fig, 'B', 20, 0, 10, 10);
  const group = fig.addLayer({ type: 'FRAME', name: 'Folder', x: 40, y: 0, width: 20, height: 20 });
  const c = fig.addLayer({ type: 'RECTANGLE', name: 'C', width: 10, height: 10, fills: [RED] }, group.id);
  const sel = await readInpaintSelection([img, a, b, c]);
  assert.equal(sel.target?.shapes.length, 3);
  fig.state(b.id).visible = false;
  fig.state(group.id).visible = false; // hides C through its frame
  const layers = await exportMaskLayers(sel.target!);
  assert.equal(covered(maskFromLayers(100, 80, layers)), 100);
  (a as unknown as { exportAsync: () => Promise<Uint8Array> }).exportAsync = async () => {
    throw new Error('render failed');
  };
  await assert.rejects(exportMaskLayers(sel.target!), /"A".*render failed/);
});

test('thumbnail: the image at most maxSide on its longer side, with its mask layers at the same scale', async () => {
  const fig = setup();
  const img = fig.addImageLayer('Wide', solidPng(200, 100));
  const r = rect(fig, 'Blot', 40, 20, 40, 40);
  const sel = await readInpaintSelection([img, r]);
  const thumb = await inpaintThumbnail(sel.target!, 50);
  assert.deepEqual([thumb.width, thumb.height], [50, 25]);
  assert.deepEqual(pngSize(thumb.png), { width: 50, height: 25 });
  assert.deepEqual(thumb.mask.map((l) => [l.x, l.y]), [[10, 5]]);
  assert.deepEqual(components(maskFromLayers(thumb.width, thumb.height, thumb.mask)), [{ x: 10, y: 5, w: 10, h: 10, pixels: 100 }]);
  // A small image is not blown up: its own export scale is the ceiling.
  const small = await inpaintThumbnail(sel.target!, 1000);
  assert.deepEqual([small.width, small.height], [200, 100]);
});

test('maskFromLayers: alpha > 0 covers, alpha 0 does not, no alpha covers the whole layer, all clipped', () => {
  const raw = new Map<number, { width: number; height: number; channels: 3 | 4; depth: 8; data: Uint8Array }>([
    // 2 × 1 RGBA: left transparent, right barely visible
    [1, { width: 2, height: 1, channels: 4, depth: 8, data: new Uint8Array([9, 9, 9, 0, 9, 9, 9, 1]) }],
    // 3 × 2 RGB: opaque everywhere
    [2, { width: 3, height: 2, channels: 3, depth: 8, data: new Uint8Array(18) }],
  ]);
  const layers: MaskLayer[] = [
    { x: 1, y: 1, png: new Uint8Array([1]) },
    { x: 3, y: -1, png: new Uint8Array([2]) }, // one row above the image, one column past its right edge
    { x: 9, y: 0, png: new Uint8Array([2]) }, // entirely outside
  ];
  const mask = maskFromLayers(4, 3, layers, (png) => raw.get(png[0])!);
  assert.deepEqual(Array.from(mask.data), [
    0, 0, 0, 1,
    0, 0, 1, 0,
    0, 0, 0, 0,
  ]);
});

// ---- problems ----

test('problems: empty, no image, two images, only an image, shapes outside', async () => {
  const fig = setup();
  const img = photo(fig);
  const other = fig.addImageLayer('Other', solidPng(10, 10), 200, 0);
  const r = rect(fig, 'Blot', 10, 10, 10, 10);
  const far = rect(fig, 'Far', 300, 300, 10, 10);
  const touching = rect(fig, 'Touching', 100, 0, 10, 10); // shares only an edge with the image
  assert.deepEqual(await problemOf([]), { code: 'empty-selection' });
  assert.equal((await problemOf([r, far]))?.code, 'mask-no-image');
  assert.equal((await problemOf([r]))?.code, 'mask-no-image');
  assert.equal((await problemOf([img, other, r]))?.code, 'mask-no-image');
  assert.deepEqual(await problemOf([img]), { code: 'mask-no-shapes', nodeName: 'Photo' });
  assert.deepEqual(await problemOf([img, far, touching]), { code: 'mask-outside', nodeName: 'Photo' });
  const hiddenShape = rect(fig, 'Hidden', 10, 10, 10, 10, { visible: false });
  assert.equal((await problemOf([img, hiddenShape]))?.code, 'mask-no-shapes');
  assert.equal(await problemOf([img, far, r]), null, 'one shape over the image is enough');
});

test('problems: a frame alone with only an image, or with no image at all', async () => {
  const fig = setup();
  const frame = fig.addLayer({ type: 'FRAME', name: 'Only photo', width: 100, height: 80 });
  fig.addImageLayer('Photo', solidPng(100, 80), 0, 0, frame.id);
  assert.deepEqual(await problemOf([frame]), { code: 'mask-no-shapes', nodeName: 'Photo' });
  const shapesOnly = fig.addLayer({ type: 'FRAME', name: 'Shapes', width: 100, height: 80 });
  fig.addLayer({ type: 'RECTANGLE', name: 'R', width: 10, height: 10, fills: [RED] }, shapesOnly.id);
  assert.equal((await problemOf([shapesOnly]))?.code, 'mask-no-image');
});

test('problems: hidden, locked (itself or through its frame) and too-large images', async () => {
  const fig = setup();
  const img = photo(fig);
  const r = rect(fig, 'Blot', 10, 10, 10, 10);
  fig.state(img.id).visible = false;
  assert.deepEqual(await problemOf([img, r]), { code: 'image-hidden', nodeName: 'Photo' });
  fig.state(img.id).visible = true;
  (img as RectangleNode).locked = true;
  assert.deepEqual(await problemOf([img, r]), { code: 'image-locked', nodeName: 'Photo' });
  (img as RectangleNode).locked = false;
  assert.equal(await problemOf([img, r]), null);

  const frame = fig.addLayer({ type: 'FRAME', name: 'Locked frame', width: 100, height: 80, locked: true });
  const inner = fig.addImageLayer('Inner', solidPng(100, 80), 0, 0, frame.id);
  assert.equal((await problemOf([inner, r]))?.code, 'image-locked');

  const huge = fig.addImageLayer('Huge', solidPng(90, 20));
  fig.state(huge.id).width = 9000; // the image stretched: exported at 1×, 9000 px wide
  fig.state(huge.id).height = 2000;
  assert.deepEqual(await problemOf([huge, r]), { code: 'too-large', nodeName: 'Huge' });
});

test('problems: an image or a shape inside a component instance', async () => {
  const fig = setup();
  const component = api().createComponent();
  fig.asHost(() => component.appendChild(fig.addImageLayer('Photo', solidPng(100, 80)) as RectangleNode));
  const instance = component.createInstance();
  assert.equal(instance.type, 'INSTANCE');
  const copy = instance.children[0] as SceneNode;
  assert.notEqual(copy.id, component.children[0].id);
  const r = rect(fig, 'Blot', 10, 10, 10, 10);
  assert.deepEqual(await problemOf([copy, r]), { code: 'image-in-instance', nodeName: 'Photo' });
  assert.equal((await problemOf([instance]))?.code, 'mask-no-shapes', 'an instance alone is a frame with only an image');
  assert.equal(await problemOf([component.children[0] as SceneNode, r]), null, 'the main component itself is editable');

  const img = fig.addImageLayer('Free photo', solidPng(100, 80), 0, 200);
  const stamp = api().createComponent();
  fig.asHost(() => stamp.appendChild(rect(fig, 'Dot', 0, 0, 10, 10) as RectangleNode));
  const placed = stamp.createInstance();
  placed.x = 10;
  placed.y = 210;
  assert.deepEqual(await problemOf([img, placed.children[0] as SceneNode]), { code: 'image-in-instance', nodeName: 'Dot' });
  assert.equal(await problemOf([img, placed]), null, 'a whole instance is a fine shape');
});

// ---- the stand-in draws what these need ----

test('stand-in: strokes by alignment (render bounds and pixels), opacity, locked, text needs its font', async () => {
  const fig = setup();
  const inside = rect(fig, 'Inside', 0, 0, 10, 10, { fills: [], strokes: [RED], strokeWeight: 2 });
  const outside = rect(fig, 'Outside', 0, 0, 10, 10, { fills: [], strokes: [RED], strokeWeight: 3, strokeAlign: 'OUTSIDE' });
  assert.deepEqual(fig.renderBounds(inside.id), { x: 0, y: 0, width: 10, height: 10 });
  assert.deepEqual(fig.renderBounds(outside.id), { x: -3, y: -3, width: 16, height: 16 });
  const alphaCount = (id: string) => fig.renderNode(id).rgba.filter((_, i) => i % 4 === 3 && _ > 0).length;
  assert.equal(alphaCount(inside.id), 100 - 36, 'a 2 px band inside the box');
  assert.equal(alphaCount(outside.id), 256 - 100, 'a 3 px band outside the box');
  const hiddenPaint = rect(fig, 'No stroke', 0, 0, 10, 10, { fills: [], strokes: [{ ...RED, visible: false }], strokeAlign: 'OUTSIDE', strokeWeight: 5 });
  assert.deepEqual(fig.renderBounds(hiddenPaint.id), { x: 0, y: 0, width: 10, height: 10 }, 'an invisible stroke draws nothing');

  const r = rect(fig, 'R', 0, 0, 4, 4) as RectangleNode;
  r.opacity = 0.5;
  assert.equal(fig.renderNode(r.id).rgba[3], 128);
  assert.throws(() => { r.opacity = 2; }, /opacity/);
  r.locked = true;
  assert.equal(fig.state(r.id).locked, true);

  const t = api().createText();
  assert.throws(() => { t.characters = 'x'; }, /unloaded font/);
  await api().loadFontAsync({ family: 'Inter', style: 'Regular' });
  t.characters = 'ab\nc';
  assert.deepEqual([t.width, t.height], [2 * 0.6 * 12, 2 * 1.2 * 12], 'sized to its text');
  assert.throws(() => (r as unknown as TextNode).characters, /no text/);
});
