/**
 * Chooses and starts the compute backend, once per process:
 * `tensorflow` (tfjs-node-gpu, then tfjs-node, when installed) > `wasm` > `cpu`,
 * or the one named by `opts.backend` / FRCNN_BACKEND. Threads (wasm) from `opts.threads` /
 * FRCNN_THREADS, default: the cores not busy with other work (see threads.ts).
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { envSync } from '../config/env.ts';
import { FrcnnError, InputError } from '../util/errors.ts';
import { logger, type Logger } from '../util/log.ts';
import { registerWasmTrainingKernels } from './kernels/index.ts';
import { registerNativeBlasKernels, setNativeThreads } from './native/index.ts';
import { selfCheck } from './self-check.ts';
import { defaultThreads, MAX_WASM_THREADS } from './threads.ts';
import { isBackendName, BACKEND_NAMES, type BackendInfo, type BackendName } from './types.ts';
import { loadWasmModule, unrefPoolWorkers, wasmPackageDirs, type WasmFlavour } from './wasm-module.ts';
import { guardWasmKernels, recordXnnFailure } from './xnnpack-guard.ts';

const require = createRequire(import.meta.url);

export interface InitBackendOptions {
  /** Backend to use; when absent, FRCNN_BACKEND, else the best available. */
  backend?: BackendName;
  /** wasm threads; when absent, FRCNN_THREADS, else the cores not busy with other work (threads.ts). */
  threads?: number;
}

/** tfjs-node packages in order of preference; optional, loaded only when installed. */
const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
/** Priority the wasm package registers itself with; we keep it. */
const WASM_PRIORITY = 2;

let started: { promise: Promise<BackendInfo>; opts: InitBackendOptions } | undefined;
let current: BackendInfo | undefined;

/**
 * Starts the compute backend and makes it tfjs's active backend. Idempotent: later calls
 * return the first call's result (and warn if they asked for something else).
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const log = logger('backend');
  if (started) {
    const differs = (opts.backend && opts.backend !== started.opts.backend) || (opts.threads && opts.threads !== started.opts.threads);
    if (differs) log.warn({ requested: opts, active: started.opts }, 'initBackend called again with other options; keeping the backend already started');
    return started.promise;
  }
  const promise = start(opts, log).then(
    (info) => {
      current = info;
      log.info({ ...info }, `compute backend: ${info.device}`);
      return info;
    },
    (err: unknown) => {
      started = undefined;
      throw err;
    },
  );
  started = { promise, opts };
  return promise;
}

/** The backend `initBackend` started, for trial metadata. Throws before `initBackend` resolved. */
export function backendInfo(): BackendInfo {
  if (!current) throw new FrcnnError('backendInfo(): no backend started yet; await initBackend() first');
  return { ...current };
}

