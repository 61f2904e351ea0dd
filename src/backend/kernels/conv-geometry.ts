/** Shared geometry for the conv-gradient kernels: conv info from attrs, and cropping of negative padding. */
import { backend_util, type KernelBackend, type TensorInfo } from '@tensorflow/tfjs-core';
import { FrcnnError } from '../../util/errors.ts';
import type { Scratch } from './run.ts';

export type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

export function convInfo(
  kernel: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: ConvPad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW' | undefined,
): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  if (format !== 'channelsLast') throw new FrcnnError(`wasm ${kernel}: only NHWC (channelsLast) is supported, got ${dataFormat}`);
  return backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, format);
}

/**
 * Spatial padding [top, bottom, left, right] for a stride-1 conv over `x` (NHWC); negative
 * entries mean rows/columns of `x` that contribute nothing, which are sliced away here.
 * Returns the (possibly cropped) input and the non-negative padding left to apply.
 */
export function cropNegativePadding(
  s: Scratch,
  x: TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
): { x: TensorInfo; pad: backend_util.ExplicitPadding } {
  const cut = [Math.max(0, -top), Math.max(0, -bottom), Math.max(0, -left), Math.max(0, -right)];
  let out = x;
  if (cut.some((c) => c > 0)) {
    const [n, h, w, c] = x.shape;
    out = s.run('Slice', { x }, { begin: [0, cut[0], cut[2], 0], size: [n, h - cut[0] - cut[1], w - cut[2] - cut[3], c] });
  }
  const pad: backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return { x: out, pad };
}

export type { KernelBackend };
