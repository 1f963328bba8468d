// The panel: pick a tool and its options, run it on the selection, show progress, result and errors.
// State machine: idle → running (stage, %) → done | error | idle (cancelled).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DEFAULT_SETTINGS, outputSize, resultSizeProblem, type ErrorCode, type JobRequest, type MainToUi, type RunOptions, type SelectionState, type Settings, type ToolId } from '../../src/protocol';
import { readZoo } from '../assets';
import { send, subscribe } from '../bridge';
import { EngineClient, JobError } from '../engine-client';
import { supportsTool } from '../engine/tools';
import { chainScale } from '../engine/tools/restore';
import { sketchSize } from '../engine/tools/sketch';
import type { ModelCard } from '../engine/zoo';
import { choose, settingsForChain } from './restore-choice';
import { availableTools, currentTool, runOptionsFor, sketchScales, toolChain, toolTitle, TOOL_LABELS } from './tool-choice';
import { InpaintOptions, previewCoverage } from './InpaintOptions';
import { SketchOptions } from './SketchOptions';
import { MAX_MASK_SHARE } from '../engine/tools/inpaint';
import type { WorkerStage } from '../engine/worker-protocol';
import { ErrorView } from './ErrorView';
import { Preview } from './Preview';
import { Progress } from './Progress';
import { ToolOptions } from './ToolOptions';
import { backendWords, durationWords, estimateSeconds } from './plain';

export type Status =
  | { kind: 'idle'; note?: string }
  | { kind: 'running'; runId: number; index: number; count: number; stage: WorkerStage | 'export'; done: number; total: number; part: number; parts: number }
  | { kind: 'done'; placed: number; backend: string; ms: number; note?: string }
  | { kind: 'error'; code: ErrorCode; detail: string };

const EMPTY: SelectionState = { items: [], problem: { code: 'empty-selection' } };

function pngUrl(bytes: Uint8Array): string {
  return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
}

