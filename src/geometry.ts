// Where layers are on the canvas, as the plugin needs it: what a layer draws (its render bounds, which
// is what exportAsync renders: shadows, outside strokes, rotation included) and the coordinate space a
// new layer is placed in.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Everything the node draws, in page coordinates: absoluteRenderBounds when Figma has it (null means it
 * draws nothing), else its bounding box.
 */
export function renderBox(node: BaseNode): Box | null {
  if ('absoluteRenderBounds' in node) return (node as SceneNode & { absoluteRenderBounds: Rect | null }).absoluteRenderBounds;
  if ('absoluteBoundingBox' in node) return (node as SceneNode & { absoluteBoundingBox: Rect | null }).absoluteBoundingBox;
  return null;
}

/**
 * The node that a child of `parent` is positioned in: x and y of a group's children are in the space of
 * the group's own container (the nearest frame, section or the page), as Figma defines relativeTransform.
 */
export function containerOf(parent: BaseNode | null): BaseNode | null {
  let p = parent;
  while (p && (p.type === 'GROUP' || p.type === 'BOOLEAN_OPERATION')) p = p.parent;
  return p;
}

/** Maps page coordinates into the space of children of `parent` (x and y as a child of it would have them). */
export function pageToChildSpace(parent: BaseNode | null): (x: number, y: number) => { x: number; y: number } {
  const c = containerOf(parent);
  if (!c || c.type === 'PAGE' || c.type === 'DOCUMENT' || !('absoluteTransform' in c)) return (x, y) => ({ x, y });
  const [[a, b, tx], [d, e, ty]] = (c as SceneNode & LayoutMixin).absoluteTransform;
  const det = a * e - b * d;
  return (x, y) => {
    const dx = x - tx, dy = y - ty;
    return { x: (e * dx - b * dy) / det, y: (-d * dx + a * dy) / det };
  };
}

export function overlaps(a: Box, b: Box, margin = 0): boolean {
  return a.x < b.x + b.width + margin && b.x < a.x + a.width + margin && a.y < b.y + b.height + margin && b.y < a.y + a.height + margin;
}

/**
 * What occupies the canvas around a new child of `parent`: the drawn area of every layer in the same
 * coordinate space (the container's children, looking inside groups, which are only folders), except
 * `skip` and anything inside it.
 */
export function occupied(parent: BaseNode | null, skip: BaseNode): Box[] {
  const container = containerOf(parent);
  const out: Box[] = [];
  const walk = (node: BaseNode) => {
    if (node === skip || !('children' in node)) return;
    for (const child of (node as BaseNode & ChildrenMixin).children) {
      if (child === skip || !child.visible) continue;
      if (child.type === 'GROUP') walk(child);
      else {
        const box = renderBox(child);
        if (box) out.push(box);
      }
    }
  };
  if (container) walk(container);
  return out;
}

/**
 * Where a `width` × `height` box goes beside `source` (page coordinates): at the source's top, `gap`
 * to the right of what it draws, moved further right past every layer it would cover or touch
 * (within `gap`), as Figma places duplicates. Never over another layer.
 */
export function freeSpotRight(source: Box, width: number, height: number, taken: Box[], gap: number): { x: number; y: number } {
  let x = source.x + source.width + gap;
  const y = source.y;
  // Each step moves past at least one layer, so this ends after at most taken.length steps.
  for (let i = 0; i <= taken.length; i++) {
    const box = { x, y, width, height };
    const hits = taken.filter((t) => overlaps(box, t, gap));
    if (hits.length === 0) break;
    x = Math.max(...hits.map((t) => t.x + t.width)) + gap;
  }
  return { x, y };
}
