/**
 * Failures of the wasm compute backend that would otherwise pass silently: the wasm heap
 * (4 GiB at most) running out, and XNNPACK refusing an operator. Both classes set `name`
 * so a trainer can classify the failure after it crossed a process boundary.
 */
import { FrcnnError } from '../util/errors.ts';

/** XNNPACK's `xnn_status` codes (xnnpack.h). */
export const XNN_STATUS = {
  1: 'uninitialized',
  2: 'invalid_parameter',
  3: 'invalid_state',
  4: 'unsupported_parameter',
  5: 'unsupported_hardware',
  6: 'out_of_memory',
} as const satisfies Record<number, string>;

export const XNN_STATUS_OUT_OF_MEMORY = 6;

/** The wasm heap could not hold an allocation (a tensor, or an XNNPACK operator's buffers). */
export class WasmOutOfMemoryError extends FrcnnError {
  /** Bytes requested, when known. */
  readonly bytes: number | undefined;
  /** The kernel that failed, when known (e.g. "Conv2D"). */
  readonly kernel: string | undefined;
  constructor(message: string, details: { bytes?: number; kernel?: string } = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WasmOutOfMemoryError';
    this.bytes = details.bytes;
    this.kernel = details.kernel;
  }
}

/** XNNPACK returned a status other than success: the kernel's output would be garbage. */
export class XnnpackError extends FrcnnError {
  readonly status: number;
  readonly kernel: string;
  readonly xnnFunction: string;
  constructor(kernel: string, xnnFunction: string, status: number, options?: ErrorOptions) {
    const label = XNN_STATUS[status as keyof typeof XNN_STATUS] ?? 'unknown';
    super(`wasm kernel ${kernel}: ${xnnFunction} failed with XNNPACK status ${status} (${label}); its output is not valid`, options);
    this.name = 'XnnpackError';
    this.status = status;
    this.kernel = kernel;
    this.xnnFunction = xnnFunction;
  }
}

/**
 * The wasm code trapped (out-of-bounds access, or an abort when its own C++ allocations
 * fail). After an abort the module is unusable: restart the process.
 */
export class WasmRuntimeError extends FrcnnError {
  readonly kernel: string;
  constructor(kernel: string, options: ErrorOptions & { cause: Error }) {
    super(`wasm kernel ${kernel} trapped: ${options.cause.message}` + (/Aborted/.test(options.cause.message) ? ' (the wasm module aborted, likely out of heap; restart the process)' : ''), options);
    this.name = 'WasmRuntimeError';
    this.kernel = kernel;
  }
}
