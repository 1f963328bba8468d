// Backend choice and fallback: WebGPU failing at load or mid-run continues on WASM, out loud.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FallbackSession, type Backend, type ModelSession, type OrtModule } from '../../ui/engine/session';
import { planBackends } from '../../ui/engine/backend';
import { EngineError } from '../../ui/engine/errors';
import { evaluateTiled } from '../../ui/engine/evaluate';
import { boxModel } from '../helpers/fake-session';

const ORT = {} as OrtModule; // never touched: the tests pass their own session factory

/** Sessions per backend from a script: 'ok', 'fail-create', or fail on the n-th run. */
function factory(script: Partial<Record<Backend, 'ok' | 'fail-create' | number>>, created: Backend[]) {
  return async (_ort: OrtModule, _bytes: Uint8Array, backend: Backend): Promise<ModelSession> => {
    const plan = script[backend] ?? 'ok';
    if (plan === 'fail-create') throw new Error(`${backend}: no adapter`);
    created.push(backend);
    const inner = boxModel(8);
    let runs = 0;
    return {
      backend,
      async run(x, w, h, t, s, batch) {
        runs++;
        if (typeof plan === 'number' && runs >= plan) throw new Error(`${backend}: device lost`);
        return inner.run(x, w, h, t, s, batch);
      },
      async release() {},
    };
  };
}

const x = new Float32Array(3 * 64 * 64).map((_, i) => Math.sin(i));
const spec = { size: 32, overlap: 8, multiple: 8, batchPixels: 1 }; // one tile per call: the 3rd call fails

test('WebGPU failing mid-run: the run continues on WASM and gives the same result', async () => {
  const created: Backend[] = [];
  const logs: string[] = [];
  const s = await FallbackSession.open(ORT, new Uint8Array(), ['webgpu', 'wasm'], (m) => logs.push(m), factory({ webgpu: 3 }, created));
  assert.equal(s.backend, 'webgpu');
  const y = await evaluateTiled(s, x, 64, 64, 1, 0, spec);
  assert.equal(s.backend, 'wasm');
  assert.deepEqual(created, ['webgpu', 'wasm']);
  assert.match(logs.join('\n'), /webgpu failed mid-run, continuing on wasm: webgpu: device lost/);
  const ref = await evaluateTiled(boxModel(8), x, 64, 64, 1, 0, spec);
  assert.deepEqual(Array.from(y), Array.from(ref));
});

test('WebGPU failing at load: the session opens on WASM with the reason logged', async () => {
  const created: Backend[] = [];
  const logs: string[] = [];
  const s = await FallbackSession.open(ORT, new Uint8Array(), ['webgpu', 'wasm'], (m) => logs.push(m), factory({ webgpu: 'fail-create' }, created));
  assert.equal(s.backend, 'wasm');
  assert.deepEqual(s.fallbacks, ['webgpu could not load the model: webgpu: no adapter']);
});

test('when the last backend fails the error surfaces (no silent empty result)', async () => {
  const s = await FallbackSession.open(ORT, new Uint8Array(), ['wasm'], undefined, factory({ wasm: 1 }, []));
  await assert.rejects(s.run(x, 64, 64, 1, 0), /device lost/);
  await assert.rejects(FallbackSession.open(ORT, new Uint8Array(), ['webgpu', 'wasm'], undefined, factory({ webgpu: 'fail-create', wasm: 'fail-create' }, [])), (e: EngineError) => e.code === 'model-load-failed');
});

test('a model problem (not a backend problem) is not retried on other backends', async () => {
  const created: Backend[] = [];
  const create = async (_o: OrtModule, _b: Uint8Array, backend: Backend): Promise<ModelSession> => {
    created.push(backend);
    throw new EngineError('model-load-failed', 'the model has no input "t"');
  };
  await assert.rejects(FallbackSession.open(ORT, new Uint8Array(), ['webgpu', 'wasm'], undefined, create), /no input "t"/);
  assert.deepEqual(created, ['webgpu']);
});

test('planBackends: feature detection only', async () => {
  const adapter = (f16: boolean) => ({ gpu: { requestAdapter: async () => ({ features: new Set(f16 ? ['shader-f16'] : []) }) } });
  assert.deepEqual((await planBackends(false, { navigator: adapter(true), isSecureContext: true })).order, ['wasm']);
  assert.deepEqual((await planBackends(true, { navigator: {}, isSecureContext: false })).order, ['wasm']);
  assert.deepEqual((await planBackends(true, { navigator: adapter(true), isSecureContext: false })).order, ['wasm'], 'not secure: no WebGPU');
  const gpu = await planBackends(true, { navigator: adapter(true), isSecureContext: true });
  assert.deepEqual([gpu.order, gpu.shaderF16], [['webgpu', 'wasm'], true]);
  assert.deepEqual((await planBackends(true, { navigator: { gpu: { requestAdapter: async () => null } }, isSecureContext: true })).order, ['wasm']);
  const throws = await planBackends(true, { navigator: { gpu: { requestAdapter: async () => { throw new Error('blocked'); } } }, isSecureContext: true });
  assert.match(throws.reason, /blocked/);
});

test('a run refused for what it was given (internal) is not a backend failure: no fallback, the error goes to the caller', async () => {
  const created: Backend[] = [];
  const logs: string[] = [];
  const refusing = async (_ort: OrtModule, _bytes: Uint8Array, backend: Backend): Promise<ModelSession> => {
    created.push(backend);
    return {
      backend,
      async run() {
        throw new EngineError('internal', 'the model needs a mask');
      },
      async release() {},
    };
  };
  const s = await FallbackSession.open(ORT, new Uint8Array(), ['webgpu', 'wasm'], (m) => logs.push(m), refusing);
  await assert.rejects(s.run(x, 64, 64, 1, 0), (e: EngineError) => e.code === 'internal');
  assert.equal(s.backend, 'webgpu');
  assert.deepEqual(created, ['webgpu']);
  assert.deepEqual(logs, []);
});
