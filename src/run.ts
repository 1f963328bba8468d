// Runs the tool on each selected layer in turn: export → UI (engine) → place → commitUndo.
// Everything is checked before work starts; a failure or cancel leaves the document as it was.
import { exportPng, pngSize } from './export-image';
import { messageFor } from './messages';
import { placeResult } from './place-result';
import { outputSize, resultSizeProblem, type ErrorCode, type JobFailed, type JobResult, type MainToUi, type RunRequest } from './protocol';
import { readSelection } from './selection';

type Outcome = { ok: true; result: JobResult } | { ok: false; code: ErrorCode; detail: string };

class RunError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail = '',
    readonly nodeName?: string,
  ) {
    super(code);
  }
}

/**
 * How long main waits for the panel's answer to one job before it gives up: a minute for starting the
 * engine and loading models, plus 30 s per megapixel of result per network evaluation (WASM on one
 * thread runs the shipped models at 0.4–2 s per megapixel, so this is over ten times that).
 */
export const JOB_TIMEOUT = { baseMs: 60_000, perMegapixelMs: 30_000 };

export function jobTimeoutMs(resultPixels: number, evaluations: number, t = JOB_TIMEOUT): number {
  return Math.round(t.baseMs + t.perMegapixelMs * (resultPixels / 1e6) * Math.max(1, evaluations));
}

/** Starts the detail of a job that got no answer in time (reported as 'inference-failed'). */
export const TIMED_OUT = 'timed out';

type Run = { runId: number; cancelled: boolean; waiting: { jobId: number; settle(o: Outcome): void } | null };

export class RunController {
  private active: Run | null = null;
  private nextJob = 1;

  constructor(
    private readonly post: (m: MainToUi) => void,
    private readonly timeouts = JOB_TIMEOUT,
  ) {}

  get busy(): boolean {
    return this.active !== null;
  }

  async start(req: RunRequest): Promise<void> {
    if (this.active) {
      this.post({ type: 'run-finished', runId: req.runId, placed: 0, failed: 0, cancelled: false, error: { code: 'busy', detail: '' } });
      return;
    }
    const run: Run = { runId: req.runId, cancelled: false, waiting: null };
    this.active = run;
    let placed = 0;
    let failed = 0;
    let error: { code: ErrorCode; detail: string } | null = null;
    try {
      const selection = await readSelection(figma.currentPage.selection);
      if (run.cancelled) throw new RunError('cancelled');
      if (selection.problem) throw new RunError(selection.problem.code, '', selection.problem.nodeName);
      // Refuse before any work: every result must fit the limits at this tool's scale.
      for (const it of selection.items) {
        const out = outputSize(it.width, it.height, req.options.scale);
        const problem = resultSizeProblem(out.width, out.height);
        if (problem) throw new RunError(problem, `${out.width}×${out.height}`, it.name);
      }
      const count = selection.items.length;
      for (let index = 0; index < count && !run.cancelled; index++) {
        const item = selection.items[index];
        try {
          const done = await this.processOne(run, req, item.id, item.exportScale, index, count);
          if (done) {
            placed++;
            this.post({ type: 'job-placed', runId: req.runId, jobId: done.jobId, index, count, nodeIds: done.nodeIds });
          }
        } catch (err) {
          const e = err instanceof RunError ? err : new RunError('internal', String(err));
          if (e.code === 'cancelled') break;
          failed++;
          error = error ?? { code: e.code, detail: e.detail };
          figma.notify(messageFor(e.code, e.nodeName ?? item.name), { error: true });
          // The panel stopped answering: the next layer would only wait as long again.
          if (e.detail.startsWith(TIMED_OUT)) break;
        }
      }
    } catch (err) {
      const e = err instanceof RunError ? err : new RunError('internal', String(err));
      if (e.code !== 'cancelled') {
        error = { code: e.code, detail: e.detail };
        figma.notify(messageFor(e.code, e.nodeName), { error: true });
      }
    } finally {
      // A cancelled run has already given its place up (a new run may hold it by now).
      if (this.active === run) this.active = null;
    }
    if (!run.cancelled && placed > 0) figma.notify(`Added ${placed} layer${placed === 1 ? '' : 's'}.`);
    this.post({ type: 'run-finished', runId: req.runId, placed, failed, cancelled: run.cancelled, error });
  }

