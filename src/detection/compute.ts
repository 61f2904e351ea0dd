/**
 * Compute set-up for the detector's commands and benchmarks: tfjs gradients registered, and
 * the backend chosen and started by `src/backend` (tensorflow > wasm > cpu, with the fast
 * wasm training kernels).
 */
import type { BackendInfo, BackendName } from '../backend/index.ts';
import { registerGradients } from './tf-gradients.ts';

/** `threads`: wasm threads (default: FRCNN_THREADS, else all cores); 1 starts no worker threads (tests). */
export async function setupCompute(backend?: BackendName, threads?: number): Promise<BackendInfo> {
  await registerGradients();
  const { initBackend } = await import('../backend/index.ts');
  return initBackend({ backend, threads });
}

/**
 * The wasm backend's worker threads keep Node's event loop alive after a command is done.
 * Call when the command has finished: exits shortly after, unless the process ends first.
 */
export function exitWhenIdle(delayMs = 250): void {
  setTimeout(() => process.exit(), delayMs).unref();
}
