/**
 * The compute backend: `await initBackend()` once at start-up, then train on whatever tfjs
 * backend it returns; `backendInfo()` for trial metadata. On CPU machines this is tfjs's
 * wasm backend with our training kernels (conv gradients, UnsortedSegmentSum), threads
 * under Node, and XNNPACK failures turned into exceptions.
 */
export { initBackend, backendInfo, type InitBackendOptions } from './init.ts';
export { BACKEND_NAMES, isBackendName, type BackendInfo, type BackendName } from './types.ts';
export { WasmOutOfMemoryError, WasmRuntimeError, XnnpackError, XNN_STATUS } from './errors.ts';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, RELU_GRAD } from './kernels/index.ts';
export { defaultThreads, MAX_WASM_THREADS, type ThreadChoice } from './threads.ts';
