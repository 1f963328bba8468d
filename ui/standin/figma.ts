// An in-memory stand-in for the part of Figma's plugin API that src/ uses, typed against
// @figma/plugin-typings. It runs the built dist/code.js unchanged (in the playground and the browser
// tests) and the main-thread modules directly (in the unit tests). Nodes are thin handles over plain
// state, so undo can restore a snapshot while handles held by the plugin stay valid.
import { decodePng, isPng, pngSize } from '../engine/codec';
import { toRgba8 } from '../engine/image/raw';
import { sha256Hex } from '../engine/sha256';
import { nodeHandle } from './nodes';
import { render } from './render';
import { renderBounds, type Box } from './geometry';
import { fontKey, textSize } from './text';

/** Figma's documented limits that the plugin must respect. */
export const LIMITS = { imageSide: 4096, clientStorageBytes: 5 * 1024 * 1024, notifyChars: 100 };

export type NodeKind = 'PAGE' | 'FRAME' | 'GROUP' | 'RECTANGLE' | 'ELLIPSE' | 'TEXT' | 'COMPONENT' | 'INSTANCE';

export interface NodeState {
  id: string;
  type: NodeKind;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Degrees, counter-clockwise on screen, about the node's origin (x, y), as Figma's `rotation`. */
  rotation: number;
  /** Drop shadows are rendered (and grow the render bounds); other effects are kept but not drawn. */
  effects: Effect[];
  visible: boolean;
  /** Layer opacity (0..1): applies to the node with its children and effects, in exports too. */
  opacity: number;
  /** Locked in the layers panel (the plugin API still writes to it; the plugin chooses to refuse). */
  locked: boolean;
  fills: Paint[];
  /** Solid strokes are drawn on rectangles, ellipses, frames, components and instances (not on text). */
  strokes: Paint[];
  strokeWeight: number;
  /** Figma's default for shapes and frames made by the API is INSIDE; CENTER and OUTSIDE grow the render bounds. */
  strokeAlign: 'INSIDE' | 'CENTER' | 'OUTSIDE';
  /** TEXT only: the text, and its font size (one size for the whole text). */
  characters: string;
  fontSize: number;
  children: string[];
  parent: string | null;
  pluginData: Record<string, string>;
  relaunchData: Record<string, string>;
}

interface Snapshot {
  nodes: Record<string, NodeState>;
  selection: string[];
}

export interface Notification {
  message: string;
  error: boolean;
}

export interface StandinHooks {
  /** Called by figma.showUI: mount the UI html somewhere (the host page makes an iframe). */
  showUI?(html: string, options: ShowUIOptions): void;
  /** Called by figma.ui.postMessage: deliver to the UI. */
  toUi?(message: unknown): void;
  /** Called by figma.closePlugin and figma.ui.close. */
  closeUi?(): void;
  /** Called by figma.ui.resize: the plugin window's new size. */
  resizeUi?(width: number, height: number): void;
}

type Listener = (...args: unknown[]) => void;

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** What the stand-in implements, checked against the official typings. */
export type StandinApi = Pick<
  PluginAPI,
  | 'showUI'
  | 'ui'
  | 'currentPage'
  | 'createRectangle'
  | 'createText'
  | 'createComponent'
  | 'loadFontAsync'
  | 'createImage'
  | 'getImageByHash'
  | 'getNodeByIdAsync'
  | 'group'
  | 'commitUndo'
  | 'notify'
  | 'clientStorage'
  | 'closePlugin'
  | 'viewport'
  | 'on'
  | 'once'
  | 'off'
  | 'command'
>;

