/**
 * Loads tfjs-backend-wasm's Emscripten module ourselves instead of through the package's
 * `init()`, for three things the stock loader cannot do under Node:
 *
 * - Threads. Upstream disables them under Node (tfjs issue 3830): its loader hands the
 *   pthread workers a Blob URL, which `worker_threads` cannot load. We point the workers at
 *   `pthread-worker.mjs` (a file) and the main script at the package's own file.
 * - Thread count. The C++ side caps the pool at logical cores / 2, so a 2-core machine gets
 *   one thread whatever is asked; we report cores = 2 × the requested count to the module.
 * - Failure reports. XNNPACK failures are only printed (`printErr`), never thrown; we
 *   capture the print so `xnnpack-guard.ts` can turn it into an exception.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../util/log.ts';
import { FrcnnError } from '../util/errors.ts';
import { WasmOutOfMemoryError } from './errors.ts';

const require = createRequire(import.meta.url);

// The WebAssembly global, typed for the one call we make (lib "ES2023" has no wasm types).
interface WasmInstantiate {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>;
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WasmInstantiate };

/** The pieces of the Emscripten module that we and tfjs's BackendWasm use. */
export interface WasmModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  /** The raw wasm exports. */
  asm: { malloc(bytes: number): number };
  HEAPU8: Uint8Array;
  PThread?: { terminateAllThreads(): void; runningWorkers: Array<{ unref(): void }> };
  tfjs: {
    init(): void;
    initWithThreadsCount(threads: number): void;
    getThreadsCount(): number;
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
    dispose(): void;
  };
}

export type WasmFlavour = 'threaded-simd' | 'simd' | 'plain';

export interface LoadWasmOptions {
  flavour: WasmFlavour;
  /** Threads wanted (threaded-simd only). */
  threads: number;
  /** Called with the XNNPACK function and status whenever the module reports a failed status. */
  onXnnFailure: (xnnFunction: string, status: number) => void;
  log: Logger;
  /** Give up on a threaded load after this long (a worker that fails to start would hang it). */
  timeoutMs?: number;
}

interface FactoryConfig {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob?: string;
  instantiateWasm?: (info: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) => object;
  printErr(text: string): void;
  print(text: string): void;
  onAbort(what: unknown): void;
}
type Factory = (config: FactoryConfig) => Promise<WasmModule>;

/** Directories of the installed @tensorflow/tfjs-backend-wasm: `dist/` (binaries) and `wasm-out/` (Emscripten glue). */
export function wasmPackageDirs(): { distDir: string; wasmOutDir: string } {
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  return { distDir, wasmOutDir: join(distDir, '..', 'wasm-out') };
}

const XNN_FAILURE = /XNN status for (\S+) is not successful\. Got status (\d+)/;
const DEFAULT_THREADED_TIMEOUT_MS = 30_000;

