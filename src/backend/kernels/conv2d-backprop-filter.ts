/**
 * Conv2DBackpropFilter for wasm (the package has none, so conv training fails there).
 *
 * dW[i, j, ci, co] = Σ_{n, p, q} x[n, p·sh + i − top, q·sw + j − left, ci] · dy[n, p, q, co]
 *
 * Two ways, both on XNNPACK:
 * - GEMM (stride 1 and a patch matrix within budget; see useGemm): gather the kh·kw
 *   shifted (strided) views of x into patches [P, kh·kw·Ci] (P = N·OH·OW), then
 *   dW = patchesᵀ · dy [P, Co]. The reduction runs over P, which XNNPACK's GEMM vectorises
 *   well.
 * - Conv: take the input channels as the batch (x → [Ci, H, W, N]) and dy as the filter
 *   (dy → [OH, OW, N, Co]), dilated by the stride; one conv, then [Ci, KH, KW, Co] →
 *   [KH, KW, Ci, Co]. No patch matrix (early layers at 600×1000 would need gigabytes), but
 *   only N channels per tap, which XNNPACK vectorises poorly.
 */
import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convInfo, cropNegativePadding, type ConvPad } from './conv-geometry.ts';
import { Scratch } from './run.ts';

type Shape4 = [number, number, number, number];

/** Largest patch matrix (bytes) the GEMM form may build; beyond it, the conv form. */
const IM2COL_BUDGET_BYTES = 64 * 2 ** 20;

export type FilterGradForm = 'auto' | 'gemm' | 'conv';
let forced: FilterGradForm = 'auto';

/** Forces one form (this exported for tests and benchmarks); returns the previous setting. */
export function setFilterGradForm(form: FilterGradForm): FilterGradForm {
  const previous = forced;
  forced = form;
  return previous;
}

/**
 * GEMM for stride 1 when the patch matrix fits the budget. Not for strides > 1: gathering
 * the strided views (StridedSlice) costs more than the product saves — measured (one thread)
 * 5×5/s2 96→256 @ 76×100: 1216 ms GEMM vs 272 ms conv; 3×3/s1 256→256 @ 38×50: 248 vs 320;
 * 3×3/s1 64→96 @ 40×56: 24 vs 52.
 */
function useGemm(info: ReturnType<typeof convInfo>): boolean {
  if (forced !== 'auto') return forced === 'gemm';
  const patchBytes = 4 * info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  return info.strideHeight === 1 && info.strideWidth === 1 && patchBytes <= IM2COL_BUDGET_BYTES;
}

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = convInfo(Conv2DBackpropFilter, x.shape as Shape4, filterShape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
  const s = new Scratch(backend as KernelBackend);
  try {
    return s.finish(useGemm(info) ? viaGemm(s, x, dy, info) : viaConv(s, x, dy, info));
  } catch (e) {
    s.disposeAll();
    throw e;
  }
};

function viaGemm(s: Scratch, x: TensorInfo, dy: TensorInfo, info: ReturnType<typeof convInfo>): TensorInfo {
  const { batchSize: n, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { top, left } = info.padInfo;
  // Pad so every tap's strided view lies inside; extra rows/columns beyond are never read.
  const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
  const right = Math.max(0, (ow - 1) * sw + kw - w - left);
  const xp = top || bottom || left || right ? s.run('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }) : x;
  const views: TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      views.push(
        s.run('StridedSlice', { x: xp }, { begin: [0, i, j, 0], end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, ci], strides: [1, sh, sw, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 }),
      );
    }
  }
  const p = n * oh * ow;
  const cat = views.length === 1 ? views[0] : s.run('Concat', views as unknown as NamedTensorInfoMap, { axis: 3 }); // [N, OH, OW, kh·kw·Ci], (i, j, ci) order
  const patches = s.run('Reshape', { x: cat }, { shape: [p, kh * kw * ci] });
  // patchesᵀ · dy with the big operand first: the wasm matmul packs its right operand per call.
  const patchesT = s.run('Transpose', { x: patches }, { perm: [1, 0] });
  const a = s.run('Reshape', { x: patchesT }, { shape: [1, kh * kw * ci, p] });
  const b = s.run('Reshape', { x: dy }, { shape: [1, p, co] });
  const g = s.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }); // [1, kh·kw·Ci, Co]
  return s.run('Reshape', { x: g }, { shape: [kh, kw, ci, co] });
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
