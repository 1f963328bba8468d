// The main-thread modules (src/) against the Figma stand-in, with a scripted UI answering job requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FigmaStandin } from '../../ui/standin/figma';
import { RunController, jobTimeoutMs, JOB_TIMEOUT } from '../../src/run';
import { startPlugin } from '../../src/plugin';
import { readSelection } from '../../src/selection';
import { readRelaunch } from '../../src/place-result';
import { loadSettings, saveSettings, SETTINGS_KEY } from '../../src/settings';
import { decodePng, encodePng } from '../../ui/engine/codec';
import { splitImage } from '../../ui/engine/image/split';
import { DEFAULT_SETTINGS, FIGMA_IMAGE_MAX, isUiToMain, type JobRequest, type JobResult, type MainToUi, type RunOptions } from '../../src/protocol';
import { setup, solidPng } from '../helpers/standin';

const OPTIONS: RunOptions = { modelIds: ['m'], scale: 2, steps: 1, seed: 0, strength: 1, placement: 'beside' };



type UiScript = (m: JobRequest, c: RunController) => void;

/** Nearest-neighbour ×scale "engine": enough to check sizes and placement without a model. */
const upscaleUi: UiScript = (m, c) => {
  setTimeout(() => {
    const src = decodePng(m.png);
    const s = m.options.scale;
    const w = src.width * s, h = src.height * s, ch = src.channels;
    const data = new Uint8Array(w * h * ch);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < ch; k++) data[(y * w + x) * ch + k] = src.data[(Math.floor(y / s) * src.width + Math.floor(x / s)) * ch + k];
    const pieces = splitImage({ width: w, height: h, channels: ch, depth: 8, data }, FIGMA_IMAGE_MAX).map((p) => ({ x: p.x, y: p.y, width: p.image.width, height: p.image.height, png: encodePng(p.image) }));
    c.jobResult({ type: 'job-result', jobId: m.jobId, results: [{ pieces, width: w, height: h }], backend: 'test', timings: {} });
  }, 1);
};

function controller(ui: UiScript, timeouts = JOB_TIMEOUT) {
  const sent: MainToUi[] = [];
  let done: (m: MainToUi) => void = () => {};
  const finished = new Promise<MainToUi & { type: 'run-finished' }>((r) => (done = r as typeof done));
  const c: RunController = new RunController((m) => {
    sent.push(m);
    if (m.type === 'job-request') ui(m, c);
    if (m.type === 'run-finished') done(m);
  }, timeouts);
  return { c, sent, finished };
}

/** Every run-finished the controller posts, in order (for tests that start several runs). */
function controllerLog(ui: UiScript, timeouts = JOB_TIMEOUT) {
  const ends: Array<MainToUi & { type: 'run-finished' }> = [];
  const waiters: Array<() => void> = [];
  const c: RunController = new RunController((m) => {
    if (m.type === 'job-request') ui(m, c);
    if (m.type === 'run-finished') {
      ends.push(m);
      waiters.splice(0).forEach((w) => w());
    }
  }, timeouts);
  const ended = (runId: number) =>
    new Promise<MainToUi & { type: 'run-finished' }>((resolve) => {
      const check = () => {
        const e = ends.find((x) => x.runId === runId);
        if (e) resolve(e);
        else waiters.push(check);
      };
      check();
    });
  return { c, ends, ended };
}

test('selection: nothing, empty frame, zero size and huge layers are refused with codes', async () => {
  const fig = setup();
  assert.deepEqual((await readSelection([])).problem, { code: 'empty-selection' });
  const frame = fig.addLayer({ type: 'FRAME', name: 'Empty', width: 100, height: 100 });
  assert.equal((await readSelection([frame])).problem?.code, 'no-pixels');
  const flat = fig.addLayer({ type: 'RECTANGLE', name: 'Flat', width: 0, height: 10, fills: [{ type: 'SOLID', color: { r: 1, g: 0, b: 0 } }] });
  assert.equal((await readSelection([flat])).problem?.code, 'no-pixels');
  const huge = fig.addLayer({ type: 'RECTANGLE', name: 'Huge', width: 10000, height: 200, fills: [{ type: 'SOLID', color: { r: 1, g: 0, b: 0 } }] });
  assert.deepEqual((await readSelection([huge])).problem, { code: 'too-large', nodeName: 'Huge' });
});