export class FigmaStandin {
  readonly nodes = new Map<string, NodeState>();
  readonly images = new Map<string, Uint8Array>();
  readonly notifications: Notification[] = [];
  readonly storage = new Map<string, unknown>();
  readonly scrolledTo: string[][] = [];
  commits = 0;
  readonly commitTimes: number[] = [];
  /** When the plugin called figma.showUI, as wall-clock Date.now() (comparable with the UI frame's clock). */
  readonly showUiTimes: number[] = [];
  closed = false;
  command = '';
  /**
   * Milliseconds getNodeByIdAsync takes to answer (0: at once). Real Figma may take a while on a big
   * document (dynamic-page loading); tests use it to land a Cancel or a close inside that await.
   */
  lookupDelayMs = 0;
  /** getNodeByIdAsync calls still waiting out lookupDelayMs (tests: did an action land inside one?). */
  lookupsInFlight = 0;
  /** Fonts the plugin loaded (figma.loadFontAsync): Figma refuses text edits before the font is loaded. */
  readonly loadedFonts = new Set<string>();
  /** Message types from the UI that are logged but never delivered (tests: a UI that never answers). */
  dropFromUi: string[] = [];
  private selectionIds: string[] = [];
  private listeners = new Map<string, Set<Listener>>();
  private uiListeners = new Set<Listener>();
  private uiOnMessage: Listener | undefined;
  private committed: Snapshot;
  private undoStack: Snapshot[] = [];
  private nextId = 1;
  readonly pageId: string;

  constructor(private readonly hooks: StandinHooks = {}) {
    this.pageId = this.add({ type: 'PAGE', name: 'Page 1', width: 0, height: 0 }, null);
    this.committed = this.snapshot();
  }

  // ---- scene state ----

  private add(init: Partial<NodeState> & { type: NodeKind }, parent: string | null): string {
    const id = `${this.nextId++}:1`;
    const state: NodeState = {
      id, name: init.type.toLowerCase(), x: 0, y: 0, width: 100, height: 100, rotation: 0, effects: [], visible: true,
      opacity: 1, locked: false, fills: [], strokes: [], strokeWeight: 1, strokeAlign: 'INSIDE', characters: '', fontSize: 12,
      children: [], parent, pluginData: {}, relaunchData: {}, ...init,
    };
    // A text layer sizes itself to its characters (Figma's default autoResize, WIDTH_AND_HEIGHT).
    if (state.type === 'TEXT') Object.assign(state, textSize(state.characters, state.fontSize));
    this.nodes.set(id, state);
    if (parent) this.state(parent).children.push(id);
    return id;
  }

  /** A node's state, for tests and the host page (no check that the plugin is open). */
  state(id: string): NodeState {
    const s = this.nodes.get(id);
    if (!s) throw new Error(`The node (id ${id}) does not exist`);
    return s;
  }

  /** A node's state as the plugin's node objects read and write it: only while the plugin is open. */
  pluginState(id: string): NodeState {
    this.assertOpen(`node ${id}`);
    return this.state(id);
  }

  /**
   * Every API use the plugin made after it closed, in order. Figma disables its API on close (each
   * call then throws, as here), so a plugin that still tries to write after close has a bug that the
   * throw alone would hide: tests check that this stays empty.
   */
  readonly callsAfterClose: string[] = [];
  private hostDepth = 0;

  private assertOpen(what: string): void {
    if (!this.closed || this.hostDepth > 0) return;
    this.callsAfterClose.push(what);
    throw new Error(`The plugin has been closed: ${what} is no longer available`);
  }

  /** Runs a test or host action that goes through node objects, whether or not the plugin is open. */
  asHost<T>(fn: () => T): T {
    this.hostDepth++;
    try {
      return fn();
    } finally {
      this.hostDepth--;
    }
  }

  private snapshot(): Snapshot {
    const nodes: Record<string, NodeState> = {};
    for (const [id, s] of this.nodes) nodes[id] = JSON.parse(JSON.stringify(s));
    return { nodes, selection: [...this.selectionIds] };
  }

  private restore(s: Snapshot): void {
    this.nodes.clear();
    for (const [id, st] of Object.entries(s.nodes)) this.nodes.set(id, JSON.parse(JSON.stringify(st)));
    this.selectionIds = s.selection.filter((id) => this.nodes.has(id));
    this.emit('selectionchange');
  }

  /** The user's Cmd-Z: undoes uncommitted changes, or else the last committed step. */
  undo(): boolean {
    const now = JSON.stringify(this.snapshot().nodes);
    if (now !== JSON.stringify(this.committed.nodes)) {
      this.restore(this.committed);
      return true;
    }
    const previous = this.undoStack.pop();
    if (!previous) return false;
    this.committed = previous;
    this.restore(previous);
    return true;
  }