/** Instantiates the wasm module of the given flavour; resolves once it (and its workers) are ready. */
export async function loadWasmModule(opts: LoadWasmOptions): Promise<WasmModule> {
  const { distDir, wasmOutDir } = wasmPackageDirs();
  const threaded = opts.flavour === 'threaded-simd';
  const glue = join(wasmOutDir, threaded ? 'tfjs-backend-wasm-threaded-simd.js' : 'tfjs-backend-wasm.js');
  const binary = join(
    distDir,
    { 'threaded-simd': 'tfjs-backend-wasm-threaded-simd.wasm', simd: 'tfjs-backend-wasm-simd.wasm', plain: 'tfjs-backend-wasm.wasm' }[opts.flavour],
  );
  const factory = require(glue) as Factory;

  let rejectLoad: (e: unknown) => void = () => {};
  const config: FactoryConfig = {
    locateFile: (path) => {
      if (path.endsWith('.worker.js')) return join(dirname(fileURLToPath(import.meta.url)), 'pthread-worker.mjs');
      if (path.endsWith('.wasm')) return binary;
      return join(wasmOutDir, path);
    },
    printErr: (text) => {
      const m = XNN_FAILURE.exec(text);
      if (m) opts.onXnnFailure(m[1], Number(m[2]));
      else opts.log.warn({ wasm: text }, 'wasm module printed an error');
      if (text.startsWith('worker sent an error')) rejectLoad(new FrcnnError(`wasm pthread worker failed to start: ${text}`));
    },
    print: (text) => opts.log.debug({ wasm: text }, 'wasm module output'),
    onAbort: (what) => rejectLoad(new FrcnnError(`wasm module aborted while loading ${binary}: ${String(what)}`)),
  };
  if (threaded) {
    config.mainScriptUrlOrBlob = glue;
    config.instantiateWasm = (info, receive) => {
      // The module sizes its pool as min(requested, cores / 2); make "cores" large enough.
      info.env.emscripten_num_logical_cores = () => 2 * opts.threads;
      readFile(binary)
        .then((bytes) => wasmApi.instantiate(bytes, info))
        .then((r) => receive(r.instance, r.module), (e) => rejectLoad(e));
      return {};
    };
  }

  // The Emscripten glue installs process-wide handlers that rethrow every uncaught exception
  // and unhandled rejection; they are not ours to add, so take them off again.
  const emitter = process as NodeJS.EventEmitter;
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = new Map(events.map((e) => [e, emitter.listeners(e)]));
  const removeGlueListeners = () => {
    for (const event of events) {
      for (const l of emitter.listeners(event)) {
        if (!before.get(event)?.includes(l)) emitter.removeListener(event, l as (...args: unknown[]) => void);
      }
    }
  };

  let timer: NodeJS.Timeout | undefined;
  try {
    const loading = new Promise<WasmModule>((resolve, reject) => {
      rejectLoad = reject;
      factory(config).then(resolve, reject);
      if (threaded) {
        const ms = opts.timeoutMs ?? DEFAULT_THREADED_TIMEOUT_MS;
        timer = setTimeout(() => reject(new FrcnnError(`threaded wasm module not ready after ${ms} ms`)), ms);
        timer.unref();
      }
    });
    removeGlueListeners();
    const mod = await loading;
    wrapModule(mod);
    return mod;
  } finally {
    if (timer) clearTimeout(timer);
    removeGlueListeners();
  }
}

/**
 * Lets the process exit while the thread pool idles. Emscripten refs a worker for as long as
 * its pthread runs, and XNNPACK's pool threads run until the backend is disposed, so a
 * process that used threaded wasm would never exit by itself. Call after the pool started
 * (BackendWasm's constructor); computation is unaffected (the main thread blocks on it).
 */
export function unrefPoolWorkers(mod: WasmModule): void {
  for (const worker of mod.PThread?.runningWorkers ?? []) worker.unref();
}

/** Adds the `tfjs` bridge BackendWasm expects, and makes heap exhaustion throw instead of returning address 0. */
function wrapModule(mod: WasmModule): void {
  mod.tfjs = {
    init: mod.cwrap('init', null, []) as () => void,
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']) as (n: number) => void,
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']) as (a: number, b: number, c: number) => void,
    disposeData: mod.cwrap('dispose_data', null, ['number']) as (id: number) => void,
    dispose: mod.cwrap('dispose', null, []) as () => void,
  };
  // BackendWasm writes a new tensor at whatever `_malloc` returns; 0 means "no memory" and
  // would silently alias the bottom of the heap. Wrap the raw export: the glue's `_malloc`
  // replaces itself on first call, which would drop a wrapper around it.
  const malloc = mod.asm.malloc;
  mod._malloc = (bytes: number) => {
    const ptr = malloc(bytes);
    if (ptr === 0 && bytes > 0) {
      const heap = (mod as { HEAPU8?: Uint8Array }).HEAPU8?.byteLength;
      throw new WasmOutOfMemoryError(
        `wasm heap exhausted: cannot allocate ${(bytes / 2 ** 20).toFixed(1)} MiB${heap ? ` with the heap at ${(heap / 2 ** 30).toFixed(2)} GiB` : ''} (the wasm heap is at most 4 GiB; ` +
          'use smaller images or batches, or freeze early layers)',
        { bytes },
      );
    }
    return ptr;
  };
}