function resolveOptions(opts: InitBackendOptions): { backend: BackendName | undefined; threads: number; threadsReason: string } {
  let backend = opts.backend;
  if (backend !== undefined && !isBackendName(backend)) {
    throw new InputError('initBackend({backend})', `unknown backend ${JSON.stringify(backend)}; expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (backend === undefined) {
    const fromEnv = envSync('FRCNN_BACKEND');
    if (fromEnv !== undefined) {
      if (!isBackendName(fromEnv)) throw new InputError('FRCNN_BACKEND', `unknown backend ${JSON.stringify(fromEnv)}; expected one of ${BACKEND_NAMES.join(', ')}`);
      backend = fromEnv;
    }
  }
  let threads = opts.threads;
  let where = 'initBackend({threads})';
  if (threads === undefined) {
    const fromEnv = envSync('FRCNN_THREADS');
    if (fromEnv !== undefined) {
      threads = Number(fromEnv);
      where = 'FRCNN_THREADS';
    }
  }
  if (threads === undefined) {
    const choice = defaultThreads();
    return { backend, threads: choice.threads, threadsReason: choice.reason };
  }
  if (!Number.isInteger(threads) || threads < 1) throw new InputError(where, `expected a positive integer number of threads, got ${JSON.stringify(threads)}`);
  if (threads > MAX_WASM_THREADS) return { backend, threads: MAX_WASM_THREADS, threadsReason: `${where} = ${threads}, capped at the wasm worker pool size ${MAX_WASM_THREADS}` };
  return { backend, threads, threadsReason: `${where} = ${threads}` };
}

async function start(opts: InitBackendOptions, log: Logger): Promise<BackendInfo> {
  const { backend, threads, threadsReason } = resolveOptions(opts);
  // The cpu backend is always registered: fallback, and the reference in tests.
  await import('@tensorflow/tfjs-backend-cpu');
  const order: BackendName[] = backend ? [backend] : [...BACKEND_NAMES];
  const failures: string[] = [];
  for (const name of order) {
    try {
      const info = name === 'tensorflow' ? await startTensorflow() : name === 'wasm' ? await startWasm(threads, threadsReason, log) : await startCpu();
      if (info) return info;
      failures.push(`${name}: not installed`);
    } catch (err) {
      if (backend) throw err instanceof FrcnnError ? err : new FrcnnError(`backend ${name} failed to start: ${(err as Error).message}`, { cause: err });
      failures.push(`${name}: ${(err as Error).message}`);
      log.warn({ backend: name, err }, `backend ${name} failed to start; trying the next`);
    }
  }
  throw new FrcnnError(`no compute backend could start (${failures.join('; ')})`);
}

async function startTensorflow(): Promise<BackendInfo | undefined> {
  for (const pkg of TENSORFLOW_PACKAGES) {
    const spec: string = pkg; // non-literal: neither tsc nor a plain install needs these packages
    try {
      await import(spec);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') continue;
      throw new FrcnnError(`${pkg} is installed but failed to load: ${(err as Error).message}`, { cause: err });
    }
    if (!(await tf.setBackend('tensorflow'))) throw new FrcnnError(`${pkg} loaded but the tensorflow backend did not initialise`);
    const version = (require(`${spec}/package.json`) as { version: string }).version;
    return {
      name: 'tensorflow',
      threads: 0,
      simd: false,
      device: pkg.endsWith('-gpu') ? 'tensorflow (tfjs-node-gpu, CUDA)' : 'tensorflow (tfjs-node, CPU)',
      tfjsVersion: tf.version_core,
      package: `${pkg}@${version}`,
    };
  }
  return undefined;
}

async function startCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw new FrcnnError('the cpu backend did not initialise');
  const version = (require('@tensorflow/tfjs-backend-cpu/package.json') as { version: string }).version;
  return { name: 'cpu', threads: 1, simd: false, device: `cpu (JavaScript), ${cpuModel()}`, tfjsVersion: tf.version_core, package: `@tensorflow/tfjs-backend-cpu@${version}` };
}

async function startWasm(threads: number, threadsReason: string, log: Logger): Promise<BackendInfo> {
  log.info({ threads }, `wasm threads: ${threadsReason}`);
  const wasmPkg = await import('@tensorflow/tfjs-backend-wasm');
  // For anyone who goes through the package's own loader (e.g. after tf.removeBackend).
  wasmPkg.setWasmPaths(wasmPackageDirs().distDir + '/');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const flavours: WasmFlavour[] = simd ? (threads > 1 ? ['threaded-simd', 'simd'] : ['simd']) : ['plain'];
  registerWasmTrainingKernels();
  const native = registerNativeBlasKernels();
  const nativeBlas = native.kind === 'loaded' ? 'openblas' : `off: ${native.reason}`;
  log.info({ nativeBlas }, native.kind === 'loaded' ? 'convolutions and matrix products on the native OpenBLAS addon' : `native BLAS addon not used (${native.reason}); XNNPACK only`);
  guardWasmKernels();

  for (const flavour of flavours) {
    const wanted = flavour === 'threaded-simd' ? threads : 1;
    try {
      const mod = await loadWasmModule({ flavour, threads: wanted, onXnnFailure: recordXnnFailure, log });
      wasmPkg.setThreadsCount(wanted);
      tf.removeBackend('wasm'); // the package's factory: no threads under Node, no failure reports
      tf.registerBackend('wasm', () => new wasmPkg.BackendWasm(mod as never), WASM_PRIORITY);
      if (!(await tf.setBackend('wasm'))) throw new FrcnnError(`wasm (${flavour}) did not initialise`);
      unrefPoolWorkers(mod);
      const problem = selfCheck();
      if (problem) throw new FrcnnError(`wasm (${flavour}) gives wrong results: ${problem}`);
      const actual = wasmPkg.getThreadsCount();
      setNativeThreads(actual);
      return {
        name: 'wasm',
        threads: actual,
        simd: flavour !== 'plain',
        device: `wasm ${flavour === 'plain' ? 'no-simd' : 'simd'}, ${actual} thread${actual === 1 ? '' : 's'}, ${cpuModel()}`,
        tfjsVersion: tf.version_core,
        package: `@tensorflow/tfjs-backend-wasm@${wasmPkg.version_wasm}`,
        nativeBlas,
      };
    } catch (err) {
      if (flavour === flavours[flavours.length - 1]) throw err;
      log.warn({ err, flavour }, `wasm ${flavour} failed; falling back to one thread`);
      if (tf.findBackend('wasm')) tf.removeBackend('wasm');
    }
  }
  throw new FrcnnError('unreachable: no wasm flavour to try');
}

function cpuModel(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}`;
}
