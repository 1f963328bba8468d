// ONNX Runtime sessions behind one small interface, for onnxruntime-web (UI worker) and onnxruntime-node
// (CLI). Backends are tried in order; any failure, at creation or mid-run, falls back to the next one.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { EngineError } from './errors';

export type Backend = 'webgpu' | 'wasm' | 'cpu';

/** The parts of an onnxruntime module we use; both ORT packages satisfy it. */
export interface OrtModule {
  InferenceSession: typeof InferenceSession;
  Tensor: typeof Tensor;
}

/**
 * Which output of the model to read: y = G(x, t, s), the jump to time s; or g = g(x, t, s), the
 * network's endpoint estimate, which at s = t is the denoiser E[x0 | x_t] (models that declare it).
 */
export type OutputName = 'y' | 'g';

/**
 * One evaluation of G(x, t, s) on a [batch, 3, h, w] input (every item at the same t and s).
 * `mask` ([batch, 1, h, w], 1 in the hole) is fed to models that declare a "mask" input (inpaint
 * models whose state carries the hole) and required by them; other models ignore it.
 */
export interface ModelSession {
  readonly backend: Backend;
  run(x: Float32Array, width: number, height: number, t: number, s: number, batch?: number, output?: OutputName, mask?: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

export type Log = (message: string) => void;

async function createOne(ort: OrtModule, bytes: Uint8Array, backend: Backend): Promise<ModelSession> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
  });
  for (const name of ['x', 't', 's']) {
    if (!session.inputNames.includes(name)) throw new EngineError('model-load-failed', `the model has no input "${name}"`);
  }
  if (!session.outputNames.includes('y')) throw new EngineError('model-load-failed', 'the model has no output "y"');
  return {
    backend,
    async run(x, width, height, t, s, batch = 1, output: OutputName = 'y', mask?: Float32Array) {
      if (!session.outputNames.includes(output)) throw new EngineError('model-load-failed', `the model has no output "${output}"`);
      const feeds: Record<string, Tensor> = {
        x: new ort.Tensor('float32', x, [batch, 3, height, width]),
        t: new ort.Tensor('float32', new Float32Array(batch).fill(t), [batch]),
        s: new ort.Tensor('float32', new Float32Array(batch).fill(s), [batch]),
      };
      if (session.inputNames.includes('mask')) {
        if (!mask || mask.length !== batch * width * height) {
          // the caller's mistake, not the backend's: 'internal', so no fallback to another backend
          throw new EngineError('internal', `the model needs a mask of ${batch}×1×${width}×${height}, got ${mask ? mask.length + ' values' : 'none'}`);
        }
        feeds.mask = new ort.Tensor('float32', mask, [batch, 1, height, width]);
      }
      let out;
      try {
        // fetch only the output asked for: the other one is never copied out of the runtime
        out = await session.run(feeds, [output]);
      } catch (err) {
        // ORT's messages name kernels, not the input: add what we fed it.
        throw new EngineError('inference-failed', `${backend} at ${batch}×${width}×${height}, t=${t}, s=${s}: ${(err as Error).message}`);
      }
      const y = out[output];
      const data = (await y.getData()) as Float32Array;
      const copy = data.slice();
      if ('dispose' in y && typeof y.dispose === 'function') y.dispose();
      if (copy.length !== batch * 3 * width * height) {
        throw new EngineError('inference-failed', `the model returned ${copy.length} values for ${batch}×3×${width}×${height}`);
      }
      return copy;
    },
    async release() {
      await session.release();
    },
  };
}

/**
 * A session that starts on the first backend that loads and, when a run fails, moves on to the next
 * backend and repeats that run. The reason for each fallback goes to `log` (the panel shows it).
 */
export class FallbackSession implements ModelSession {
  private current: ModelSession | null = null;
  private index = 0;
  readonly fallbacks: string[] = [];

  private constructor(
    private readonly ort: OrtModule,
    private readonly bytes: Uint8Array,
    private readonly backends: Backend[],
    private readonly log: Log,
    private readonly create: typeof createOne,
  ) {}

  static async open(
    ort: OrtModule,
    bytes: Uint8Array,
    backends: Backend[],
    log: Log = () => {},
    create: typeof createOne = createOne,
  ): Promise<FallbackSession> {
    if (backends.length === 0) throw new EngineError('backend-failed', 'no backend to try');
    const s = new FallbackSession(ort, bytes, backends, log, create);
    await s.openFrom(0);
    return s;
  }

  get backend(): Backend {
    return this.backends[this.index];
  }

  private async openFrom(start: number): Promise<void> {
    let lastError: unknown = null;
    for (let i = start; i < this.backends.length; i++) {
      try {
        this.current = await this.create(this.ort, this.bytes, this.backends[i]);
        this.index = i;
        return;
      } catch (err) {
        lastError = err;
        if (err instanceof EngineError && err.code === 'model-load-failed') throw err; // the model, not the backend
        this.note(`${this.backends[i]} could not load the model: ${(err as Error).message}`);
      }
    }
    throw new EngineError('model-load-failed', (lastError as Error)?.message ?? 'unknown');
  }

  private note(reason: string): void {
    this.fallbacks.push(reason);
    this.log(reason);
  }

  async run(x: Float32Array, width: number, height: number, t: number, s: number, batch = 1, output: OutputName = 'y', mask?: Float32Array): Promise<Float32Array> {
    for (;;) {
      if (!this.current) throw new EngineError('backend-failed', 'the session was released');
      try {
        return await this.current.run(x, width, height, t, s, batch, output, mask);
      } catch (err) {
        if (this.index + 1 >= this.backends.length) throw err;
        if (err instanceof EngineError && err.code === 'internal') throw err; // the same on any backend
        this.note(`${this.backend} failed mid-run, continuing on ${this.backends[this.index + 1]}: ${(err as Error).message}`);
        const failed = this.current;
        this.current = null;
        failed.release().catch(() => {});
        await this.openFrom(this.index + 1);
      }
    }
  }

  async release(): Promise<void> {
    const s = this.current;
    this.current = null;
    if (s) await s.release();
  }
}

export { createOne as createOrtSession };
