// onnxruntime-web for the worker. The hosted build swaps this import for 'onnxruntime-web/webgpu'
// (build.mjs alias); both bundles embed their glue code, so only the wasm binary is supplied here.
import * as ort from 'onnxruntime-web/wasm';
import type { OrtModule } from './session';

/** Configures ORT for a frame with no threads and no URL to load files from (Figma's null-origin iframe). */
export function setupOrt(wasmBinary: Uint8Array): OrtModule {
  ort.env.wasm.wasmBinary = wasmBinary;
  ort.env.wasm.numThreads = 1; // no SharedArrayBuffer in a frame that is not cross-origin isolated
  ort.env.wasm.proxy = false; // we are already in our own worker
  ort.env.logLevel = 'error';
  return ort as unknown as OrtModule;
}
