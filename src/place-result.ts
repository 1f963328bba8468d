// Writes one result into the document: a new image layer in free space right of the source (or over
// it, the source kept hidden beneath), named after source and tool, selected, with "Run again" relaunch data.
// Either the whole result is written or nothing is: images are created before any node.
import { freeSpotRight, occupied, pageToChildSpace, renderBox } from './geometry';
import { FIGMA_IMAGE_MAX, normaliseRunOptions, type Piece, type Placement, type RunOptions } from './protocol';

/** Space between the source and a result placed beside it, in canvas units. */
export const GAP = 24;
export const PLUGIN_DATA_KEY = 'onestep';

export interface PlaceRequest {
  source: SceneNode & LayoutMixin;
  pieces: Piece[];
  /** Full result size in pixels. */
  width: number;
  height: number;
  /** Pixels per canvas unit of the export (the result layer keeps the same density). */
  exportScale: number;
  placement: Placement;
  toolTitle: string;
  options: RunOptions;
  /** Sketch: the model-size sketch (PNG, base64) the result came from, kept for Edit. */
  sketch?: string;
  /** Replace: more layers hidden with the source (inpaint's shapes). */
  alsoHide?: SceneNode[];
  /** Beside: where to start looking for free space (variations go right of the previous one). */
  after?: SceneNode;
  /**
   * Sketch and Edit: the result (the model's square, upscaled) is shown as large as the layer it came
   * from (its longer side), not at the export's pixel density, which has nothing to do with its size.
   */
  fitToSource?: boolean;
}

export interface Relaunch {
  options: RunOptions;
  sourceId: string;
  sketch?: string;
}

function imageRect(image: Image, x: number, y: number, w: number, h: number, name: string): RectangleNode {
  const rect = figma.createRectangle();
  rect.name = name;
  rect.resize(w, h);
  rect.x = x;
  rect.y = y;
  rect.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash }];
  return rect;
}

/** Creates the result layer(s); returns the node that represents the result. */
export function placeResult(req: PlaceRequest): SceneNode {
  const { source, pieces } = req;
  for (const p of pieces) {
    if (p.width > FIGMA_IMAGE_MAX || p.height > FIGMA_IMAGE_MAX) throw new Error(`piece ${p.width}×${p.height} exceeds ${FIGMA_IMAGE_MAX}`);
  }
  const images = pieces.map((p) => figma.createImage(p.png)); // throws before any node exists
  const parent = (source.parent ?? figma.currentPage) as BaseNode & ChildrenMixin;
  const name = `${source.name} \u00b7 ${req.toolTitle}`;
  const replace = req.placement === 'replace';
  // The exported image covers what the source draws (shadows and rotation included), so the result
  // stands for that area: beside it, or over it.
  const drawn = renderBox(source) ?? { x: source.x, y: source.y, width: source.width, height: source.height };
  // Beside: pixel density kept (a ×2 result is twice the size). Replace: fitted over the source.
  const fitted = Math.max(drawn.width, drawn.height) / Math.max(req.width, req.height);
  const unitsX = req.fitToSource ? fitted : replace ? drawn.width / req.width : 1 / req.exportScale;
  const unitsY = req.fitToSource ? fitted : replace ? drawn.height / req.height : 1 / req.exportScale;
  // Beside: in free space to the right, never over another layer (the area the whole result takes).
  const from = (req.after && renderBox(req.after)) || drawn;
  const spot = replace ? drawn : freeSpotRight(from, req.width * unitsX, req.height * unitsY, occupied(parent, source), GAP);
  const at = pageToChildSpace(parent)(spot.x, spot.y);
  const x0 = at.x;
  const y0 = at.y;
  const created: SceneNode[] = [];
  try {
    const rects = pieces.map((p, i) =>
      imageRect(images[i], x0 + p.x * unitsX, y0 + p.y * unitsY, p.width * unitsX, p.height * unitsY, pieces.length > 1 ? `${name} ${i + 1}` : name),
    );
    created.push(...rects);
    const index = parent.children.indexOf(source) + 1;
    for (let i = 0; i < rects.length; i++) parent.insertChild(index + i, rects[i]);
    let result: SceneNode = rects[0];
    if (rects.length > 1) {
      result = figma.group(rects, parent, index);
      result.name = name;
      created.push(result);
    }
    const relaunch: Relaunch = { options: req.options, sourceId: source.id, ...(req.sketch ? { sketch: req.sketch } : {}) };
    result.setPluginData(PLUGIN_DATA_KEY, JSON.stringify(relaunch));
    result.setRelaunchData({ 'run-again': req.toolTitle });
    if (replace) {
      source.visible = false;
      for (const n of req.alsoHide ?? []) if (!n.removed) n.visible = false;
    }
    return result;
  } catch (err) {
    for (const n of created) if (!n.removed) n.remove();
    throw err;
  }
}

/** The options a result was made with, for "Run again" (null when the node is not a result). */
export function readRelaunch(node: BaseNode): Relaunch | null {
  const raw = node.getPluginData(PLUGIN_DATA_KEY);
  if (!raw) return null;
  try {
    const data = JSON.parse(raw) as { options?: unknown; sourceId?: unknown; sketch?: unknown };
    const options = normaliseRunOptions(data.options);
    if (!options || typeof data.sourceId !== 'string') return null;
    return { options, sourceId: data.sourceId, ...(typeof data.sketch === 'string' ? { sketch: data.sketch } : {}) };
  } catch {
    return null;
  }
}
