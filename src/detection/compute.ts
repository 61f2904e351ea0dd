/**
 * Compute set-up for the detector's commands and benchmarks: tfjs gradients registered, and
 * the backend chosen and started by `src/backend` (tensorflow > wasm > cpu, with the fast
 * wasm training kernels).
 */
import type { BackendInfo, BackendName } from '../backend/index.ts';
import { defaultThreads, type ThreadChoice } from '../backend/threads.ts';
import { registerGradients } from './tf-gradients.ts';

/** `threads`: wasm threads (default: FRCNN_THREADS, else all cores); 1 starts no worker threads (tests). */
export async function setupCompute(backend?: BackendName, threads?: number): Promise<BackendInfo> {
  await registerGradients();
  const { initBackend } = await import('../backend/index.ts');
  return initBackend({ backend, threads });
}

export interface CopiesOptions {
  backend?: BackendName;
  /** wasm threads asked for: pins one copy on that many threads. */
  threads?: number;
  /** Copies asked for; otherwise the free cores when `auto`, else 1. */
  copies?: number;
  /** Take the free cores when `copies` is not given. */
  auto: boolean;
  /** A usable copy count for that many free cores (training: its batch size, or 1). Default: all of them. */
  fit?: (freeCores: number) => number;
}

/**
 * Starts the backend for data-parallel copies of the model on this machine (training replicas,
 * detection workers), each on a core of its own with one wasm thread. Pinned threads (option or
 * FRCNN_THREADS) mean one copy on that many threads; a native TensorFlow backend parallelises
 * inside each op, so it gets one copy unless asked. The free cores are sampled once (200 ms)
 * and the backend gets the same count rather than sampling again; `free` says why.
 */
export async function setupComputeForCopies(opts: CopiesOptions): Promise<{ backend: BackendInfo; copies: number; free?: ThreadChoice }> {
  const pinned = opts.threads !== undefined || process.env.FRCNN_THREADS !== undefined;
  const free = opts.auto && !pinned ? defaultThreads() : undefined;
  const wanted = opts.copies ?? (free ? (opts.fit ?? ((n: number) => n))(free.threads) : 1);
  const backend = await setupCompute(opts.backend, wanted > 1 ? 1 : (opts.threads ?? free?.threads));
  const copies = backend.name === 'tensorflow' && opts.copies === undefined ? 1 : wanted;
  return { backend, copies, free };
}

/**
 * The wasm backend's worker threads keep Node's event loop alive after a command is done.
 * Call when the command has finished: exits shortly after, unless the process ends first.
 */
export function exitWhenIdle(delayMs = 250): void {
  setTimeout(() => process.exit(), delayMs).unref();
}