test('selection: an image layer exports at its image resolution; a drawn frame at 1×', async () => {
  const fig = setup();
  const photo = fig.addImageLayer('Photo', solidPng(200, 100));
  fig.state(photo.id).width = 100;
  fig.state(photo.id).height = 50;
  const frame = fig.addLayer({ type: 'FRAME', name: 'Card', width: 30, height: 20, fills: [{ type: 'SOLID', color: { r: 0, g: 0, b: 1 } }] });
  const sel = await readSelection([photo, frame]);
  assert.equal(sel.problem, null);
  assert.deepEqual(sel.items.map((i) => [i.name, i.width, i.height, i.exportScale]), [['Photo', 200, 100, 2], ['Card', 30, 20, 1]]);
});

test('run: the result is a new layer beside the source, named, sized ×2, selected, one undo step', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(40, 30), 10, 20);
  fig.select([src.id]);
  const { c, finished, sent } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'Upscale ×2' });
  const end = await finished;
  assert.deepEqual([end.placed, end.failed, end.cancelled, end.error], [1, 0, false, null]);
  const out = fig.byName('Photo · Upscale ×2');
  assert.ok(out, 'result layer exists');
  assert.deepEqual([out.x, out.y, out.width, out.height], [10 + 40 + 24, 20, 80, 60]);
  assert.equal(out.parent, fig.state(src.id).parent);
  const page = fig.state(fig.pageId);
  assert.equal(page.children.indexOf(out.id), page.children.indexOf(src.id) + 1, 'inserted just above the source');
  assert.deepEqual(fig.selectedIds, [out.id]);
  assert.equal(fig.commits, 1);
  assert.deepEqual(out.relaunchData, { 'run-again': 'Upscale ×2' });
  assert.deepEqual(readRelaunch(fig.handle(out.id)), { options: OPTIONS, sourceId: src.id });
  const fill = out.fills[0] as ImagePaint;
  const img = fig.imageRgba(fill.imageHash!);
  assert.deepEqual([img.width, img.height, Array.from(img.rgba.subarray(0, 4))], [80, 60, [200, 100, 50, 255]]);
  assert.ok(sent.some((m) => m.type === 'job-placed'));
  assert.ok(fig.undo(), 'undo did something');
  assert.equal(fig.byName('Photo · Upscale ×2'), undefined, 'undo removes the result');
  assert.ok(fig.byName('Photo'), 'and keeps the source');
});

test('run: several layers are processed in turn, each its own undo step', async () => {
  const fig = setup();
  const a = fig.addImageLayer('A', solidPng(8, 8), 0, 0);
  const b = fig.addImageLayer('B', solidPng(8, 8), 0, 100);
  fig.select([a.id, b.id]);
  const { c, finished, sent } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).placed, 2);
  assert.deepEqual(sent.filter((m) => m.type === 'job-request').map((m) => (m as JobRequest).index), [0, 1]);
  assert.equal(fig.commits, 2);
  fig.undo();
  assert.ok(fig.byName('A · T') && !fig.byName('B · T'));
});

test('run: replace puts the result over the source at its size and hides the original beneath', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(16, 8), 5, 5);
  fig.select([src.id]);
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: { ...OPTIONS, placement: 'replace' }, toolTitle: 'T' });
  await finished;
  const out = fig.byName('Photo · T')!;
  assert.deepEqual([out.x, out.y, out.width, out.height], [5, 5, 16, 8]);
  assert.equal(fig.state(src.id).visible, false);
  fig.undo();
  assert.equal(fig.state(src.id).visible, true, 'undo shows the original again');
});

test('run: a result over 4096 px is split into pieces grouped under one layer', async () => {
  const fig = setup();
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Wide', width: 2100, height: 10, fills: [{ type: 'SOLID', color: { r: 0, g: 1, b: 0 } }] });
  fig.select([src.id]);
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).placed, 1);
  const group = fig.byName('Wide · T')!;
  assert.equal(group.type, 'GROUP');
  assert.deepEqual([group.width, group.height], [4200, 20]);
  const parts = group.children.map((id) => fig.state(id));
  assert.equal(parts.length, 2);
  assert.ok(parts.every((p) => p.width <= FIGMA_IMAGE_MAX));
  assert.equal(parts[0].width + parts[1].width, 4200);
  fig.undo();
  assert.equal(fig.all().length, 1, 'one undo removes the group and its pieces');
});

test('run: results over the limits are refused before any export or job', async () => {
  const fig = setup();
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Big', width: 5000, height: 3000, fills: [{ type: 'SOLID', color: { r: 0, g: 1, b: 0 } }] });
  fig.select([src.id]);
  const { c, finished, sent } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const end = await finished;
  assert.equal(end.error?.code, 'too-large');
  assert.equal(sent.filter((m) => m.type === 'job-request').length, 0);
  assert.equal(fig.all().length, 1);
  assert.match(fig.notifications.at(-1)!.message, /too large/);
  assert.equal(fig.notifications.at(-1)!.error, true);
});

