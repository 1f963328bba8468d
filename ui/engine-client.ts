// The panel's handle on the engine Worker: start it from the inlined source, run jobs, cancel fast.
import workerSource from 'virtual:worker-source';
import { hasAsset, readAsset, modelAssetId, WASM_ASSET_ID, buildFlavour } from './assets';
import type { ErrorCode, MaskLayer, ToolId } from '../src/protocol';
import type { EngineOptions } from './engine/tools/types';
import { wallClock, type FromWorker, type ToWorker, type WorkerDone, type WorkerStage } from './engine/worker-protocol';
import type { ModelCard } from './engine/zoo';

/** After Cancel, how long the worker may take to stop by itself before it is terminated. */
export const CANCEL_GRACE_MS = 800;

export class JobError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

interface Pending {
  resolve(d: WorkerDone): void;
  reject(e: JobError): void;
  onProgress(stage: WorkerStage, done: number, total: number, part: number, parts: number): void;
}

export class EngineClient {
  private worker: Worker | null = null;
  private sentModels = new Set<string>();
  private pending = new Map<number, Pending>();
  private nextJob = 1;
  readonly logs: string[] = [];
  onLog: (line: string) => void = () => {};

  private start(): Worker {
    if (this.worker) return this.worker;
    const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    worker.onerror = (e) => this.failAll('internal', `worker error: ${e.message}`);
    this.worker = worker;
    this.sentModels.clear();
    readAsset(WASM_ASSET_ID, true).then(
      (wasmGz) => this.post({ type: 'init', wasmGz, allowWebgpu: buildFlavour() === 'hosted' }, [wasmGz.buffer]),
      (err) => this.failAll('backend-failed', String(err)),
    );
    return worker;
  }

  private post(m: ToWorker, transfer: Transferable[] = []) {
    this.start().postMessage(m, transfer);
  }

  private receive(m: FromWorker) {
    if (m.type === 'log') {
      this.logs.push(m.message);
      this.onLog(m.message);
      return;
    }
    if (m.type === 'preload-failed') {
      this.sentModels.delete(m.modelId); // the run will send the bytes again and report the failure
      return;
    }
    const p = this.pending.get(m.jobId);
    if (!p) return; // a job that was cancelled: its late messages are ignored
    if (m.type === 'progress') p.onProgress(m.stage, m.done, m.total, m.part ?? 0, m.parts ?? 1);
    else {
      this.pending.delete(m.jobId);
      if (m.type === 'done') p.resolve(m);
      else p.reject(new JobError(m.code, m.detail));
    }
  }

  private failAll(code: ErrorCode, detail: string) {
    for (const [, p] of this.pending) p.reject(new JobError(code, detail));
    this.pending.clear();
    this.worker?.terminate();
    this.worker = null;
  }

  /**
   * Starts the worker and opens the model's session in the background, so the first Run does not
   * wait for wasm compilation and session creation. Failures stay quiet here: the run reports them.
   */
  async preload(card: ModelCard): Promise<void> {
    if (this.sentModels.has(card.id) || !hasAsset(modelAssetId(card.id))) return;
    this.start();
    const model = await readAsset(modelAssetId(card.id)).catch(() => null);
    if (!model || this.sentModels.has(card.id)) return;
    this.sentModels.add(card.id);
    this.post({ type: 'preload', card, model }, [model.buffer]);
  }

  /**
   * Runs one image through a chain of models (usually one; e.g. clean then upscale); resolves with the
   * result, rejects with a JobError code.
   */
  async run(
    cards: ModelCard[],
    png: Uint8Array,
    options: EngineOptions,
    onProgress: Pending['onProgress'],
    job: { tool?: ToolId; variations?: number; mask?: MaskLayer[]; sketch?: Uint8Array; swatch?: Uint8Array } = {},
  ): Promise<{ jobId: number; done: Promise<WorkerDone> }> {
    const jobId = this.nextJob++;
    this.start();
    const models: Array<{ card: ModelCard; model: Uint8Array | null }> = [];
    for (const card of cards) {
      let model: Uint8Array | null = null;
      if (!this.sentModels.has(card.id)) {
        if (!hasAsset(modelAssetId(card.id))) throw new JobError('model-missing', `${card.id} is not inlined in this build`);
        // A damaged inlined model fails here (gzip CRC) or in the worker (sha256): both are corruption.
        model = await readAsset(modelAssetId(card.id)).catch((err) => {
          throw new JobError('model-corrupt', `${card.id}: ${(err as Error).message}`);
        });
        this.sentModels.add(card.id);
      }
      models.push({ card, model });
    }
    const done = new Promise<WorkerDone>((resolve, reject) =>
      this.pending.set(jobId, {
        resolve,
        reject: (e) => {
          // The worker drops a session that failed to load: send the bytes again next time.
          if (e.code === 'model-corrupt' || e.code === 'model-load-failed' || e.code === 'model-missing') {
            for (const card of cards) this.sentModels.delete(card.id);
          }
          reject(e);
        },
        onProgress,
      }),
    );
    const transfer: Transferable[] = [png.buffer];
    for (const m of models) if (m.model) transfer.push(m.model.buffer);
    this.post(
      {
        type: 'run', jobId, models, png, options, tool: job.tool ?? 'restore', variations: job.variations ?? 1,
        ...(job.mask ? { mask: job.mask } : {}), ...(job.sketch ? { sketch: job.sketch } : {}), ...(job.swatch ? { swatch: job.swatch } : {}),
        sentAt: wallClock(),
      },
      transfer,
    );
    return { jobId, done };
  }

  /** Cancels a job now (its promise rejects at once); the worker is terminated if it does not stop in time. */
  cancel(jobId: number) {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    p.reject(new JobError('cancelled', ''));
    const worker = this.worker;
    if (!worker) return;
    worker.postMessage({ type: 'cancel', jobId } satisfies ToWorker);
    // The worker checks between tiles; a single long tile could run for seconds, so do not wait on it.
    const timer = setTimeout(() => {
      if (this.worker === worker && this.pending.size === 0) {
        worker.terminate();
        this.worker = null;
        this.onLog('engine restarted after cancel');
      }
    }, CANCEL_GRACE_MS);
    worker.addEventListener('message', function stop(e: MessageEvent<FromWorker>) {
      if ((e.data.type === 'done' || e.data.type === 'error') && e.data.jobId === jobId) {
        clearTimeout(timer);
        worker.removeEventListener('message', stop);
      }
    });
  }
}
