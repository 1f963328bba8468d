// The stand-in host page: a Figma-like canvas with example layers, running dist/code.js unchanged
// against the stand-in and showing dist/ui.html the way Figma does: in an opaque-origin, non-secure
// frame (a sandboxed data: document that document.write()s the UI, since data: URLs cap at 2 MiB).
import { FigmaStandin } from './figma';
import { SETTINGS_KEY } from '../../src/settings';
import manifest from '../../manifest.json';

declare global {
  interface Window {
    figma: PluginAPI;
    __html__: string;
    standin: FigmaStandin & { ready: Promise<void>; uiFrame(): HTMLIFrameElement | null; launch(command?: string): Promise<void> };
  }
}

// The shell Figma-style frames start from: tiny, so it fits a data: URL; the real UI arrives by message,
// as UTF-8 bytes: a 20 MB string posted as a string took seconds to deserialise in the frame, the bytes
// and TextDecoder a tenth of a second or less.
const SHELL = `<!doctype html><script>
addEventListener('message', function boot(e) {
  if (!e.data || !e.data.__onestepShell) return;
  removeEventListener('message', boot);
  var html = new TextDecoder().decode(e.data.html);
  document.open(); document.write(html); document.close();
  parent.postMessage({ __onestepShellWritten: true }, '*');
});
parent.postMessage({ __onestepShellReady: true }, '*');
</script>`;

let frame: HTMLIFrameElement | null = null;
let queue: unknown[] = [];
let written = false;
let pendingHtml = '';
/** ui.html's bytes as fetched, so showUI(__html__) does not have to encode 20 MB again (≈0.5 s). */
let htmlBytes: Uint8Array | null = null;

/** ?hosted: the UI comes from this (secure) origin instead, as Figma's hosted-UI mode does. */
const HOSTED = new URLSearchParams(location.search).has('hosted');

/** The plugin window's size (Figma's default is 300 × 200; the plugin asks for its own in showUI). */
function sizeFrame(width = 300, height = 200) {
  if (!frame) return;
  frame.style.width = `${width}px`;
  frame.style.height = `${height}px`;
}

const fig: FigmaStandin = new FigmaStandin({
  showUI(html, options) {
    closeFrame();
    pendingHtml = html;
    frame = document.createElement('iframe');
    sizeFrame(options.width, options.height);
    if (HOSTED) {
      frame.src = '../hosted/index.html';
      const f = frame;
      f.addEventListener('load', () => {
        written = true;
        for (const m of queue.splice(0)) f.contentWindow!.postMessage({ pluginMessage: m }, '*');
      });
    } else {
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.src = `data:text/html;charset=utf-8,${encodeURIComponent(SHELL)}`;
    }
    document.getElementById('plugin')!.append(frame);
  },
  toUi(message) {
    if (written && frame?.contentWindow) frame.contentWindow.postMessage({ pluginMessage: message }, '*');
    else queue.push(message);
  },
  closeUi() {
    closeFrame();
  },
  resizeUi(width, height) {
    sizeFrame(width, height);
  },
});

function closeFrame() {
  frame?.remove();
  frame = null;
  written = false;
  queue = [];
}

window.addEventListener('message', (e) => {
  if (!frame || e.source !== frame.contentWindow) return;
  const d = e.data as { __onestepShellReady?: boolean; __onestepShellWritten?: boolean; pluginMessage?: unknown };
  if (d?.__onestepShellReady) {
    // cloned, not transferred: the fetched bytes stay for the next launch
    const html = (pendingHtml === window.__html__ && htmlBytes) || new TextEncoder().encode(pendingHtml);
    frame.contentWindow!.postMessage({ __onestepShell: true, html }, '*');
  }
  else if (d?.__onestepShellWritten) {
    written = true;
    for (const m of queue.splice(0)) frame.contentWindow!.postMessage({ pluginMessage: m }, '*');
  } else if (d && 'pluginMessage' in d) {
    // Figma delivers UI messages asynchronously to the main thread.
    setTimeout(() => fig.fromUi(d.pluginMessage), 0);
  }
});


async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/**
 * Example layers for people to try: the bundled example images (tests add their own fixtures, so the
 * server's golden inputs are left out) and a few drawn layers.
 */
