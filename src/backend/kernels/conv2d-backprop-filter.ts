/**
 * Conv2DBackpropFilter for wasm (the package has none, so conv training fails there).
 *
 * dW[i, j, ci, co] = Σ_{n, p, q} x[n, p·sh + i − top, q·sw + j − left, ci] · dy[n, p, q, co]
 *
 * Two ways, both on XNNPACK:
 * - GEMM (the default): gather the kh·kw shifted (strided) views of x into a patch matrix
 *   [kh·kw·Ci, P] (P = N·OH·OW), then dW = patches · dy [P, Co]. The reduction runs over
 *   P, which XNNPACK's GEMM vectorises well; P is chunked to bound the patch matrix.
 * - Conv: take the input channels as the batch (x → [Ci, H, W, N]) and dy as the filter
 *   (dy → [OH, OW, N, Co]), dilated by the stride; one conv, then [Ci, KH, KW, Co] →
 *   [KH, KW, Ci, Co]. No patch matrix, but only N channels per tap, which XNNPACK
 *   vectorises poorly; kept as the reference the tests hold the GEMM form to.
 */
import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convInfo, cropNegativePadding, type ConvPad } from './conv-geometry.ts';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Scratch } from './run.ts';

type Shape4 = [number, number, number, number];

/** Largest patch matrix (bytes) the GEMM form may build; beyond it, the conv form. */
let patchBudgetBytes = 32 * 2 ** 20;

/** Sets the patch-matrix budget (exported for tests of the chunking); returns the previous one. */
export function setPatchBudgetBytes(bytes: number): number {
  const previous = patchBudgetBytes;
  patchBudgetBytes = bytes;
  return previous;
}

export type FilterGradForm = 'auto' | 'gemm' | 'conv';
let forced: FilterGradForm = 'auto';

/** Forces one form (this exported for tests and benchmarks); returns the previous setting. */
export function setFilterGradForm(form: FilterGradForm): FilterGradForm {
  const previous = forced;
  forced = form;
  return previous;
}

/**
 * 'auto' takes the GEMM form. Measured one thread, both forms (`npm run bench:backend`):
 * small 256×256 3→16 3.6 vs 13.8 ms, RPN 32×32 128→128 16.8 vs 29.8; ZF conv2 5×5/s2
 * 663 vs 1255; VGG16 conv1_2 600×1000 2738 vs 4341. Only ZF's conv1 (7×7/s2, 3 channels,
 * a strided gather) at 600×1000 is slower, 459 vs 414 ms (at 300×400 faster, 47 vs 76), too
 * little to keep a second path for.
 */
function useGemm(): boolean {
  return forced !== 'conv';
}

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = convInfo(Conv2DBackpropFilter, x.shape as Shape4, filterShape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
  const s = new Scratch(backend as KernelBackend);
  try {
    return s.finish(useGemm() ? viaGemm(s, x, dy, info) : viaConv(s, x, dy, info));
  } catch (e) {
    s.disposeAll();
    throw e;
  }
};

/**
 * The patch matrix is gathered in JavaScript straight on the wasm heap, tap-major
 * ([kh·kw·Ci, P]: one contiguous output row per (tap, channel, image row)), from x transposed
 * to [Ci, N, H, W] so that each copied run is a contiguous image row for stride 1. The
 * package's Slice/Concat kernels would do the same gather element by element in JavaScript:
 * 66 of the 71 ms of a 256×256×3→16 filter gradient went there. Output rows are taken in
 * chunks whose patch matrix fits the budget, so memory stays bounded at any image size.
 */
