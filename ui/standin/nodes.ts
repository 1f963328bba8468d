// Node objects of the Figma stand-in: thin handles whose properties read and write plain state held
// by FigmaStandin, so undo can swap the state while the plugin keeps its references.
import { encodePng } from '../engine/codec';
import type { FigmaStandin } from './figma';
import { render } from './render';
import { absoluteTransform, boundingBox, relativeTransform, renderBounds } from './geometry';
import { DEFAULT_FONT, fontKey, textSize } from './text';

/** A handle: every property reads and writes the node's state in the stand-in. */
export function nodeHandle(fig: FigmaStandin, id: string): BaseNode {
  const st = () => fig.pluginState(id);
  const text = () => {
    const s = st();
    if (s.type !== 'TEXT') throw new Error(`${s.type} has no text properties`);
    return s;
  };
  // A text layer resizes to its text (autoResize WIDTH_AND_HEIGHT, Figma's default for new text).
  const editText = (change: { characters?: string; fontSize?: number }) => {
    const s = text();
    if (!fig.loadedFonts.has(fontKey(DEFAULT_FONT))) throw new Error(`Cannot write to node with unloaded font "${DEFAULT_FONT.family} ${DEFAULT_FONT.style}"`);
    Object.assign(s, change);
    Object.assign(s, textSize(s.characters, s.fontSize));
  };
  const handle = {
    id,
    get type() { return st().type; },
    get removed() { return !fig.nodes.has(id); },
    get name() { return st().name; },
    set name(v: string) { st().name = v; },
    get x() { return st().x; },
    set x(v: number) { st().x = v; },
    get y() { return st().y; },
    set y(v: number) { st().y = v; },
    get width() { return st().width; },
    get height() { return st().height; },
    get rotation() { return st().rotation; },
    set rotation(v: number) { st().rotation = v; },
    get effects() { return Object.freeze(JSON.parse(JSON.stringify(st().effects))); },
    set effects(v: ReadonlyArray<Effect>) { st().effects = JSON.parse(JSON.stringify(v)); },
    get relativeTransform() { const m = relativeTransform(st()); return [[m[0], m[1], m[2]], [m[3], m[4], m[5]]]; },
    get absoluteTransform() { const m = absoluteTransform(fig, st()); return [[m[0], m[1], m[2]], [m[3], m[4], m[5]]]; },
    get absoluteBoundingBox() { return boundingBox(fig, st()); },
    get absoluteRenderBounds() { return renderBounds(fig, st()); },
    get visible() { return st().visible; },
    set visible(v: boolean) { st().visible = v; },
    get fills() { return Object.freeze(JSON.parse(JSON.stringify(st().fills))); },
    set fills(v: ReadonlyArray<Paint>) {
      for (const p of v) if (p.type === 'IMAGE' && p.imageHash && !fig.images.has(p.imageHash)) throw new Error(`Unknown image hash ${p.imageHash}`);
      st().fills = JSON.parse(JSON.stringify(v));
    },
    get strokes() { return Object.freeze(JSON.parse(JSON.stringify(st().strokes))); },
    set strokes(v: ReadonlyArray<Paint>) { st().strokes = JSON.parse(JSON.stringify(v)); },
    get strokeWeight() { return st().strokeWeight; },
    set strokeWeight(v: number) {
      if (!(v >= 0)) throw new Error(`Invalid strokeWeight ${v}`);
      st().strokeWeight = v;
    },
    get strokeAlign() { return st().strokeAlign; },
    set strokeAlign(v: 'INSIDE' | 'CENTER' | 'OUTSIDE') {
      if (v !== 'INSIDE' && v !== 'CENTER' && v !== 'OUTSIDE') throw new Error(`Invalid strokeAlign ${String(v)}`);
      st().strokeAlign = v;
    },
    get opacity() { return st().opacity; },
    set opacity(v: number) {
      if (!(v >= 0 && v <= 1)) throw new Error(`Invalid opacity ${v}`);
      st().opacity = v;
    },
    get locked() { return st().locked; },
    set locked(v: boolean) { st().locked = v; },
    // Text (TEXT nodes only): one font and size for the whole text; editing needs the font loaded, as in Figma.
    get characters() { return text().characters; },
    set characters(v: string) { editText({ characters: String(v) }); },
    get fontSize() { return text().fontSize; },
    set fontSize(v: number) {
      if (!(v >= 1)) throw new Error(`Invalid fontSize ${v}`);
      editText({ fontSize: v });
    },
    get fontName() { text(); return { ...DEFAULT_FONT }; },
    createInstance() {
      if (st().type !== 'COMPONENT') throw new Error('createInstance is only available on components');
      return fig.handle(fig.instantiate(id));
    },
    get parent() { const p = st().parent; return p ? fig.handle(p) : null; },
    get children() { return st().children.map((c) => fig.handle(c)); },
    /** Every descendant (depth first, in layer order) that passes the test, as Figma's findAll. */
    findAll(test?: (n: SceneNode) => boolean) {
      const out: SceneNode[] = [];
      const walk = (nid: string) => {
        for (const c of fig.nodes.get(nid)?.children ?? []) {
          const h = fig.handle(c) as SceneNode;
          if (!test || test(h)) out.push(h);
          walk(c);
        }
      };
      walk(id);
      return out;
    },
    get selection() { return fig.selection.filter((s) => fig.nodes.has(s)).map((s) => fig.handle(s) as SceneNode); },
    set selection(nodes: ReadonlyArray<SceneNode>) { fig.select(nodes.map((n) => n.id)); },
    resize(w: number, h: number) {
      if (!(w >= 0.01 && h >= 0.01)) throw new Error(`Invalid size ${w}×${h}`);
      Object.assign(st(), { width: w, height: h });
    },
    remove() {
      const s = st();
      if (s.type === 'PAGE') throw new Error('Cannot remove a page');
      const drop = (nid: string) => {
        const n = fig.nodes.get(nid);
        if (!n) return;
        n.children.forEach(drop);
        fig.nodes.delete(nid);
      };
      if (s.parent) { const p = fig.state(s.parent); p.children = p.children.filter((c) => c !== id); }
      drop(id);
      if (fig.selection.includes(id)) fig.select(fig.selection.filter((x) => x !== id));
    },
    insertChild(index: number, child: SceneNode) {
      const c = fig.state(child.id);
      if (c.parent) { const old = fig.state(c.parent); old.children = old.children.filter((x) => x !== child.id); }
      const kids = st().children;
      kids.splice(Math.max(0, Math.min(index, kids.length)), 0, child.id);
      c.parent = id;
    },
    appendChild(child: SceneNode) { handle.insertChild(st().children.length, child); },
    setPluginData(key: string, value: string) {
      if (value.length > 100_000) throw new Error('pluginData entry over 100 kB');
      st().pluginData[key] = value;
    },
    getPluginData(key: string) { return st().pluginData[key] ?? ''; },
    getPluginDataKeys() { return Object.keys(st().pluginData); },
    setRelaunchData(data: Record<string, string>) { st().relaunchData = { ...data }; },
    getRelaunchData() { return { ...st().relaunchData }; },
    async exportAsync(settings?: ExportSettings) {
      st();
      if (settings && settings.format !== 'PNG') throw new Error('The stand-in exports PNG only');
      const c = (settings as ExportSettingsImage | undefined)?.constraint;
      // Figma exports the render bounds (effects, rotation); WIDTH and HEIGHT constraints size those.
      const rb = renderBounds(fig, { ...st(), visible: true })!;
      const scale = !c ? 1 : c.type === 'SCALE' ? c.value : c.type === 'WIDTH' ? c.value / rb.width : c.value / rb.height;
      const r = render(fig, id, scale);
      return encodePng({ width: r.width, height: r.height, channels: 4, depth: 8, data: r.rgba });
    },
  };
  return handle as unknown as BaseNode;
}
