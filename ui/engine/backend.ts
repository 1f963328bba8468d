// Which ORT backends to try, in order, decided once from what this frame really offers.
// Feature detection only: Figma's default frame is not a secure context, so WebGPU is simply absent there.
import type { Backend } from './session';

interface GpuLike {
  requestAdapter(): Promise<{ features: { has(name: string): boolean } } | null>;
}

export interface BackendPlan {
  order: Backend[];
  /** One line for the panel and the logs: why this order. */
  reason: string;
  shaderF16: boolean;
}

export async function planBackends(allowWebgpu: boolean, scope: { navigator?: unknown; isSecureContext?: boolean } = globalThis): Promise<BackendPlan> {
  const wasmOnly = (reason: string): BackendPlan => ({ order: ['wasm'], reason, shaderF16: false });
  if (!allowWebgpu) return wasmOnly('this build has the WASM runtime only');
  const gpu = (scope.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!scope.isSecureContext || !gpu) return wasmOnly('WebGPU is not available in this frame');
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return wasmOnly('WebGPU has no adapter here');
    return { order: ['webgpu', 'wasm'], reason: 'WebGPU adapter found', shaderF16: adapter.features.has('shader-f16') };
  } catch (err) {
    return wasmOnly(`WebGPU adapter request failed: ${(err as Error).message}`);
  }
}