  /** One layer; returns its job id and the new node ids, or null when cancelled. */
  private async processOne(
    run: Run,
    req: RunRequest,
    nodeId: string,
    exportScale: number,
    index: number,
    count: number,
  ): Promise<{ jobId: number; nodeIds: string[] } | null> {
    const node = await this.liveNode(nodeId);
    if (run.cancelled) return null;
    let png: Uint8Array;
    try {
      png = await exportPng(node as SceneNode & ExportMixin, exportScale);
    } catch (err) {
      throw new RunError('export-failed', String(err), node.name);
    }
    if (run.cancelled) return null;
    const jobId = this.nextJob++;
    const size = pngSize(png);
    const out = size ? outputSize(size.width, size.height, req.options.scale) : { width: 0, height: 0 };
    // The limits again, on the image Figma really exported (its size can differ from the estimate).
    const tooBig = size ? resultSizeProblem(out.width, out.height) : null;
    if (tooBig) throw new RunError(tooBig, `${out.width}×${out.height}`, node.name);
    const waitMs = jobTimeoutMs(out.width * out.height, req.options.modelIds.length * Math.max(1, req.options.steps), this.timeouts);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await new Promise<Outcome>((settle) => {
      run.waiting = { jobId, settle };
      // A panel that never answers (a hung engine, a lost message) must not hold the plugin forever.
      timer = setTimeout(() => settle({ ok: false, code: 'inference-failed', detail: `${TIMED_OUT}: no answer from the panel in ${Math.round(waitMs / 1000)} s` }), waitMs);
      this.post({ type: 'job-request', runId: req.runId, jobId, index, count, sourceName: node.name, png, options: req.options });
    });
    clearTimeout(timer);
    run.waiting = null;
    if (run.cancelled) return null;
    if (!outcome.ok) throw new RunError(outcome.code, outcome.detail, node.name);
    // The result must be the size this run makes from the exported image, or it would be placed wrong.
    const got = outcome.result;
    if (size && (got.width !== out.width || got.height !== out.height)) {
      throw new RunError('inference-failed', `the result is ${got.width}×${got.height}, expected ${out.width}×${out.height}`, node.name);
    }
    // The user may have deleted the layer while the model ran: write nothing then.
    const source = await this.liveNode(nodeId);
    // A Cancel (or the plugin closing) that arrived during that lookup wins: nothing is written.
    if (run.cancelled) return null;
    let result: SceneNode;
    try {
      result = placeResult({
        source: source as SceneNode & LayoutMixin,
        pieces: outcome.result.pieces,
        width: outcome.result.width,
        height: outcome.result.height,
        exportScale,
        placement: req.options.placement,
        toolTitle: req.toolTitle,
        options: req.options,
      });
    } catch (err) {
      throw new RunError('place-failed', String(err), source.name);
    }
    figma.currentPage.selection = [result];
    figma.viewport.scrollAndZoomIntoView([result]);
    figma.commitUndo(); // one undo step per result
    return { jobId, nodeIds: [result.id] };
  }

  private async liveNode(id: string): Promise<SceneNode> {
    const node = await figma.getNodeByIdAsync(id);
    if (!node || node.removed || !('exportAsync' in node)) throw new RunError('source-removed');
    return node as SceneNode;
  }

  jobResult(m: JobResult): void {
    const w = this.active?.waiting;
    if (w && w.jobId === m.jobId) w.settle({ ok: true, result: m });
  }

  jobFailed(m: JobFailed): void {
    const w = this.active?.waiting;
    if (w && w.jobId === m.jobId) w.settle({ ok: false, code: m.code, detail: m.detail });
  }

  /**
   * Stops the run (Cancel, or the plugin closing): the pending job resolves as cancelled, nothing is
   * placed, and the controller is free at once for the next run. No runId (or null): whatever runs.
   */
  cancel(runId?: number | null): void {
    const run = this.active;
    if (!run || (runId !== undefined && runId !== null && run.runId !== runId)) return;
    run.cancelled = true;
    this.active = null;
    run.waiting?.settle({ ok: false, code: 'cancelled', detail: '' });
  }
}