export function App() {
  const cards = useMemo(() => readZoo().filter((c) => supportsTool(c.tool)), []);
  const engine = useMemo(() => new EngineClient(), []);
  const [selection, setSelection] = useState<SelectionState>(EMPTY);
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  // The settings as last changed, ahead of the re-render: two changes in quick succession (type a
  // number, then pick a size) must both count, not the second one merged into a stale copy.
  const latestSettings = useRef<Settings>(DEFAULT_SETTINGS);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [before, setBefore] = useState<string | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  // Each preview URL is released when it is replaced (a blob URL holds its image until revoked).
  useEffect(() => () => void (before && URL.revokeObjectURL(before)), [before]);
  useEffect(() => () => void (after && URL.revokeObjectURL(after)), [after]);
  // What the engine said about where it runs ("backends: wasm (…)") and about falling back, for About.
  const [engineLog, setEngineLog] = useState<string[]>([]);
  // Result layers of the last run, and the selection the panel last saw: a selection change to
  // anything else makes "Added 1 layer", errors and the preview stale.
  const placedIds = useRef<string[]>([]);
  const seenSelection = useRef<string>('');
  // Until main's 'init' arrives the settings are defaults that init will replace: keep inputs disabled.
  const [ready, setReady] = useState(false);
  const run = useRef<{ runId: number; engineJob: number | null; started: number; backend: string; note?: string } | null>(null);
  const nextRun = useRef(1);

  const tools = availableTools(cards);
  const tool: ToolId = currentTool(cards, settings) ?? 'restore';
  const chosen = choose(cards, settings);
  const chain = toolChain(cards, tool, settings);

  useEffect(() => {
    // A new plan (a new worker) starts the log again; the plan line is kept however long the log gets.
    engine.onLog = (line) =>
      setEngineLog((log) => (line.startsWith('backends: ') ? [line] : log.length < 10 ? [...log, line] : [log[0], ...log.slice(2), line]));
  }, [engine]);

  /** Starts a run; values are passed in (not read from this render) so "Run again" can start from init. */
  function start(models: ModelCard[], opts: RunOptions | null, layers: number) {
    if (!opts || models.length === 0 || run.current) return;
    const runTool = opts.tool ?? 'restore';
    const runId = nextRun.current++;
    run.current = { runId, engineJob: null, started: performance.now(), backend: '' };
    placedIds.current = [];
    setBefore(null);
    setAfter(null);
    setStatus({ kind: 'running', runId, index: 0, count: Math.max(1, layers), stage: 'export', done: 0, total: 1, part: 0, parts: models.length });
    send({ type: 'run-request', runId, options: opts, toolTitle: toolTitle(runTool, models) });
  }

  function cancel() {
    const r = run.current;
    if (!r) return;
    if (r.engineJob !== null) engine.cancel(r.engineJob);
    send({ type: 'cancel', runId: r.runId });
    run.current = null;
    setStatus({ kind: 'idle', note: 'Cancelled. Nothing was added.' });
  }

  /** The way out of "busy": stop whatever run main still has, then Run works again. */
  function stopOther() {
    send({ type: 'cancel', runId: null });
    setStatus({ kind: 'idle', note: 'Stopped. Nothing was added.' });
  }

  async function onJob(m: JobRequest) {
    const r = run.current;
    const jobCards = m.options.modelIds.map((id) => cards.find((c) => c.id === id));
    const missing = m.options.modelIds.filter((_, i) => !jobCards[i]);
    if (!r || r.runId !== m.runId) return send({ type: 'job-failed', jobId: m.jobId, code: 'cancelled', detail: '' });
    if (missing.length > 0 || jobCards.length === 0) return send({ type: 'job-failed', jobId: m.jobId, code: 'model-missing', detail: missing.join(', ') || 'no model' });
    setBefore(pngUrl(m.png));
    setAfter(null);
    const progress = (stage: WorkerStage | 'export', done: number, total: number, part = 0, parts = 1) =>
      setStatus({ kind: 'running', runId: m.runId, index: m.index, count: m.count, stage, done, total, part, parts });
    try {
      const { jobId, done } = await engine.run(jobCards as ModelCard[], m.png.slice(), m.options, progress, {
        tool: m.options.tool, variations: m.options.variations, mask: m.mask, sketch: m.sketch, swatch: m.swatch,
      });
      if (run.current !== r) return engine.cancel(jobId);
      r.engineJob = jobId;
      const result = await done;
      r.engineJob = null;
      r.backend = result.backend;
      if (result.sketchInfo?.kind === 'extracted') r.note = 'The layer is not a line drawing: a sketch was extracted from it first.';
      const first = result.results[0];
      if (first && first.pieces.length === 1) setAfter(pngUrl(first.pieces[0].png));
      send({ type: 'job-result', jobId: m.jobId, results: result.results, backend: result.backend, timings: result.timings, ...(result.sketch ? { sketch: result.sketch } : {}) });
    } catch (err) {
      const e = err instanceof JobError ? err : new JobError('internal', String(err));
      send({ type: 'job-failed', jobId: m.jobId, code: e.code, detail: e.detail });
    }
  }

  /** A new selection from main: after a run, anything but the results it placed clears its outcome. */
  function onSelection(next: SelectionState) {
    setSelection(next);
    const selected = next.ids ?? next.items.map((it) => it.id);
    const ids = selected.join(',');
    const changed = ids !== seenSelection.current;
    seenSelection.current = ids;
    if (!changed || run.current) return;
    // Main selects what it just added (each result in turn): still the same run's view.
    if (selected.length > 0 && selected.every((id) => placedIds.current.includes(id))) return;
    placedIds.current = [];
    setStatus((st) => (st.kind === 'running' ? st : { kind: 'idle' }));
    setBefore(null);
    setAfter(null);
  }

  function onMessage(m: MainToUi) {
    if (m.type === 'init') {
      setSelection(m.selection);
      seenSelection.current = (m.selection.ids ?? m.selection.items.map((it) => it.id)).join(',');
      const relaunch = m.relaunch;
      const merged: Settings = { ...DEFAULT_SETTINGS, ...m.settings };
      if (relaunch) {
        const { steps, seed, placement } = relaunch;
        const runTool = relaunch.tool ?? 'restore';
        Object.assign(merged, { steps, seed, placement, output: relaunch.output ?? null, tool: runTool });
        if (runTool === 'restore') Object.assign(merged, settingsForChain(cards, relaunch.modelIds));
        if (runTool === 'sketch' || runTool === 'edit') {
          Object.assign(merged, { variations: relaunch.variations ?? 1, color: relaunch.color ?? null, sketchScale: relaunch.scale });
          if (relaunch.latentStrength !== undefined) merged.latentStrength = relaunch.latentStrength;
          if (runTool === 'edit') merged.editStrength = relaunch.strength;
        }
      }
      latestSettings.current = merged;
      setSettings(merged);
      setReady(true);
      for (const c of toolChain(cards, currentTool(cards, merged) ?? 'restore', merged)) void engine.preload(c);
      // "Run again" on a result: start at once with the models and options stored on it.
      if (m.command === 'run-again' && relaunch && !m.selection.problem) {
        const models = relaunch.modelIds.map((id) => cards.find((x) => x.id === id)).filter((c): c is ModelCard => !!c);
        if (models.length === relaunch.modelIds.length) start(models, runOptionsFor(relaunch.tool ?? 'restore', models, merged), m.selection.items.length);
        else setStatus({ kind: 'error', code: 'model-missing', detail: relaunch.modelIds.join(', ') });
      }
    } else if (m.type === 'selection') onSelection(m.selection);
    else if (m.type === 'job-placed') {
      if (run.current?.runId === m.runId) placedIds.current = [...placedIds.current, ...m.nodeIds];
    } else if (m.type === 'job-request') void onJob(m);
    else if (m.type === 'run-finished') {
      const r = run.current;
      if (!r || r.runId !== m.runId) return;
      run.current = null;
      // Main gave up on the job (it timed out) or ended the run: stop the engine's work on it too.
      if (r.engineJob !== null) engine.cancel(r.engineJob);
      if (m.cancelled) setStatus({ kind: 'idle', note: 'Cancelled. Nothing was added.' });
      else if (m.error && m.placed === 0) setStatus({ kind: 'error', code: m.error.code, detail: m.error.detail });
      else setStatus({ kind: 'done', placed: m.placed, backend: r.backend, ms: performance.now() - r.started, note: r.note });
    }
  }

  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => subscribe((m) => handler.current(m)), []);

  function update(next: Partial<Settings>) {
    const merged = { ...latestSettings.current, ...next };
    latestSettings.current = merged;
    setSettings(merged);
    send({ type: 'save-settings', settings: merged });
    for (const c of toolChain(cards, currentTool(cards, merged) ?? 'restore', merged)) void engine.preload(c);
  }

  const running = status.kind === 'running';
  const scale = tool === 'inpaint' ? 1 : chainScale(chain);
  const square = (tool === 'sketch' || tool === 'edit') && chain[0] ? sketchSize(chain[0]) * scale : 0;
  // The panel read a selection for another tool (main re-reads it when the tool changes): wait for that.
  const stale = (selection.tool ?? 'restore') !== tool && !selection.problem;
  const coverage = tool === 'inpaint' ? previewCoverage(selection.preview ?? null) : null;
  const maskTooLarge = coverage !== null && coverage > MAX_MASK_SHARE;
  // A result over the limits at this size is refused by main before any work: say so before Run.
  const tooBig = selection.problem || square
    ? null
    : selection.items
        .map((it) => ({ it, out: outputSize(it.width, it.height, scale) }))
        .map(({ it, out }) => ({ it, out, code: resultSizeProblem(out.width, out.height) }))
        .find((x) => x.code !== null) ?? null;
  // Inpaint runs on crops around the holes, not the whole image: about one model-size evaluation per hole.
  const estimated = tool === 'inpaint' ? chain.slice(0, 1) : chain;
  const pixels = square ? square * square : tool === 'inpaint' && chain[0]?.source.size ? chain[0].source.size ** 2 : selection.items.reduce((n, it) => n + it.width * it.height, 0);
  const seconds = selection.problem ? null : estimateSeconds(estimated, pixels);
  const options = runOptionsFor(tool, chain, settings);
  return (
    <main class="panel" data-ready={ready ? 'true' : 'false'}>
      {cards.length === 0 ? (
        <p class="empty" data-testid="no-models">This build has no models. Put a model and its card in models/zoo and rebuild.</p>
      ) : (
        <>
          {tools.length > 1 && (
            <nav class="tools" role="tablist" data-testid="tools">
              {tools.map((t) => (
                <button key={t} role="tab" data-testid={`tool-${t}`} aria-selected={t === tool} class={t === tool ? 'selected' : ''} disabled={running || !ready}
                  onClick={() => update({ tool: t })}>{TOOL_LABELS[t]}</button>
              ))}
            </nav>
          )}
          {tool === 'restore' && <ToolOptions cards={cards} chosen={chosen} settings={settings} disabled={running || !ready} runsOn={runsOnWords(engineLog)} onChange={update} />}
          {(tool === 'sketch' || tool === 'edit') && (
            <SketchOptions tool={tool} chain={chain} scales={sketchScales(cards)} settings={settings} selected={selection.items} disabled={running || !ready} onChange={update} />
          )}
          {tool === 'inpaint' && <InpaintOptions chain={chain} preview={selection.preview ?? null} settings={settings} disabled={running || !ready} onChange={update} />}
        </>
      )}
      <section class="selection" data-testid="selection">
        {selection.problem ? (
          <ErrorView code={selection.problem.code} layer={selection.problem.nodeName} quiet />
        ) : (
          selection.items.map((it) => {
            const out = square ? { width: square, height: square } : outputSize(it.width, it.height, scale);
            return (
              <div key={it.id} class="item">
                <span class="name">{it.name}</span> <span class="dim">{it.width}×{it.height} → {out.width}×{out.height}</span>
              </div>
            );
          })
        )}
      </section>
      {tooBig && <ErrorView code={tooBig.code!} layer={tooBig.it.name} detail={`${tooBig.out.width}×${tooBig.out.height} at ×${scale}`} quiet />}
      <div class="actions">
        {running ? (
          <button data-testid="cancel" onClick={cancel}>Cancel</button>
        ) : (
          <button data-testid="run" class="primary" disabled={!ready || chain.length === 0 || !!selection.problem || !!tooBig || stale || maskTooLarge} onClick={() => start(chain, options, selection.items.length)}>
            {selection.items.length > 1 ? `Run on ${selection.items.length} layers` : 'Run'}
          </button>
        )}
        {!running && seconds !== null && !tooBig && <span class="dim" data-testid="estimate">Takes {durationWords(seconds)}</span>}
      </div>
      {status.kind === 'running' && <Progress status={status} />}
      {status.kind === 'error' && <ErrorView code={status.code} detail={status.detail} />}
      {status.kind === 'error' && status.code === 'busy' && (
        // Main still holds a run this panel does not know about: let the user stop it.
        <button data-testid="stop-other" onClick={stopOther}>Stop</button>
      )}
      {status.kind === 'done' && (
        <p class="status" data-testid="done" data-backend={status.backend}>
          Added {status.placed} layer{status.placed === 1 ? '' : 's'} in {(status.ms / 1000).toFixed(1)} s{status.backend ? ` on ${backendWords(status.backend)}` : ''}.
        </p>
      )}
      {status.kind === 'done' && status.note && <p class="status dim" data-testid="done-note">{status.note}</p>}
      {status.kind === 'idle' && status.note && <p class="status" data-testid="note">{status.note}</p>}
      <Preview before={before} after={after} />
      <p hidden data-testid="backend">{engineLog.join('\n')}</p>
    </main>
  );
}

/** The engine's log about backends, in plain words ("the processor", "the graphics card, else the processor"). */
function runsOnWords(log: string[]): string {
  const plan = log.find((l) => l.startsWith('backends: '));
  const m = plan ? /^backends: (.+?) \(/.exec(plan) : null;
  if (!m) return '';
  const order = m[1].split(' → ');
  if (log.some((l) => /^webgpu (failed mid-run|could not load the model)/.test(l))) return 'the processor (the graphics card failed here)';
  return order.length > 1 ? `${backendWords(order[0])}, else ${backendWords(order.slice(1).join('+'))}` : backendWords(order[0]);
}
