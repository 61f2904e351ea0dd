/** What `initBackend` chose, recorded in trial metadata so a result says what computed it. */

/** Backends frcnn can train on, best first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** The tfjs backend in use. */
  name: BackendName;
  /** Compute threads (1 for cpu; the XNNPACK pool size for wasm; TensorFlow's own pool for tensorflow, reported as 0 = "managed by TensorFlow"). */
  threads: number;
  /** Whether the wasm binary in use has SIMD (false for the other backends). */
  simd: boolean;
  /** Human-readable device, e.g. "wasm simd, 2 threads, AMD EPYC 7B13" or "tfjs-node-gpu". */
  device: string;
  /** tfjs-core version, e.g. "4.22.0". */
  tfjsVersion: string;
  /** Package that supplied the backend, e.g. "@tensorflow/tfjs-backend-wasm@4.22.0". */
  package: string;
  /**
   * wasm only: whether convolutions and matrix products run through the native OpenBLAS addon
   * ('openblas') or on XNNPACK, with the reason ('off: not built ...').
   */
  nativeBlas?: string;
}

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}