  /** Test and playground helpers (not part of Figma's API). */
  addLayer(init: Partial<NodeState> & { type: NodeKind }, parent: string = this.pageId): SceneNode {
    const id = this.add(init, parent);
    this.committed = this.snapshot(); // setting up the document is not an undoable plugin action
    return this.handle(id) as SceneNode;
  }

  /** Adds an image layer the size of the PNG (as dropping a PNG onto the canvas does). */
  addImageLayer(name: string, png: Uint8Array, x = 0, y = 0, parent?: string): SceneNode {
    const size = pngSize(png);
    if (!size) throw new Error(`${name} is not a PNG`);
    const image = this.createImageInternal(png, false);
    return this.addLayer({ type: 'RECTANGLE', name, x, y, width: size.width, height: size.height, fills: [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash }] }, parent);
  }

  /**
   * A new instance of a component, on the page: a copy of the component's state and of its children
   * (new ids), as createInstance makes. Later edits to the component do not reach it (the stand-in
   * keeps no link; enough for the plugin, which only needs to see that a node lies inside an instance).
   */
  instantiate(componentId: string): string {
    const copy = (id: string, parent: string | null, type?: NodeKind): string => {
      const { id: _id, children, parent: _p, ...rest } = JSON.parse(JSON.stringify(this.state(id))) as NodeState;
      const nid = this.add({ ...rest, type: type ?? rest.type }, parent);
      for (const c of children) copy(c, nid);
      return nid;
    };
    return copy(componentId, this.pageId, 'INSTANCE');
  }

  /** A fresh plugin run (Figma starts a new VM each time): forget the last run's handlers. */
  relaunch(command: string): void {
    this.listeners.clear();
    this.uiListeners.clear();
    this.uiOnMessage = undefined;
    this.closed = false;
    this.command = command;
  }

  select(ids: string[]): void {
    this.selectionIds = ids.filter((id) => this.nodes.has(id));
    this.emit('selectionchange');
  }

  get selectedIds(): string[] {
    return [...this.selectionIds];
  }

  /** All nodes under the page, depth first. */
  all(): NodeState[] {
    const out: NodeState[] = [];
    const walk = (id: string) => {
      const s = this.nodes.get(id);
      if (!s) return;
      if (s.type !== 'PAGE') out.push(s);
      s.children.forEach(walk);
    };
    walk(this.pageId);
    return out;
  }

  byName(name: string): NodeState | undefined {
    return this.all().find((s) => s.name === name);
  }

  delete(id: string): void {
    this.asHost(() => this.handle(id).remove());
    this.committed = this.snapshot();
  }

  /** The node's absoluteRenderBounds (what it draws, in page space), or null when hidden. */
  renderBounds(id: string): Box | null {
    return renderBounds(this, this.state(id));
  }

  /** RGBA pixels of a node as exportAsync would render them at `scale`. */
  renderNode(id: string, scale = 1): { width: number; height: number; rgba: Uint8Array } {
    return render(this, id, scale);
  }

  imageRgba(hash: string): { width: number; height: number; rgba: Uint8Array } {
    const bytes = this.images.get(hash);
    if (!bytes) throw new Error(`no image ${hash}`);
    const img = decodePng(bytes);
    return { width: img.width, height: img.height, rgba: toRgba8(img) };
  }

  // ---- events ----

  emit(event: string, ...args: unknown[]): void {
    if (this.closed) return; // Figma disables the plugin's callbacks when it closes
    for (const l of [...(this.listeners.get(event) ?? [])]) l(...args);
  }

  /** Messages the UI sent (type, time, and a job result's size and timings: never the image bytes). */
  readonly uiLog: Array<{ at: number; type: string; info?: unknown }> = [];

  /** Delivers a message from the UI to the plugin's handlers (the host calls this). */
  fromUi(message: unknown): void {
    if (this.closed) return;
    const m = message as { type?: string; timings?: unknown; results?: Array<{ width: number; height: number }> };
    this.uiLog.push({ at: now(), type: String(m?.type), info: m?.type === 'job-result' ? { timings: m.timings, width: m.results?.[0]?.width, height: m.results?.[0]?.height, results: m.results?.length } : undefined });
    if (this.dropFromUi.includes(String(m?.type))) return;
    const props = { origin: 'null' };
    this.uiOnMessage?.(message, props);
    for (const l of [...this.uiListeners]) l(message, props);
  }

  private createImageInternal(bytes: Uint8Array, check = true): Image {
    if (check) this.assertOpen('createImage');
    if (!isPng(bytes)) throw new Error('Image type is unsupported');
    const size = pngSize(bytes)!;
    if (size.width > LIMITS.imageSide || size.height > LIMITS.imageSide) throw new Error('Image is too large');
    if (size.width < 1 || size.height < 1) throw new Error('Image is too small');
    decodePng(bytes); // invalid images throw, as Figma's do
    const hash = sha256Hex(bytes).slice(0, 40);
    this.images.set(hash, bytes.slice());
    return this.imageHandle(hash);
  }

  private imageHandle(hash: string): Image {
    const bytes = () => this.images.get(hash)!;
    return {
      hash,
      getBytesAsync: async () => bytes().slice(),
      getSizeAsync: async () => pngSize(bytes())!,
    } as Image;
  }

  private handles = new Map<string, BaseNode>();

  /** The node object for an id; the same object every time, as in Figma (so indexOf and === work). */
  handle(id: string): BaseNode {
    let h = this.handles.get(id);
    if (!h) this.handles.set(id, (h = nodeHandle(this, id)));
    return h;
  }

  // ---- the API object handed to the plugin as `figma` ----

  api(): StandinApi & PluginAPI {
    const self = this;
    const ui = {
      postMessage(message: unknown) {
        self.assertOpen('ui.postMessage');
        self.hooks.toUi?.(structuredClone(message));
      },
      get onmessage() {
        return self.uiOnMessage as MessageEventHandler | undefined;
      },
      set onmessage(h: MessageEventHandler | undefined) {
        self.uiOnMessage = h as Listener | undefined;
      },
      on(_: 'message', cb: MessageEventHandler) { self.uiListeners.add(cb as Listener); },
      once(_: 'message', cb: MessageEventHandler) {
        const w: Listener = (...a) => { self.uiListeners.delete(w); (cb as Listener)(...a); };
        self.uiListeners.add(w);
      },
      off(_: 'message', cb: MessageEventHandler) { self.uiListeners.delete(cb as Listener); },
      show() {}, hide() {}, reposition() {}, close() { self.hooks.closeUi?.(); },
      resize(width: number, height: number) {
        self.assertOpen('ui.resize');
        self.hooks.resizeUi?.(width, height);
      },
      getPosition: () => ({ windowSpace: { x: 0, y: 0 }, canvasSpace: { x: 0, y: 0 } }),
    } as unknown as UIAPI;
    const page = this.handle(this.pageId) as PageNode;
    const api: StandinApi = {
      get command() { return self.command; },
      showUI(html: string, options?: ShowUIOptions) {
        self.assertOpen('showUI');
        self.showUiTimes.push(Date.now());
        self.hooks.showUI?.(html, options ?? {});
      },
      ui,
      get currentPage() {
        self.assertOpen('currentPage');
        return page;
      },
      set currentPage(_: PageNode) { throw new Error('Cannot set currentPage with documentAccess: dynamic-page. Use setCurrentPageAsync.'); },
      createRectangle() {
        self.assertOpen('createRectangle');
        const id = self.add({ type: 'RECTANGLE', name: 'Rectangle', fills: [{ type: 'SOLID', color: { r: 0.85, g: 0.85, b: 0.85 } }] }, self.pageId);
        return self.handle(id) as RectangleNode;
      },
      createText() {
        self.assertOpen('createText');
        // Figma's new text: empty, Inter Regular 12, black.
        const id = self.add({ type: 'TEXT', name: 'Text', fills: [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }] }, self.pageId);
        return self.handle(id) as TextNode;
      },
      createComponent() {
        self.assertOpen('createComponent');
        const id = self.add({ type: 'COMPONENT', name: 'Component' }, self.pageId);
        return self.handle(id) as ComponentNode;
      },
      async loadFontAsync(font: FontName) {
        self.assertOpen('loadFontAsync');
        self.loadedFonts.add(fontKey(font));
      },
      createImage: (bytes: Uint8Array) => self.createImageInternal(bytes),
      getImageByHash(hash: string) {
        self.assertOpen('getImageByHash');
        return self.images.has(hash) ? self.imageHandle(hash) : null;
      },
      async getNodeByIdAsync(id: string) {
        self.assertOpen('getNodeByIdAsync');
        if (self.lookupDelayMs > 0) {
          self.lookupsInFlight++;
          await new Promise((r) => setTimeout(r, self.lookupDelayMs));
          self.lookupsInFlight--;
        }
        return self.nodes.has(id) ? self.handle(id) : null;
      },
      group(children: ReadonlyArray<BaseNode>, parent: BaseNode & ChildrenMixin, index?: number) {
        self.assertOpen('group');
        if (children.length === 0) throw new Error('Cannot create a group with no children');
        const states = children.map((c) => self.state(c.id));
        const x0 = Math.min(...states.map((s) => s.x));
        const y0 = Math.min(...states.map((s) => s.y));
        const x1 = Math.max(...states.map((s) => s.x + s.width));
        const y1 = Math.max(...states.map((s) => s.y + s.height));
        const gid = self.add({ type: 'GROUP', name: 'Group', x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, null);
        (self.handle(parent.id) as ChildrenMixin).insertChild(index ?? (parent as ChildrenMixin).children.length, self.handle(gid) as SceneNode);
        for (const c of children) (self.handle(gid) as ChildrenMixin).appendChild(c as SceneNode);
        return self.handle(gid) as GroupNode;
      },
      commitUndo() {
        self.assertOpen('commitUndo');
        self.commitTimes.push(now());
        self.undoStack.push(self.committed);
        self.committed = self.snapshot();
        self.commits++;
      },
      notify(message: string, options?: NotificationOptions) {
        self.assertOpen('notify');
        self.notifications.push({ message: message.slice(0, LIMITS.notifyChars), error: options?.error === true });
        return { cancel() {} } as NotificationHandler;
      },
      clientStorage: {
        async getAsync(key: string) {
          self.assertOpen('clientStorage');
          return structuredClone(self.storage.get(key));
        },
        async setAsync(key: string, value: unknown) {
          self.assertOpen('clientStorage');
          const next = new Map(self.storage).set(key, value);
          let bytes = 0;
          for (const [k, v] of next) bytes += k.length + (v instanceof Uint8Array ? v.length : JSON.stringify(v ?? null).length);
          if (bytes > LIMITS.clientStorageBytes) throw new Error('clientStorage quota exceeded (5 MB)');
          self.storage.set(key, structuredClone(value));
        },
        async deleteAsync(key: string) { self.storage.delete(key); },
        async keysAsync() { return [...self.storage.keys()]; },
      } as ClientStorageAPI,
      closePlugin() {
        if (self.closed) return;
        self.emit('close');
        self.closed = true;
        self.hooks.closeUi?.();
      },
      viewport: {
        scrollAndZoomIntoView(nodes: ReadonlyArray<BaseNode>) {
          self.assertOpen('viewport');
          self.scrolledTo.push(nodes.map((n) => n.id));
        },
      } as ViewportAPI,
      on(event: string, cb: Listener) {
        if (!self.listeners.has(event)) self.listeners.set(event, new Set());
        self.listeners.get(event)!.add(cb);
      },
      once(event: string, cb: Listener) {
        const w: Listener = (...a) => { self.listeners.get(event)?.delete(w); cb(...a); };
        api.on(event as 'close', w as () => void);
      },
      off(event: string, cb: Listener) { self.listeners.get(event)?.delete(cb); },
    } as StandinApi;
    return api as StandinApi & PluginAPI;
  }

  get selection(): string[] {
    return this.selectionIds;
  }
}