test('run: nothing selected notifies and writes nothing', async () => {
  const fig = setup();
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).error?.code, 'empty-selection');
  assert.equal(fig.all().length, 0);
  assert.equal(fig.commits, 0);
});

test('run: cancel while the engine works writes nothing', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  const { c, finished } = controller((m, ctl) => {
    setTimeout(() => ctl.cancel(m.runId), 1);
    setTimeout(() => upscaleUi(m, ctl), 5); // a late result must be ignored
  });
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const end = await finished;
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual([end.cancelled, end.placed], [true, 0]);
  assert.equal(fig.all().length, 1);
  assert.equal(fig.commits, 0);
});

test('run: a Cancel that arrives while main looks the layer up again after the result writes nothing', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  fig.lookupDelayMs = 40;
  let lookups = 0;
  const api = (globalThis as unknown as { figma: PluginAPI }).figma;
  const lookup = api.getNodeByIdAsync.bind(api);
  // The second lookup is the one after the result came back: cancel while it is pending.
  api.getNodeByIdAsync = (id: string) => {
    if (++lookups === 2) setTimeout(() => c.cancel(1), 10);
    return lookup(id);
  };
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const end = await finished;
  assert.equal(lookups, 2, 'the cancel landed in the lookup after the result');
  assert.deepEqual([end.cancelled, end.placed, end.error], [true, 0, null]);
  assert.deepEqual(fig.all().map((n) => n.name), ['Photo'], 'no layer was added');
  assert.equal(fig.commits, 0, 'no undo step');
  assert.deepEqual(fig.notifications, [], 'no "Added" notice');
});

test('run: a panel that never answers times out, writes nothing, and the next run is not "busy"', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  let answer = false;
  const { c, ended } = controllerLog((m, ctl) => {
    if (answer) upscaleUi(m, ctl);
  }, { baseMs: 60, perMegapixelMs: 0 });
  const t0 = Date.now();
  void c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const first = await ended(1);
  assert.ok(Date.now() - t0 < 2000, 'gave up after its timeout');
  assert.deepEqual([first.placed, first.cancelled, first.error?.code], [0, false, 'inference-failed']);
  assert.match(first.error!.detail, /^timed out: no answer from the panel/);
  assert.ok(fig.notifications.some((n) => n.error && /Photo/.test(n.message)), 'the user is told');
  assert.deepEqual(fig.all().map((n) => n.name), ['Photo']);
  answer = true;
  void c.start({ type: 'run-request', runId: 2, options: OPTIONS, toolTitle: 'T' });
  const second = await ended(2);
  assert.deepEqual([second.placed, second.error], [1, null], 'the next run works');
});

test('run: a timed-out layer stops the run: later layers are not sent to a panel that does not answer', async () => {
  const fig = setup();
  const a = fig.addImageLayer('A', solidPng(8, 8), 0, 0);
  const b = fig.addImageLayer('B', solidPng(8, 8), 0, 100);
  fig.select([a.id, b.id]);
  const { c, finished, sent } = controller(() => {}, { baseMs: 30, perMegapixelMs: 0 });
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.deepEqual([(await finished).failed, sent.filter((m) => m.type === 'job-request').length], [1, 1]);
});

test('run: the timeout grows with the size of the result and the number of evaluations', () => {
  assert.equal(jobTimeoutMs(0, 1), JOB_TIMEOUT.baseMs);
  assert.ok(jobTimeoutMs(16e6, 1) > jobTimeoutMs(1e6, 1));
  assert.ok(jobTimeoutMs(4e6, 2) > jobTimeoutMs(4e6, 1));
  // 16 megapixels (the largest result) in one evaluation: far more than WASM needs (2 s per megapixel).
  assert.ok(jobTimeoutMs(16e6, 1) >= 10 * 2_000 * 16, `${jobTimeoutMs(16e6, 1)} ms`);
});

test('run: Cancel frees main at once: a run started right after it is not "busy"', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  let answer = false;
  const { c, ended } = controllerLog((m, ctl) => {
    if (answer) upscaleUi(m, ctl);
  });
  void c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  await new Promise((r) => setTimeout(r, 20)); // main now waits for the panel, which never answers
  c.cancel(1);
  answer = true;
  void c.start({ type: 'run-request', runId: 2, options: OPTIONS, toolTitle: 'T' });
  assert.deepEqual([(await ended(1)).cancelled, (await ended(1)).placed], [true, 0]);
  const second = await ended(2);
  assert.deepEqual([second.placed, second.error], [1, null]);
  assert.deepEqual(fig.all().map((n) => n.name).sort(), ['Photo', 'Photo · T']);
});