function viaGemm(s: Scratch, x: TensorInfo, dy: TensorInfo, info: ReturnType<typeof convInfo>): TensorInfo {
  const { batchSize: n, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { top, left } = info.padInfo;
  const b = s.backend as unknown as BackendWasm;
  const k = kh * kw * ci;
  const rows = n * oh; // output rows (image, p); a chunk is a run of them
  const rowsPerChunk = Math.max(1, Math.min(rows, Math.floor(patchBudgetBytes / (4 * k * ow))));
  const xt = s.run('Transpose', { x }, { perm: [3, 0, 1, 2] }); // [Ci, N, H, W]
  let sum: TensorInfo | undefined;
  for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
    const r1 = Math.min(rows, r0 + rowsPerChunk);
    const pc = (r1 - r0) * ow;
    const patches = s.track(b.makeOutput([1, k, pc], 'float32'));
    const dyChunk = r0 === 0 && r1 === rows ? s.run('Reshape', { x: dy }, { shape: [1, pc, co] }) : s.track(b.makeOutput([1, pc, co], 'float32'));
    // Views only after the allocations: a heap growth detaches earlier ones.
    const a = b.typedArrayFromHeap(patches) as Float32Array;
    const src = b.typedArrayFromHeap(xt) as Float32Array;
    if (dyChunk.dataId !== dy.dataId) (b.typedArrayFromHeap(dyChunk) as Float32Array).set((b.typedArrayFromHeap(dy) as Float32Array).subarray(r0 * ow * co, r1 * ow * co));
    gatherPatches(a, src, { n, h, w, oh, ow, sh, sw, kh, kw, ci, top, left, r0, r1 });
    const g = s.run('BatchMatMul', { a: patches, b: dyChunk }, { transposeA: false, transposeB: false }); // [1, K, Co]
    // Chunks' buffers are freed as we go so the heap holds one at a time. Partial sums are
    // added by the wasm kernel: a JS loop over the (SharedArrayBuffer) heap took 9 ms for a
    // 3×3×256×256 filter.
    for (const t of [patches, dyChunk]) s.release(t);
    if (sum) {
      const next = s.run('Add', { a: sum, b: g });
      s.release(sum);
      s.release(g);
      sum = next;
    } else sum = g;
  }
  // [1, kh·kw·Ci, Co]: the (i, j, ci) rows are already the filter layout.
  return s.run('Reshape', { x: sum as TensorInfo }, { shape: [kh, kw, ci, co] });
}

interface GatherGeometry {
  n: number; h: number; w: number; oh: number; ow: number; sh: number; sw: number;
  kh: number; kw: number; ci: number; top: number; left: number;
  /** Output rows [r0, r1) of the chunk, row = image · OH + p. */
  r0: number; r1: number;
}

/** a[(i·kw + j)·Ci + c, (row − r0)·OW + q] = x[n, p·sh + i − top, q·sw + j − left, c], 0 outside; `src` is x as [Ci, N, H, W]. */
function gatherPatches(a: Float32Array, src: Float32Array, g: GatherGeometry): void {
  const { n, h, w, oh, ow, sh, sw, kh, kw, ci, top, left, r0, r1 } = g;
  const pc = (r1 - r0) * ow;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Columns q whose input column q·sw + j − left lies inside the image.
      const qLo = Math.min(ow, Math.max(0, Math.ceil((left - j) / sw)));
      const qHi = Math.max(qLo, Math.min(ow, Math.floor((w - 1 + left - j) / sw) + 1));
      for (let c = 0; c < ci; c++) {
        const kRow = ((i * kw + j) * ci + c) * pc;
        for (let r = r0; r < r1; r++) {
          const dst = kRow + (r - r0) * ow;
          const img = Math.floor(r / oh);
          const y = (r - img * oh) * sh + i - top;
          if (y < 0 || y >= h) {
            a.fill(0, dst, dst + ow);
            continue;
          }
          if (qLo > 0) a.fill(0, dst, dst + qLo);
          if (qHi < ow) a.fill(0, dst + qHi, dst + ow);
          const row = ((c * n + img) * h + y) * w + j - left;
          if (sw === 1 && qHi - qLo >= 128) {
            a.set(src.subarray(row + qLo, row + qHi), dst + qLo);
          } else if (sw === 1) {
            // Short runs (feature maps ≤ 128 wide): a loop beats making a subarray per run (a
            // 32×32×256 layer has 74k runs; 14 → ~4 ms of its 35 ms gradient).
            for (let q = qLo; q < qHi; q++) a[dst + q] = src[row + q];
          } else {
            for (let q = qLo; q < qHi; q++) a[dst + q] = src[row + q * sw];
          }
        }
      }
    }
  }
}

function viaConv(s: Scratch, x: TensorInfo, dy: TensorInfo, info: ReturnType<typeof convInfo>): TensorInfo {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  // Padding that makes the dilated "filter" (dy) slide exactly kh × kw positions.
  const bottom = kh + (oh - 1) * sh - h - top;
  const right = kw + (ow - 1) * sw - w - left;
  const xt = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
  const cropped = cropNegativePadding(s, xt, [top, bottom, left, right]);
  const dyt = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Co]
  const g = s.run('Conv2D', { x: cropped.x, filter: dyt }, { strides: [1, 1], pad: cropped.pad, dilations: [sh, sw], dataFormat: 'NHWC' }); // [Ci, KH, KW, Co]
  return s.run('Transpose', { x: g }, { perm: [1, 2, 0, 3] });
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
