/**
 * Turns XNNPACK failures into exceptions. XNNPACK reports a failed operator create/setup
 * (out of memory: status 6, unsupported parameters...) only by printing a line; the kernel
 * then returns whatever the output buffer held. The wasm module's print hook records the
 * failure (`recordXnnFailure`), and every wasm kernel is wrapped to check for one after it
 * runs and throw `XnnpackError` / `WasmOutOfMemoryError` naming the kernel.
 *
 * What this catches: every failure that the tfjs C++ kernels report through their
 * "XNN status ... is not successful" warning (create and setup of conv, fully connected,
 * pooling, softmax, pad, resize, unary/binary ops). What it cannot: a failure inside
 * `xnn_run_operator`, which tfjs does not check (XNNPACK allocates nothing there), and bugs
 * that produce wrong numbers without any status. A trap inside the module (out-of-bounds
 * access, abort) becomes `WasmRuntimeError`; heap exhaustion when allocating a tensor is
 * caught by the `_malloc` wrapper in `wasm-module.ts` (`WasmOutOfMemoryError`).
 */
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { WasmOutOfMemoryError, WasmRuntimeError, XNN_STATUS_OUT_OF_MEMORY, XnnpackError } from './errors.ts';

interface XnnFailure {
  xnnFunction: string;
  status: number;
}

let pending: XnnFailure | undefined;
const guarded = new Set<string>();

/** Called by the wasm module's print hook. Keeps the first failure until a kernel wrapper claims it. */
export function recordXnnFailure(xnnFunction: string, status: number): void {
  pending ??= { xnnFunction, status };
}

/** The error for a failure reported while `kernel` ran, or undefined when there was none; clears it. */
export function takeXnnFailure(kernel: string): XnnpackError | WasmOutOfMemoryError | undefined {
  const f = pending;
  pending = undefined;
  if (!f) return undefined;
  const cause = new XnnpackError(kernel, f.xnnFunction, f.status);
  if (f.status === XNN_STATUS_OUT_OF_MEMORY) {
    return new WasmOutOfMemoryError(`wasm kernel ${kernel}: XNNPACK ran out of memory in ${f.xnnFunction} (the wasm heap is at most 4 GiB)`, { kernel }, { cause });
  }
  return cause;
}

/** Wraps every kernel registered for `wasm` (now) with the failure check. Idempotent per kernel. */
export function guardWasmKernels(): void {
  for (const config of getKernelsForBackend('wasm')) {
    if (guarded.has(config.kernelName)) continue;
    guarded.add(config.kernelName);
    const inner = config.kernelFunc;
    const kernel = config.kernelName;
    const wrapped: KernelConfig = {
      ...config,
      kernelFunc: (args) => {
        let out;
        try {
          out = inner(args);
        } catch (err) {
          // WebAssembly.RuntimeError: a trap inside the module, not a JavaScript bug of ours.
          if (err instanceof Error && err.name === 'RuntimeError') throw new WasmRuntimeError(kernel, { cause: err });
          throw err;
        }
        const failure = takeXnnFailure(kernel);
        if (failure) {
          for (const info of Array.isArray(out) ? out : [out]) (args.backend as KernelBackend).disposeData((info as TensorInfo).dataId);
          throw failure;
        }
        return out;
      },
    };
    unregisterKernel(kernel, 'wasm');
    registerKernel(wrapped);
  }
}
