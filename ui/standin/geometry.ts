// Geometry of the Figma stand-in: transforms (position and rotation), bounding boxes, and render
// bounds (the box plus what effects draw outside it), as Figma defines them for the plugin API.
import type { FigmaStandin, NodeState } from './figma';

/** An affine map [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f (Figma's [[a, b, c], [d, e, f]]). */
export type Affine = [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function multiply(m: Affine, n: Affine): Affine {
  return [
    m[0] * n[0] + m[1] * n[3], m[0] * n[1] + m[1] * n[4], m[0] * n[2] + m[1] * n[5] + m[2],
    m[3] * n[0] + m[4] * n[3], m[3] * n[1] + m[4] * n[4], m[3] * n[2] + m[4] * n[5] + m[5],
  ];
}

export function invert(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  const a = m[4] / det, b = -m[1] / det, d = -m[3] / det, e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

export function apply(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Exact cos/sin for multiples of 90° (so a 90° turn maps pixel centres to pixel centres). */
function cosSin(degrees: number): [number, number] {
  const q = ((degrees % 360) + 360) % 360;
  if (q === 0) return [1, 0];
  if (q === 90) return [0, 1];
  if (q === 180) return [-1, 0];
  if (q === 270) return [0, -1];
  const r = (degrees * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/** Figma's relativeTransform: the node's origin at (x, y), turned by `rotation` degrees (counter-clockwise on screen). */
export function relativeTransform(s: NodeState): Affine {
  const [cos, sin] = cosSin(s.rotation);
  return [cos, sin, s.x, -sin, cos, s.y];
}

/**
 * The node whose space x and y are in: the parent, except that a group's children are placed in the
 * group's own container's space (as in Figma). Null for nodes on the page.
 */
export function containerOf(fig: FigmaStandin, s: NodeState): NodeState | null {
  let p = s.parent ? fig.nodes.get(s.parent) ?? null : null;
  while (p && p.type === 'GROUP') p = p.parent ? fig.nodes.get(p.parent) ?? null : null;
  return p && p.type !== 'PAGE' ? p : null;
}

/** Page coordinates of the container's space (identity on the page). */
export function containerTransform(fig: FigmaStandin, s: NodeState): Affine {
  const c = containerOf(fig, s);
  return c ? absoluteTransform(fig, c) : IDENTITY;
}

export function absoluteTransform(fig: FigmaStandin, s: NodeState): Affine {
  return multiply(containerTransform(fig, s), relativeTransform(s));
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function boxOf(points: Array<[number, number]>): Box {
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x = Math.min(...xs), y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

export function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** absoluteBoundingBox: the page-space box around the node's (possibly rotated) rectangle, effects not included. */
export function boundingBox(fig: FigmaStandin, s: NodeState): Box {
  const m = absoluteTransform(fig, s);
  return boxOf([apply(m, 0, 0), apply(m, s.width, 0), apply(m, 0, s.height), apply(m, s.width, s.height)]);
}

/** The page-space box around the node's rectangle grown by `grow` on every side (in its own units, before rotation). */
function grownBox(fig: FigmaStandin, s: NodeState, grow: number): Box {
  const m = absoluteTransform(fig, s);
  const x0 = -grow, y0 = -grow, x1 = s.width + grow, y1 = s.height + grow;
  return boxOf([apply(m, x0, y0), apply(m, x1, y0), apply(m, x0, y1), apply(m, x1, y1)]);
}

/** Node types whose strokes the stand-in draws (text strokes are kept but not drawn). */
const STROKED = new Set<NodeState['type']>(['RECTANGLE', 'ELLIPSE', 'FRAME', 'COMPONENT', 'INSTANCE']);

/** The stroke paints that draw: visible SOLID strokes of a positive weight on a stroked type (other paints are kept, not drawn). */
export function drawnStrokes(s: NodeState): SolidPaint[] {
  if (!STROKED.has(s.type) || !(s.strokeWeight > 0)) return [];
  return s.strokes.filter((p): p is SolidPaint => p.type === 'SOLID' && p.visible !== false);
}

/**
 * How far the drawn strokes reach outside the node's outline, and how far inside: INSIDE puts the
 * whole weight inside, CENTER half each side, OUTSIDE the whole weight outside (as in Figma).
 */
export function strokeExtent(s: NodeState): { outer: number; inner: number } {
  if (drawnStrokes(s).length === 0) return { outer: 0, inner: 0 };
  const outer = s.strokeAlign === 'OUTSIDE' ? s.strokeWeight : s.strokeAlign === 'CENTER' ? s.strokeWeight / 2 : 0;
  return { outer, inner: s.strokeWeight - outer };
}

/** The drop shadows that draw (the only effect the stand-in renders). */
export function dropShadows(s: NodeState): DropShadowEffect[] {
  return s.effects.filter((e): e is DropShadowEffect => e.type === 'DROP_SHADOW' && e.visible !== false);
}

/** How far a drop shadow reaches outside a box, per side. */
function shadowBox(b: Box, e: DropShadowEffect): Box {
  const grow = e.radius + (e.spread ?? 0);
  return { x: b.x + e.offset.x - grow, y: b.y + e.offset.y - grow, width: b.width + 2 * grow, height: b.height + 2 * grow };
}

/**
 * absoluteRenderBounds: everything the node draws, in page space (what exportAsync renders): its box
 * and the strokes outside it, a group's children, and drop shadows around both. Frames clip their
 * children. Null when hidden.
 */
export function renderBounds(fig: FigmaStandin, s: NodeState): Box | null {
  if (!s.visible) return null;
  // CENTER and OUTSIDE strokes draw outside the box (rotated with it); text draws inside its box.
  const outer = strokeExtent(s).outer;
  let b = outer > 0 ? grownBox(fig, s, outer) : boundingBox(fig, s);
  if (s.type === 'GROUP') {
    const kids = s.children.map((id) => fig.nodes.get(id)).filter((c): c is NodeState => !!c).map((c) => renderBounds(fig, c)).filter((c): c is Box => !!c);
    if (kids.length > 0) b = kids.reduce(union);
  }
  const content = b;
  for (const e of dropShadows(s)) b = union(b, shadowBox(content, e));
  return b;
}
