/**
 * The native BLAS addon (`native/`, built by `npm run build:native` against OpenBLAS): conv
 * forward / filter gradient / input gradient as im2col + SGEMM, SGEMM itself, and two
 * memory-bound loops (max-pool gradient, ZF's LRN both ways), on Float32Arrays
 * that may be views of the wasm heap (no copies). Optional: when it was not built (no compiler
 * or no libopenblas-dev) or FRCNN_NATIVE_BLAS=off, everything runs on the wasm kernels.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { envSync } from '../../config/env.ts';

/** [n, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW, cout], NHWC / HWIO. */
export type ConvGeometry = Int32Array;

export interface NativeBlas {
  /** y[n, outH, outW, cout] = conv(x[n, h, w, c], w[kh, kw, c, cout]). */
  convForward(g: ConvGeometry, x: Float32Array, w: Float32Array, y: Float32Array): void;
  /** dw[kh, kw, c, cout] = ∂/∂w. */
  convFilterGrad(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /** dx[n, h, w, c] = ∂/∂x. */
  convInputGrad(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /** c[m, n] = op(a) · op(b), row-major; a is [m, k] ([k, m] transposed), b [k, n] ([n, k]). */
  sgemm(m: number, n: number, k: number, transA: boolean, transB: boolean, a: Float32Array, b: Float32Array, c: Float32Array): void;
  /** dx of a max pool: [n, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW]. */
  maxPoolGrad(g: Int32Array, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** Caffe's within-channel LRN, shape [n, h, w, c, size] (see lrn.ts for the definition). */
  lrn(shape: Int32Array, alpha: number, beta: number, x: Float32Array, y: Float32Array): void;
  lrnGrad(shape: Int32Array, alpha: number, beta: number, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** GroupNorm forward, dims [n, hw, c, groups], ReLU after it when `relu` (group-norm.ts holds the JavaScript twin). */
  groupNorm(dims: Int32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float64Array, rstd: Float64Array, relu: boolean): void;
  /** Inference: GroupNorm → ReLU → 2×2 stride-2 max pool (floor mode) in one pass, dims [n, h, w, c, groups]. */
  groupNormReluPool(dims: Int32Array, x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array): void;
  groupNormGrad(dims: Int32Array, dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float64Array, rstd: Float64Array, dx: Float32Array, dGamma: Float32Array, dBeta: Float32Array): void;
  /** RoIAlign over precomputed taps (roi-align.ts): out[cell] = Σ weight · features[pixel], and its adjoint into a zeroed dx. */
  tapsGather(channels: number, tapStart: Int32Array, pixel: Int32Array, weight: Float32Array, features: Float32Array, out: Float32Array): void;
  tapsScatter(channels: number, tapStart: Int32Array, pixel: Int32Array, weight: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** out[c] = Σ_rows x[row, c] for x of rows × out.length (a bias gradient). */
  columnSum(x: Float32Array, cols: number, out: Float32Array): void;
  /** y[row, c] = max(y[row, c] + bias[c], 0) in place, bias and ReLU each optional: the fused conv's epilogue. */
  biasActivation(y: Float32Array, cols: number, bias: Float32Array | null, relu: boolean): void;
  /** dx = y > 0 ? dy : 0 (ReLU's gradient from its output y). */
  reluGrad(y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** v ← μ·v + rate·g + decay·w, w ← w − v in place, in double as sgd.ts's loop (same bits). */
  sgdMomentum(w: Float32Array, g: Float32Array, v: Float32Array, mu: number, rate: number, decay: number): void;
  /** RoI max pooling (roi-pool.ts holds the JavaScript twin): dims [height, width, channels, rois, pooledHeight, pooledWidth]. */
  roiPool(dims: Int32Array, spatialScale: number, features: Float32Array, rois: Float32Array, values: Float32Array, argmax: Int32Array | null): void;
  /** dx = 0, then dx[argmax[i]] += dy[i]. */
  roiPoolGrad(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  /** Greedy NMS visiting `order` (ops/boxes.ts nmsInOrder, same kept boxes); writes the kept indices into `kept`, returns their count. */
  nms(boxes: Float32Array, order: Int32Array, threshold: number, maxOutput: number, kept: Int32Array): number;
  /** Whether 3×3 stride-1 convolutions take the Winograd path (native/src/winograd.h; on by default); returns the old setting. */
  setWinograd(on: boolean): boolean;
  /** Sets OpenBLAS's thread count; returns the count in effect. */
  setThreads(n: number): number;
}

const ADDON_FUNCTIONS: ReadonlyArray<keyof NativeBlas> = [
  'convForward', 'convFilterGrad', 'convInputGrad', 'sgemm', 'maxPoolGrad', 'lrn', 'lrnGrad',
  'groupNorm', 'groupNormReluPool', 'groupNormGrad', 'tapsGather', 'tapsScatter', 'columnSum', 'biasActivation', 'reluGrad', 'sgdMomentum', 'roiPool', 'roiPoolGrad', 'nms', 'setWinograd', 'setThreads',
];

export type NativeBlasStatus = { kind: 'loaded'; blas: NativeBlas; path: string } | { kind: 'absent'; reason: string };

export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/frcnn_blas.node', import.meta.url));

let status: NativeBlasStatus | undefined;

/** Loads the addon once per thread; `absent` says why it is not used. */
export function loadNativeBlas(): NativeBlasStatus {
  if (status) return status;
  const setting = envSync('FRCNN_NATIVE_BLAS')?.toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') {
    status = { kind: 'absent', reason: 'FRCNN_NATIVE_BLAS=off' };
  } else if (!existsSync(NATIVE_ADDON_PATH)) {
    status = { kind: 'absent', reason: `not built (${NATIVE_ADDON_PATH} missing: npm run build:native, needs g++ and libopenblas-dev)` };
  } else {
    try {
      // OpenBLAS reads this as it loads, with the addon. Its idle threads otherwise spin for
      // 2^28 cycles (~0.1 s) after every product, competing for the cores with the addon's own
      // per-core pipelines: at the minimum (2^4) ZF's training step measured ~8 % faster
      // (median of 9, 853 / 819 vs 968 / 898 ms). An explicit setting wins.
      process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
      const blas = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeBlas;
      // A build from older sources (pulled, not rebuilt) lacks newer functions: not used, with the reason.
      const missing = ADDON_FUNCTIONS.filter((f) => typeof blas[f] !== 'function');
      status = missing.length === 0 ? { kind: 'loaded', blas, path: NATIVE_ADDON_PATH } : { kind: 'absent', reason: `${NATIVE_ADDON_PATH} is stale (no ${missing.join(', ')}): npm run build:native` };
    } catch (err) {
      status = { kind: 'absent', reason: `failed to load ${NATIVE_ADDON_PATH}: ${(err as Error).message}` };
    }
  }
  return status;
}

/** Per thread, shared by every instance of this module (tsx can instantiate a module twice). */
const switches = ((globalThis as Record<symbol, unknown>)[Symbol.for('frcnn.nativeBlasSwitch')] ??= { enabled: true }) as { enabled: boolean };

/** The addon when loaded (and not switched off by `setNativeBlasEnabled`), else undefined. */
export function nativeBlas(): NativeBlas | undefined {
  const s = loadNativeBlas();
  return s.kind === 'loaded' && switches.enabled ? s.blas : undefined;
}

/**
 * Switches the addon off (or back on) for the ops that ask `nativeBlas()` per call (GroupNorm,
 * RoIAlign), so tests can run their JavaScript forms too; returns the previous setting.
 * Registered kernels keep the addon.
 */
export function setNativeBlasEnabled(on: boolean): boolean {
  const previous = switches.enabled;
  switches.enabled = on;
  return previous;
}