async function loadExamples() {
  const list = (await (await fetch('/api/examples')).json()) as Array<{ name: string; url: string }>;
  let x = 40;
  for (const ex of list.filter((e) => e.url.startsWith('/examples/'))) {
    const png = await fetchBytes(ex.url);
    const layer = fig.addImageLayer(ex.name, png, x, 40);
    x += (layer as RectangleNode).width + 60;
  }
  const frameLayer = fig.addLayer({ type: 'FRAME', name: 'Badge', x: 40, y: 420, width: 120, height: 80, fills: [{ type: 'SOLID', color: { r: 0.98, g: 0.93, b: 0.85 } }] });
  fig.addLayer({ type: 'ELLIPSE', name: 'Dot', x: 20, y: 10, width: 60, height: 60, fills: [{ type: 'SOLID', color: { r: 0.9, g: 0.3, b: 0.2 } }] }, frameLayer.id);
  fig.addLayer({ type: 'RECTANGLE', name: 'Bar', x: 70, y: 30, width: 40, height: 20, fills: [{ type: 'SOLID', color: { r: 0.2, g: 0.4, b: 0.8 } }] }, frameLayer.id);
  fig.addLayer({ type: 'ELLIPSE', name: 'Sticker (transparent corners)', x: 200, y: 420, width: 90, height: 90, fills: [{ type: 'SOLID', color: { r: 0.1, g: 0.6, b: 0.4 } }] });
  fig.addLayer({ type: 'FRAME', name: 'Empty frame', x: 330, y: 420, width: 100, height: 80 });
  // Tilted, with a drop shadow: it exports (and gets a result) larger than its own box.
  const card = fig.addLayer({
    type: 'FRAME', name: 'Tilted card', x: 480, y: 440, width: 120, height: 70, rotation: 8,
    fills: [{ type: 'SOLID', color: { r: 0.99, g: 0.99, b: 0.97 } }],
    effects: [{ type: 'DROP_SHADOW', color: { r: 0, g: 0, b: 0, a: 0.35 }, offset: { x: 0, y: 6 }, radius: 12, spread: 0, visible: true, blendMode: 'NORMAL' }],
  });
  fig.addLayer({ type: 'ELLIPSE', name: 'Sun', x: 14, y: 14, width: 40, height: 40, fills: [{ type: 'SOLID', color: { r: 0.95, g: 0.6, b: 0.1 } }] }, card.id);
  fig.addLayer({ type: 'RECTANGLE', name: 'Line', x: 64, y: 28, width: 44, height: 12, fills: [{ type: 'SOLID', color: { r: 0.3, g: 0.3, b: 0.35 } }] }, card.id);
}

// ---- drawing the canvas (so a person can see and select layers) ----

const canvas = document.getElementById('canvas') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const bitmaps = new Map<string, ImageBitmap | 'pending'>();

function nodeBitmap(id: string): ImageBitmap | null {
  const s = fig.nodes.get(id)!;
  const key = `${id}:${JSON.stringify([s.fills, s.width, s.height, s.rotation, s.effects, s.children.length])}`;
  const b = bitmaps.get(key);
  if (b && b !== 'pending') return b;
  if (!b) {
    bitmaps.set(key, 'pending');
    const r = fig.renderNode(id, 1);
    createImageBitmap(new ImageData(new Uint8ClampedArray(r.rgba), r.width, r.height)).then((bmp) => {
      bitmaps.set(key, bmp);
      draw();
    });
  }
  return null;
}