test('run: a run main holds but the panel does not know ("busy") can be stopped with a cancel for any run', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  const { c, ended } = controllerLog(() => {});
  void c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  await new Promise((r) => setTimeout(r, 20));
  void c.start({ type: 'run-request', runId: 7, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await ended(7)).error?.code, 'busy');
  c.cancel(null);
  assert.equal((await ended(1)).cancelled, true);
  assert.equal(c.busy, false);
});

test('run: the source deleted while the tool runs gives source-removed and no layer', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  const { c, finished } = controller((m, ctl) => {
    fig.delete(src.id);
    upscaleUi(m, ctl);
  });
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const end = await finished;
  assert.equal(end.error?.code, 'source-removed');
  assert.equal(fig.all().length, 0);
  assert.equal(fig.commits, 0);
});

test('run: an engine failure is reported with its code and nothing is written', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  const { c, finished } = controller((m, ctl) => setTimeout(() => ctl.jobFailed({ type: 'job-failed', jobId: m.jobId, code: 'decode-failed', detail: 'bad' }), 1));
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.deepEqual((await finished).error, { code: 'decode-failed', detail: 'bad' });
  assert.equal(fig.all().length, 1);
});

test('run: a result Figma refuses (corrupt PNG) leaves no half-written layer', async () => {
  const fig = setup();
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Wide', width: 2100, height: 10, fills: [{ type: 'SOLID', color: { r: 0, g: 1, b: 0 } }] });
  fig.select([src.id]);
  const { c, finished } = controller((m, ctl) => {
    const good = solidPng(2100, 20);
    const bad = good.slice(0, 60); // truncated second piece
    ctl.jobResult({ type: 'job-result', jobId: m.jobId, backend: 't', timings: {}, results: [{ width: 4200, height: 20, pieces: [{ x: 0, y: 0, width: 2100, height: 20, png: good }, { x: 2100, y: 0, width: 2100, height: 20, png: bad }] }] });
  });
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).error?.code, 'place-failed');
  assert.equal(fig.all().length, 1);
});

/**
 * The whole plugin (src/plugin.ts, as dist/code.js runs it) on the stand-in, with a scripted UI that
 * answers each job request with a ×scale nearest-neighbour result through the stand-in's message path.
 */
async function startWithUi(spoil?: (r: JobResult) => unknown) {
  const toUi: MainToUi[] = [];
  const fig: FigmaStandin = new FigmaStandin({
    toUi(message) {
      const m = message as MainToUi;
      toUi.push(m);
      if (m.type === 'job-request') {
        upscaleUi(m, {
          jobResult: (r: JobResult) => {
            // A spoiled copy first (when asked), then the real answer.
            if (spoil) setTimeout(() => fig.fromUi(spoil(structuredClone(r))), 0);
            setTimeout(() => fig.fromUi(r), 5);
          },
        } as unknown as RunController);
      }
    },
  });
  (globalThis as { figma?: unknown }).figma = fig.api();
  await startPlugin('<html></html>');
  return { fig, toUi };
}

