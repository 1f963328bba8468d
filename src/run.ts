// Runs the tool on each selected layer in turn: export → UI (engine) → place → commitUndo.
// Everything is checked before work starts; a failure or cancel leaves the document as it was.
import { bytesToBase64 } from './base64';
import { pngSize } from './export-image';
import { expectedSize, JobProblem, prepareJob, readTargets, sizeProblem, toolOf, type JobTarget } from './jobs';
import { messageFor } from './messages';
import { placeResult } from './place-result';
import { resultSizeProblem, type ErrorCode, type JobFailed, type JobResult, type MainToUi, type RunRequest } from './protocol';

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
      const tool = toolOf(req.options);
      const selection = await readTargets(tool, figma.currentPage.selection);
      if (run.cancelled) throw new RunError('cancelled');
      if (selection.problem) throw new RunError(selection.problem.code, '', selection.problem.nodeName);
      // Refuse before any work: every result must fit the limits at this tool's scale.
      for (const { item } of selection.targets) {
        const problem = sizeProblem(tool, item, req.options.scale);
        if (problem) throw new RunError(problem.code, problem.detail, item.name);
      }
      const count = selection.targets.length;
      for (let index = 0; index < count && !run.cancelled; index++) {
        const target = selection.targets[index];
        const item = target.item;
        try {
          const done = await this.processOne(run, req, target, index, count);
          if (done) {
            placed += done.nodeIds.length;
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

  /** One job; returns its id and the new node ids, or null when cancelled. */
  private async processOne(run: Run, req: RunRequest, target: JobTarget, index: number, count: number): Promise<{ jobId: number; nodeIds: string[] } | null> {
    const tool = toolOf(req.options);
    const node = await this.liveNode(target.item.id);
    if (run.cancelled) return null;
    let job;
    try {
      job = await prepareJob(node as SceneNode & ExportMixin, target, req.options);
    } catch (err) {
      if (err instanceof JobProblem) throw new RunError(err.code, err.detail, err.nodeName ?? node.name);
      throw err;
    }
    if (run.cancelled) return null;
    const jobId = this.nextJob++;
    const size = pngSize(job.png);
    const expected = size ? expectedSize(tool, size, req.options.scale) : null;
    // The limits again, on the image Figma really exported (its size can differ from the estimate).
    const tooBig = expected ? resultSizeProblem(expected.width, expected.height) : null;
    if (tooBig && expected) throw new RunError(tooBig, `${expected.width}×${expected.height}`, node.name);
    const pixels = expected ? expected.width * expected.height : 1024 * 1024;
    const evaluations = req.options.modelIds.length * Math.max(1, req.options.steps) * (req.options.variations ?? 1);
    const waitMs = jobTimeoutMs(pixels, evaluations, this.timeouts);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await new Promise<Outcome>((settle) => {
      run.waiting = { jobId, settle };
      // A panel that never answers (a hung engine, a lost message) must not hold the plugin forever.
      timer = setTimeout(() => settle({ ok: false, code: 'inference-failed', detail: `${TIMED_OUT}: no answer from the panel in ${Math.round(waitMs / 1000)} s` }), waitMs);
      this.post({
        type: 'job-request', runId: req.runId, jobId, index, count, sourceName: node.name, png: job.png, options: job.options,
        ...(job.mask ? { mask: job.mask } : {}), ...(job.sketch ? { sketch: job.sketch } : {}), ...(job.swatch ? { swatch: job.swatch } : {}),
      });
    });
    clearTimeout(timer);
    run.waiting = null;
    if (run.cancelled) return null;
    if (!outcome.ok) throw new RunError(outcome.code, outcome.detail, node.name);
    const results = outcome.result.results;
    // Each result must be the size this run makes from the exported image, or it would be placed wrong.
    for (const got of results) {
      const want = expected ?? results[0];
      if (got.width !== want.width || got.height !== want.height) {
        throw new RunError('inference-failed', `a result is ${got.width}×${got.height}, expected ${want.width}×${want.height}`, node.name);
      }
    }
    // The user may have deleted the layer while the model ran: write nothing then.
    const source = await this.liveNode(target.item.id);
    const shapes = await Promise.all(target.shapeIds.map((id) => figma.getNodeByIdAsync(id)));
    // A Cancel (or the plugin closing) that arrived during that lookup wins: nothing is written.
    if (run.cancelled) return null;
    const sketch = outcome.result.sketch ? bytesToBase64(outcome.result.sketch) : undefined;
    const placed: SceneNode[] = [];
    try {
      for (const r of results) {
        // Each result remembers the seed that reproduces it (one variation, not four, on Run again).
        const options = r.seed === undefined ? job.options : { ...job.options, seed: r.seed, variations: 1 };
        placed.push(
          placeResult({
            source: source as SceneNode & LayoutMixin,
            pieces: r.pieces,
            width: r.width,
            height: r.height,
            exportScale: target.item.exportScale,
            // Variations all go beside, whatever Replace says: four results cannot all take the layer's place.
            placement: results.length > 1 ? 'beside' : req.options.placement,
            toolTitle: results.length > 1 ? `${req.toolTitle} (seed ${r.seed})` : req.toolTitle,
            options,
            sketch,
            alsoHide: shapes.filter((n): n is SceneNode => !!n && !n.removed && n.type !== 'PAGE' && n.type !== 'DOCUMENT'),
            after: placed[placed.length - 1],
            fitToSource: tool === 'sketch' || tool === 'edit',
          }),
        );
      }
    } catch (err) {
      // Either every result of the job is written or none is.
      for (const n of placed) if (!n.removed) n.remove();
      throw new RunError('place-failed', String(err), source.name);
    }
    figma.currentPage.selection = placed;
    figma.viewport.scrollAndZoomIntoView(placed);
    figma.commitUndo(); // one undo step per job (all its variations)
    return { jobId, nodeIds: placed.map((n) => n.id) };
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