function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const page = fig.nodes.get(fig.pageId)!;
  let maxX = 1200, maxY = 900;
  for (const id of page.children) {
    const s = fig.nodes.get(id);
    const b = s && fig.renderBounds(id); // what the layer draws: shadows and rotation included
    if (!s || !b) continue;
    maxX = Math.max(maxX, b.x + b.width + 40);
    maxY = Math.max(maxY, b.y + b.height + 40);
    const bmp = nodeBitmap(id);
    if (bmp) ctx.drawImage(bmp, b.x, b.y, b.width, b.height);
    ctx.fillStyle = '#555';
    ctx.fillText(s.name, b.x, b.y - 4);
    if (fig.selectedIds.includes(id)) {
      ctx.strokeStyle = '#0d99ff';
      ctx.lineWidth = 2;
      ctx.strokeRect(b.x - 1, b.y - 1, b.width + 2, b.height + 2);
    }
  }
  if (canvas.width < maxX || canvas.height < maxY) {
    canvas.width = Math.max(canvas.width, maxX);
    canvas.height = Math.max(canvas.height, maxY);
    draw();
    return;
  }
  drawRelaunch();
  const layers = document.getElementById('layers')!;
  layers.replaceChildren(
    ...page.children.map((id) => {
      const s = fig.nodes.get(id)!;
      const div = document.createElement('div');
      div.textContent = `${s.visible ? '' : '(hidden) '}${s.name} — ${Math.round(s.width)}×${Math.round(s.height)}`;
      div.className = fig.selectedIds.includes(id) ? 'sel' : '';
      div.onclick = () => fig.select([id]);
      return div;
    }),
  );
  const toasts = document.getElementById('toasts')!;
  toasts.replaceChildren(
    ...fig.notifications.slice(-3).map((n) => {
      const d = document.createElement('div');
      d.className = `toast${n.error ? ' error' : ''}`;
      d.textContent = n.message;
      return d;
    }),
  );
}

/**
 * Figma's relaunch buttons: when the selection is one layer with relaunch data, the properties panel
 * shows a button per command (named in the manifest) that starts the plugin with figma.command set.
 */
let relaunchKey = '';
function drawRelaunch() {
  const box = document.getElementById('relaunch')!;
  const ids = fig.selectedIds;
  const data = ids.length === 1 ? fig.nodes.get(ids[0])?.relaunchData ?? {} : {};
  const key = JSON.stringify([ids, data]);
  if (key === relaunchKey) return; // rebuilding on every draw would swallow clicks
  relaunchKey = key;
  box.replaceChildren(
    ...Object.entries(data).map(([command, description]) => {
      const name = manifest.relaunchButtons.find((b) => b.command === command)?.name ?? command;
      const row = document.createElement('div');
      const button = document.createElement('button');
      button.textContent = `${manifest.name}: ${name}`;
      button.dataset.command = command;
      button.onclick = () => void launch(command);
      const what = document.createElement('span');
      what.className = 'what';
      what.textContent = description;
      row.append(button, ' ', what);
      return row;
    }),
  );
}

canvas.addEventListener('click', (e) => {
  const rect = canvas.getBoundingClientRect();
  const x = e.clientX - rect.left, y = e.clientY - rect.top;
  const page = fig.nodes.get(fig.pageId)!;
  const hit = [...page.children].reverse().find((id) => {
    const b = fig.renderBounds(id);
    return !!b && x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height;
  });
  const multi = e.shiftKey && hit;
  fig.select(hit ? (multi ? [...new Set([...fig.selectedIds, hit])] : [hit]) : []);
});

async function launch(command = '') {
  if (!fig.closed && frame) window.figma.closePlugin();
  fig.relaunch(command);
  window.figma = fig.api();
  const code = await (await fetch('../code.js')).text();
  // Run the built main-thread bundle unchanged, with `figma` and `__html__` as its only globals.
  new Function('figma', '__html__', code)(window.figma, window.__html__);
}

async function boot() {
  // ?model=<id> opens the panel with that model chosen (as if the user had picked it last time).
  const model = new URLSearchParams(location.search).get('model');
  if (model) fig.storage.set(SETTINGS_KEY, { modelId: model });
  htmlBytes = new Uint8Array(await (await fetch('../ui.html')).arrayBuffer());
  window.__html__ = new TextDecoder().decode(htmlBytes);
  await loadExamples();
  setInterval(draw, 250);
  document.getElementById('undo')!.onclick = () => fig.undo();
  document.getElementById('close')!.onclick = () => window.figma.closePlugin();
  document.getElementById('reopen')!.onclick = () => launch();
  addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'z') fig.undo();
  });
  await launch();
  draw();
}

window.standin = Object.assign(fig, {
  ready: boot(),
  uiFrame: () => frame,
  launch,
});