test('plugin: the plugin closed while it is about to write: no layer, no undo step, no API call after close', async () => {
  const { fig, toUi } = await startWithUi();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  fig.lookupDelayMs = 40;
  // Close while main looks the source up again after the panel's result arrived (the last await before writing).
  const api = (globalThis as unknown as { figma: PluginAPI }).figma;
  const lookup = api.getNodeByIdAsync.bind(api);
  let lookups = 0;
  api.getNodeByIdAsync = (id: string) => {
    if (++lookups === 2) setTimeout(() => api.closePlugin(), 10);
    return lookup(id);
  };
  fig.fromUi({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(lookups, 2, 'the result came back and main was looking the source up when it closed');
  assert.ok(toUi.some((m) => m.type === 'job-request'));
  assert.equal(fig.closed, true);
  assert.deepEqual(fig.all().map((n) => n.name), ['Photo'], 'no layer');
  assert.equal(fig.commits, 0, 'no undo step');
  assert.deepEqual(fig.callsAfterClose, [], 'the plugin did not use the API after it closed');
});

test('plugin: the same run, left open, writes its layer (the close test above would catch a run that never writes)', async () => {
  const { fig } = await startWithUi();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  fig.lookupDelayMs = 40;
  fig.fromUi({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(fig.all().map((n) => n.name), ['Photo', 'Photo · T']);
  assert.equal(fig.commits, 1);
});

test('plugin: malformed results from the UI are dropped before they reach the run; the real one is placed', async () => {
  const spoils: Array<(r: JobResult) => unknown> = [
    (r) => ({ ...r, results: r.results.map((i) => ({ ...i, pieces: i.pieces.map((p) => ({ ...p, x: 5000 })) })) }), // a piece outside the result
    (r) => ({ ...r, results: r.results.map((i) => ({ ...i, width: -3 })) }),
    (r) => ({ ...r, results: r.results.map((i) => ({ ...i, pieces: i.pieces.map((p) => ({ ...p, png: 'not bytes' })) })) }),
    (r) => ({ ...r, results: r.results.map((i) => ({ ...i, width: 9000, height: 9000 })) }),
    (r) => ({ ...r, results: [] }), // no result at all
    (r) => ({ ...r, results: Array.from({ length: 9 }, () => r.results[0]) }), // more than the most variations
  ];
  for (const spoil of spoils) {
    const { fig } = await startWithUi(spoil);
    const src = fig.addImageLayer('Photo', solidPng(8, 8));
    fig.select([src.id]);
    fig.fromUi({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
    fig.fromUi({ type: 'run-request', runId: 2, options: { ...OPTIONS, scale: -1 }, toolTitle: 'T' }); // dropped, not "busy"
    await new Promise((r) => setTimeout(r, 80));
    const out = fig.byName('Photo · T');
    assert.ok(out, 'the well-formed result was placed');
    assert.deepEqual([out.width, out.height, fig.commits], [16, 16, 1]);
    assert.deepEqual(fig.notifications.filter((n) => n.error), [], 'nothing failed');
  }
});

test('run: a result that is not the size this run makes is refused; nothing is written', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(8, 8));
  fig.select([src.id]);
  const { c, finished } = controller((m, ctl) => {
    const png = solidPng(10, 10);
    setTimeout(() => ctl.jobResult({ type: 'job-result', jobId: m.jobId, backend: 't', timings: {}, results: [{ width: 10, height: 10, pieces: [{ x: 0, y: 0, width: 10, height: 10, png }] }] }), 1);
  });
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const end = await finished;
  assert.equal(end.error?.code, 'inference-failed');
  assert.match(end.error!.detail, /10×10, expected 16×16/);
  assert.deepEqual(fig.all().map((n) => n.name), ['Photo']);
});

const SHADOW: DropShadowEffect = { type: 'DROP_SHADOW', color: { r: 0, g: 0, b: 0, a: 0.5 }, offset: { x: 4, y: 6 }, radius: 8, spread: 0, visible: true, blendMode: 'NORMAL' };
const RED: Paint[] = [{ type: 'SOLID', color: { r: 1, g: 0, b: 0 } }];

test('render bounds: a drop shadow and a rotation grow what a layer exports; selection sizes come from that', async () => {
  const fig = setup();
  // 40×30 at (10, 20), shadow offset (4, 6) blurred 8: draws from (6, 18) to (62, 64).
  const shadowed = fig.addLayer({ type: 'RECTANGLE', name: 'Card', x: 10, y: 20, width: 40, height: 30, fills: RED, effects: [SHADOW] }) as RectangleNode;
  assert.deepEqual(shadowed.absoluteRenderBounds, { x: 6, y: 18, width: 56, height: 46 });
  assert.deepEqual(shadowed.absoluteBoundingBox, { x: 10, y: 20, width: 40, height: 30 });
  // 40×20 turned 90°: 20 wide, 40 tall.
  const turned = fig.addLayer({ type: 'RECTANGLE', name: 'Turned', x: 100, y: 100, width: 40, height: 20, rotation: 90, fills: RED }) as RectangleNode;
  assert.deepEqual(turned.absoluteRenderBounds, { x: 100, y: 60, width: 20, height: 40 });
  const sel = await readSelection([shadowed, turned]);
  assert.deepEqual(sel.items.map((i) => [i.name, i.width, i.height]), [['Card', 56, 46], ['Turned', 20, 40]]);
  // What exportAsync renders is that size, with the shadow in it.
  const png = decodePng(await shadowed.exportAsync({ format: 'PNG' }));
  assert.deepEqual([png.width, png.height], [56, 46]);
  const alpha = (x: number, y: number) => png.data[(y * png.width + x) * 4 + 3];
  assert.equal(alpha(20, 20), 255, 'the rectangle');
  assert.ok(alpha(52, 40) > 0 && alpha(52, 40) < 255, 'its shadow, right of the box');
  assert.equal(alpha(0, 0), 0, 'clear beyond the shadow');
  const rot = decodePng(await turned.exportAsync({ format: 'PNG' }));
  assert.deepEqual([rot.width, rot.height, rot.data[3]], [20, 40, 255]);
});

test('render bounds: the result covers what the layer draws, beside it or over it', async () => {
  for (const placement of ['beside', 'replace'] as const) {
    const fig = setup();
    const src = fig.addLayer({ type: 'RECTANGLE', name: 'Card', x: 10, y: 20, width: 40, height: 30, fills: RED, effects: [SHADOW] });
    fig.select([src.id]);
    const { c, finished } = controller(upscaleUi);
    await c.start({ type: 'run-request', runId: 1, options: { ...OPTIONS, placement }, toolTitle: 'T' });
    assert.equal((await finished).placed, 1);
    const out = fig.byName('Card · T')!;
    const img = fig.imageRgba((out.fills[0] as ImagePaint).imageHash!);
    assert.deepEqual([img.width, img.height], [112, 92], `${placement}: the image is the render bounds ×2`);
    if (placement === 'beside') assert.deepEqual([out.x, out.y, out.width, out.height], [62 + 24, 18, 112, 92], 'right of the shadow, at its top');
    else assert.deepEqual([out.x, out.y, out.width, out.height], [6, 18, 56, 46], 'exactly over what the source drew');
  }
});

test('render bounds: a rotated layer in a frame gets its result in the frame, beside what it draws', async () => {
  const fig = setup();
  const frame = fig.addLayer({ type: 'FRAME', name: 'Board', x: 100, y: 50, width: 400, height: 300, fills: [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }] });
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Turned', x: 10, y: 60, width: 40, height: 20, rotation: 90, fills: RED }, frame.id);
  fig.select([src.id]);
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).placed, 1);
  const out = fig.byName('Turned · T')!;
  assert.equal(out.parent, frame.id);
  // Drawn at page (110, 70)–(130, 110); the result (40×80) goes at page (154, 70): (54, 20) in the frame.
  assert.deepEqual([out.x, out.y, out.width, out.height], [54, 20, 40, 80]);
});

test('render bounds: a shadow that takes the result over the limits is refused before any export', async () => {
  const fig = setup();
  // 4096 wide ×2 = 8192, the largest side allowed; the shadow's 2 × 40 px more is over it.
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Banner', width: 4096, height: 10, fills: RED, effects: [{ ...SHADOW, offset: { x: 0, y: 0 }, radius: 40 }] });
  fig.select([src.id]);
  const { c, finished, sent } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  const end = await finished;
  assert.deepEqual([end.error?.code, end.error?.detail], ['too-large', '8352×180']);
  assert.equal(sent.filter((m) => m.type === 'job-request').length, 0);
});

/** Pairs of top-level layers whose drawn areas overlap (names), for "never over another layer". */
function overlapping(fig: FigmaStandin): string[] {
  const boxes = fig.state(fig.pageId).children.map((id) => ({ name: fig.state(id).name, b: fig.renderBounds(id)! }));
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].b, b = boxes[j].b;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push(`${boxes[i].name} / ${boxes[j].name}`);
    }
  }
  return out;
}

