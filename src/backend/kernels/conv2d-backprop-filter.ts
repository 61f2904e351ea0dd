/**
 * Conv2DBackpropFilter for wasm (the package has none, so conv training fails there).
 *
 * dW[i, j, ci, co] = Σ_{n, p, q} x[n, p·sh + i − top, q·sw + j − left, ci] · dy[n, p, q, co]
 *
 * is itself a convolution: take the input channels as the batch (x → [Ci, H, W, N]) and dy as
 * the filter (dy → [OH, OW, N, Co]), dilated by the stride. One XNNPACK conv, then a
 * transpose of the [Ci, KH, KW, Co] result to [KH, KW, Ci, Co].
 */
import { Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { convInfo, cropNegativePadding, type ConvPad } from './conv-geometry.ts';
import { Scratch } from './run.ts';

type Shape4 = [number, number, number, number];

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = convInfo(Conv2DBackpropFilter, x.shape as Shape4, filterShape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  // Padding that makes the dilated "filter" (dy) slide exactly kh × kw positions.
  const bottom = kh + (oh - 1) * sh - h - top;
  const right = kw + (ow - 1) * sw - w - left;

  const s = new Scratch(backend as KernelBackend);
  try {
    const xt = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
    const cropped = cropNegativePadding(s, xt, [top, bottom, left, right]);
    const dyt = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Co]
    const g = s.run('Conv2D', { x: cropped.x, filter: dyt }, { strides: [1, 1], pad: cropped.pad, dilations: [sh, sw], dataFormat: 'NHWC' }); // [Ci, KH, KW, Co]
    return s.finish(s.run('Transpose', { x: g }, { perm: [1, 2, 0, 3] }));
  } catch (e) {
    s.disposeAll();
    throw e;
  }
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