test('placement: the result goes right of its source, past every layer it would cover', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(40, 40), 0, 0);
  fig.addLayer({ type: 'RECTANGLE', name: 'Neighbour', x: 70, y: 10, width: 30, height: 30, fills: RED });
  fig.addLayer({ type: 'ELLIPSE', name: 'Further', x: 150, y: 60, width: 20, height: 20, fills: RED });
  fig.addLayer({ type: 'RECTANGLE', name: 'Below', x: 124, y: 200, width: 50, height: 50, fills: RED });
  fig.select([src.id]);
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).placed, 1);
  const out = fig.byName('Photo · T')!;
  // 80×80 from x = 64 would cover Neighbour, then (from 124) Further: it goes 24 right of Further, at the source's top.
  assert.deepEqual([out.x, out.y, out.width, out.height], [194, 0, 80, 80]);
  assert.deepEqual(overlapping(fig), []);
});

test('placement: layers side by side, run together, get results that cover neither each other nor the sources', async () => {
  const fig = setup();
  const a = fig.addImageLayer('A', solidPng(20, 20), 0, 0);
  const b = fig.addImageLayer('B', solidPng(20, 20), 30, 0);
  const d = fig.addImageLayer('C', solidPng(20, 20), 0, 30);
  fig.select([a.id, b.id, d.id]);
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).placed, 3);
  assert.deepEqual(overlapping(fig), []);
  assert.deepEqual(['A · T', 'B · T', 'C · T'].map((n) => fig.byName(n)!.y), [0, 0, 30], 'each at its source\'s top');
});

test('placement: a layer in a group makes room among the group\'s neighbours too', async () => {
  const fig = setup();
  const src = fig.addImageLayer('Photo', solidPng(20, 20), 0, 0);
  const other = fig.addLayer({ type: 'RECTANGLE', name: 'Mate', x: 0, y: 30, width: 20, height: 20, fills: RED });
  const api = (globalThis as unknown as { figma: PluginAPI }).figma;
  const group = fig.asHost(() => api.group([src, other], api.currentPage));
  group.name = 'Pair';
  fig.addLayer({ type: 'RECTANGLE', name: 'Outside', x: 50, y: 0, width: 20, height: 20, fills: RED });
  fig.select([src.id]);
  const { c, finished } = controller(upscaleUi);
  await c.start({ type: 'run-request', runId: 1, options: OPTIONS, toolTitle: 'T' });
  assert.equal((await finished).placed, 1);
  const out = fig.byName('Photo · T')!;
  assert.equal(out.parent, group.id, 'in the source\'s group');
  assert.deepEqual([out.x, out.y], [94, 0], 'past the layer next to the group');
});

test('settings round-trip through clientStorage; the 5 MB limit is enforced', async () => {
  const fig = setup();
  assert.deepEqual(await loadSettings(), DEFAULT_SETTINGS);
  await saveSettings({ ...DEFAULT_SETTINGS, steps: 3, modelId: 'x' });
  assert.equal((await loadSettings()).steps, 3);
  await assert.rejects(fig.api().clientStorage.setAsync('big', new Uint8Array(6 * 1024 * 1024)), /quota/);
});

test('a seed saved before seeds were bounded loads as the seed that draws the same noise, so the panel can save it back', async () => {
  const fig = setup();
  for (const [stored, seed] of [[-1, 0xffffffff], [2 ** 32 + 9, 9], ['junk', DEFAULT_SETTINGS.seed]] as const) {
    await fig.api().clientStorage.setAsync(SETTINGS_KEY, { ...DEFAULT_SETTINGS, seed: stored });
    const loaded = await loadSettings();
    assert.equal(loaded.seed, seed, `stored ${stored}`);
    assert.ok(isUiToMain({ type: 'save-settings', settings: loaded }), 'a message main accepts');
  }
});

test('stand-in: createImage enforces Figma limits and exportAsync renders image layers exactly', async () => {
  const fig = setup();
  const api = fig.api();
  assert.throws(() => api.createImage(new Uint8Array([1, 2, 3])), /unsupported/);
  assert.throws(() => api.createImage(solidPng(4097, 1)), /too large/);
  const png = solidPng(5, 4, [1, 2, 3]);
  const layer = fig.addImageLayer('P', png);
  const out = decodePng(await (layer as RectangleNode).exportAsync({ format: 'PNG' }));
  assert.deepEqual([out.width, out.height, out.data[0], out.data[1], out.data[2], out.data[3]], [5, 4, 1, 2, 3, 255]);
});

// ---- Sketch and Edit on the main thread ----

const SKETCH_OPTIONS: RunOptions = { modelIds: ['sketch'], scale: 1, steps: 0, seed: 7, strength: 1, placement: 'beside', tool: 'sketch', variations: 4 };

/** A sketch "engine": one 16 × 16 result per variation (seed + k), and the sketch it was read as. */
const sketchUi: UiScript = (m, c) => {
  setTimeout(() => {
    const n = m.options.variations ?? 1;
    const results = Array.from({ length: n }, (_, k) => ({ width: 16, height: 16, seed: m.options.seed + k, pieces: [{ x: 0, y: 0, width: 16, height: 16, png: solidPng(16, 16, [10 * k, 0, 0]) }] }));
    c.jobResult({ type: 'job-result', jobId: m.jobId, results, backend: 'test', timings: {}, sketch: solidPng(16, 16, [255, 255, 255]) });
  }, 1);
};

test('sketch: 4 variations are placed side by side in one undo step, each remembering its seed and the sketch; shown as large as the drawing', async () => {
  const fig = setup();
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Drawing', x: 0, y: 0, width: 200, height: 100, fills: [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }] });
  fig.select([src.id]);
  const { c, finished } = controller(sketchUi);
  await c.start({ type: 'run-request', runId: 1, options: SKETCH_OPTIONS, toolTitle: 'Sketch' });
  const end = await finished;
  assert.equal(end.placed, 4);
  assert.equal(fig.commits, 1, 'one undo step for the four');
  const made = fig.all().filter((s) => s.name.startsWith('Drawing · Sketch')).sort((a, b) => a.x - b.x);
  assert.deepEqual(made.map((s) => s.name), [7, 8, 9, 10].map((k) => `Drawing · Sketch (seed ${k})`), 'left to right in seed order');
  for (let i = 1; i < made.length; i++) assert.ok(made[i].x >= made[i - 1].x + made[i - 1].width, 'no two overlap');
  for (const s of made) assert.deepEqual([s.width, s.height], [200, 200], 'the square result as wide as the drawing');
  const data = made.map((s) => readRelaunch(fig.handle(s.id))!);
  assert.deepEqual(data.map((d) => [d.options.seed, d.options.variations]), [[7, 1], [8, 1], [9, 1], [10, 1]]);
  assert.ok(data.every((d) => typeof d.sketch === 'string' && d.sketch.length > 20), 'the sketch is kept on each result');
});

test('edit: a result (or a group holding it and painted strokes) sends the sketch and seed it was made with', async () => {
  const fig = setup();
  const src = fig.addLayer({ type: 'RECTANGLE', name: 'Drawing', x: 0, y: 0, width: 64, height: 64, fills: [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }] });
  fig.select([src.id]);
  const made = controller(sketchUi);
  await made.c.start({ type: 'run-request', runId: 1, options: { ...SKETCH_OPTIONS, variations: 1, seed: 42, color: '#3366cc', latentStrength: 0.75 }, toolTitle: 'Sketch' });
  await made.finished;
  const result = fig.byName('Drawing · Sketch')!;
  const requests: JobRequest[] = [];
  const editUi: UiScript = (m, ctl) => {
    requests.push(m);
    sketchUi(m, ctl);
  };
  // Edit on the result itself, with the panel's own seed and no colour: the result's win.
  fig.select([result.id]);
  const edit = controller(editUi);
  await edit.c.start({ type: 'run-request', runId: 2, options: { ...SKETCH_OPTIONS, tool: 'edit', variations: 1, seed: 0, strength: 0.3 }, toolTitle: 'Edit' });
  await edit.finished;
  assert.equal(requests.length, 1);
  assert.ok(requests[0].sketch && decodePng(requests[0].sketch).width === 16, 'the remembered sketch is sent');
  assert.deepEqual([requests[0].options.seed, requests[0].options.color, requests[0].options.latentStrength, requests[0].options.strength], [42, '#3366cc', 0.75, 0.3]);
  // A group of the result and a stroke painted over it: the sketch is found inside.
  const stroke = fig.addLayer({ type: 'RECTANGLE', name: 'Paint', x: result.x + 4, y: 4, width: 10, height: 3, fills: [{ type: 'SOLID', color: { r: 0, g: 0.6, b: 0 } }] });
  const group = fig.api().group([fig.handle(result.id) as SceneNode, fig.handle(stroke.id) as SceneNode], fig.api().currentPage);
  fig.select([group.id]);
  const grouped = controller(editUi);
  await grouped.c.start({ type: 'run-request', runId: 3, options: { ...SKETCH_OPTIONS, tool: 'edit', variations: 1, seed: 0, strength: 0.3 }, toolTitle: 'Edit' });
  await grouped.finished;
  assert.ok(requests[1].sketch, 'found inside the group');
  assert.equal(requests[1].options.seed, 42);
  // An image with no remembered sketch: none is sent (the engine extracts one).
  fig.select([src.id]);
  const plain = controller(editUi);
  await plain.c.start({ type: 'run-request', runId: 4, options: { ...SKETCH_OPTIONS, tool: 'edit', variations: 1, seed: 5, strength: 0.3 }, toolTitle: 'Edit' });
  await plain.finished;
  assert.equal(requests[2].sketch, undefined);
  assert.equal(requests[2].options.seed, 5);
});

test('sketch: a 10,000 px drawing is read at a scale that fits 1024 px, not refused', async () => {
  const fig = setup();
  const big = fig.addLayer({ type: 'RECTANGLE', name: 'Huge', x: 0, y: 0, width: 10_000, height: 5_000, fills: [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }] });
  fig.select([big.id]);
  const restore = await readSelection(fig.api().currentPage.selection);
  assert.equal(restore.problem?.code, 'too-large', 'Restore refuses it');
  const sketch = await readSelection(fig.api().currentPage.selection, 1024);
  assert.equal(sketch.problem, null);
  assert.deepEqual([sketch.items[0].width, sketch.items[0].height], [1024, 512]);
});
