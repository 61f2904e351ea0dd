/**
 * wasm kernels that hand the heavy products to the native BLAS addon: Conv2D, FusedConv2D
 * (bias and ReLU applied in place), Conv2DBackpropFilter, Conv2DBackpropInput and BatchMatMul.
 * Each reads its inputs and writes its output on the wasm heap through views (no copies) and
 * falls back to the kernel it replaced for what it does not cover (dilations, NCHW, other
 * activations, batched products) and for ops too small to be worth the call (XNNPACK wins there).
 */
import {
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
  MaxPoolGrad,
  _FusedMatMul,
  backend_util,
  getKernel,
  util,
  type BatchMatMulAttrs,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type FusedConv2DAttrs,
  type _FusedMatMulAttrs,
  type KernelConfig,
  type MaxPoolGradAttrs,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FrcnnError } from '../../util/errors.ts';
import { convInfo, type ConvPad } from '../kernels/conv-geometry.ts';
import type { NativeBlas } from './addon.ts';

type Shape4 = [number, number, number, number];

/**
 * Settings shared by every instance of this module in a thread (tsx can instantiate a module
 * twice; the kernels registered by one must see settings made through the other).
 * - minMacs: below this many multiply-adds XNNPACK's kernels are as fast (call and im2col overheads).
 * - threads: OpenBLAS threads for calls from this JS thread (a replica's worker uses 1, the main thread all free cores).
 */
const settings = ((globalThis as Record<symbol, unknown>)[Symbol.for('frcnn.nativeKernelSettings')] ??= { minMacs: 2e6, threads: 1 }) as { minMacs: number; threads: number };

/** Sets the size threshold (tests use 0 to send every op to the addon); returns the previous one. */
export function setNativeMinMacs(macs: number): number {
  const previous = settings.minMacs;
  settings.minMacs = macs;
  return previous;
}

export function setNativeThreads(n: number): void {
  settings.threads = Math.max(1, Math.floor(n));
}

function geometry(info: backend_util.Conv2DInfo): Int32Array | undefined {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0) return undefined;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    top, left, info.outHeight, info.outWidth, info.outChannels,
  ]);
}

function unitDilation(d: number | [number, number] | undefined): boolean {
  return d === undefined || [d].flat().every((v) => v === 1);
}

function macs(info: backend_util.Conv2DInfo): number {
  return info.batchSize * info.outHeight * info.outWidth * info.outChannels * info.inChannels * info.filterHeight * info.filterWidth;
}

function fallback(name: string, previous: KernelConfig | undefined): KernelFunc {
  if (!previous) throw new FrcnnError(`native kernels: no wasm ${name} kernel to fall back to`);
  return previous.kernelFunc;
}

/** y = conv(x, filter), with an optional bias add and ReLU in place. */
function convForward(blas: NativeBlas, b: BackendWasm, x: TensorInfo, filter: TensorInfo, g: Int32Array, info: backend_util.Conv2DInfo, bias?: TensorInfo, relu = false): TensorInfo {
  const out = b.makeOutput(info.outShape, 'float32');
  // Views after the allocation: it may have grown (moved) the heap.
  const y = b.typedArrayFromHeap(out) as Float32Array;
  blas.setThreads(settings.threads);
  blas.convForward(g, b.typedArrayFromHeap(x) as Float32Array, b.typedArrayFromHeap(filter) as Float32Array, y);
  if (bias || relu) {
    const bv = bias ? (b.typedArrayFromHeap(bias) as Float32Array) : null;
    if (bv && bv.length !== info.outChannels) throw new FrcnnError(`native FusedConv2D: bias of ${bv.length} values for ${info.outChannels} channels`);
    // In C++: the same loop in JavaScript cost 250 ms on VGG16's conv1_2 output (38 M values).
    blas.biasActivation(y, info.outChannels, bv, relu);
  }
  return out;
}

function conv2D(blas: NativeBlas, previous: KernelConfig | undefined): KernelConfig {
  const stock = fallback(Conv2D, previous);
  return {
    ...previous,
    kernelName: Conv2D,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as unknown as Conv2DAttrs;
      if ((dataFormat ?? 'NHWC') !== 'NHWC' || !unitDilation(dilations)) return stock(args);
      const info = convInfo(Conv2D, x.shape as Shape4, filter.shape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
      const g = geometry(info);
      if (!g || macs(info) < settings.minMacs) return stock(args);
      return convForward(blas, args.backend as BackendWasm, x, filter, g, info);
    },
  };
}

function fusedConv2D(blas: NativeBlas, previous: KernelConfig | undefined): KernelConfig {
  const stock = fallback(FusedConv2D, previous);
  return {
    ...previous,
    kernelName: FusedConv2D,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, filter, bias } = args.inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
      const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = args.attrs as unknown as FusedConv2DAttrs;
      if ((dataFormat ?? 'NHWC') !== 'NHWC' || !unitDilation(dilations) || (activation !== 'linear' && activation !== 'relu')) return stock(args);
      if (bias && util.sizeFromShape(bias.shape) !== filter.shape[3]) return stock(args); // broadcast forms other than per-channel
      const info = convInfo(FusedConv2D, x.shape as Shape4, filter.shape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
      const g = geometry(info);
      if (!g || macs(info) < settings.minMacs) return stock(args);
      return convForward(blas, args.backend as BackendWasm, x, filter, g, info, bias, activation === 'relu');
    },
  };
}

function conv2DBackpropFilter(blas: NativeBlas, previous: KernelConfig | undefined): KernelConfig {
  const wasm = fallback(Conv2DBackpropFilter, previous);
  return {
    ...previous,
    kernelName: Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
      if ((dataFormat ?? 'NHWC') !== 'NHWC') return wasm(args);
      const info = convInfo(Conv2DBackpropFilter, x.shape as Shape4, filterShape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
      const g = geometry(info);
      if (!g || macs(info) < settings.minMacs) return wasm(args);
      const b = args.backend as BackendWasm;
      const out = b.makeOutput(filterShape, 'float32');
      blas.setThreads(settings.threads);
      blas.convFilterGrad(g, b.typedArrayFromHeap(x) as Float32Array, b.typedArrayFromHeap(dy) as Float32Array, b.typedArrayFromHeap(out) as Float32Array);
      return out;
    },
  };
}

function conv2DBackpropInput(blas: NativeBlas, previous: KernelConfig | undefined): KernelConfig {
  const wasm = fallback(Conv2DBackpropInput, previous);
  return {
    ...previous,
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
      if ((dataFormat ?? 'NHWC') !== 'NHWC') return wasm(args);
      const info = convInfo(Conv2DBackpropInput, inputShape as Shape4, filter.shape as Shape4, strides, pad as ConvPad, dimRoundingMode, dataFormat);
      const g = geometry(info);
      if (!g || macs(info) < settings.minMacs) return wasm(args);
      const b = args.backend as BackendWasm;
      const out = b.makeOutput(inputShape, 'float32');
      blas.setThreads(settings.threads);
      blas.convInputGrad(g, b.typedArrayFromHeap(dy) as Float32Array, b.typedArrayFromHeap(filter) as Float32Array, b.typedArrayFromHeap(out) as Float32Array);
      return out;
    },
  };
}

/** m, n, k of an unbatched float32 product, or undefined when the wasm kernel should take it (batched, other dtypes, small). */
function productShape(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): { m: number; n: number; k: number } | undefined {
  const ra = a.shape.length, rb = b.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (util.sizeFromShape(a.shape.slice(0, -2)) !== 1 || util.sizeFromShape(b.shape.slice(0, -2)) !== 1) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  return m * n * k < settings.minMacs ? undefined : { m, n, k };
}

/** out = op(a) · op(b) on SGEMM, shaped as tfjs shapes a BatchMatMul's output. */
function product(blas: NativeBlas, back: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, dims: { m: number; n: number; k: number }): TensorInfo {
  const out = back.makeOutput([...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), dims.m, dims.n], 'float32');
  blas.setThreads(settings.threads);
  blas.sgemm(dims.m, dims.n, dims.k, transposeA, transposeB, back.typedArrayFromHeap(a) as Float32Array, back.typedArrayFromHeap(b) as Float32Array, back.typedArrayFromHeap(out) as Float32Array);
  return out;
}

/** Unbatched products (every fc layer and its gradients), transposes handled by SGEMM itself. */
function batchMatMul(blas: NativeBlas, previous: KernelConfig | undefined): KernelConfig {
  const wasm = fallback(BatchMatMul, previous);
  return {
    ...previous,
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
      const dims = productShape(a, b, transposeA, transposeB);
      return dims ? product(blas, args.backend as BackendWasm, a, b, transposeA, transposeB, dims) : wasm(args);
    },
  };
}

/** The fc layers in inference (`tf.fused.matMul`): the product, then bias and ReLU in place. */
function fusedMatMul(blas: NativeBlas, previous: KernelConfig | undefined): KernelConfig {
  const stock = fallback(_FusedMatMul, previous);
  return {
    ...previous,
    kernelName: _FusedMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
      const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
      if (preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return stock(args);
      const dims = productShape(a, b, transposeA, transposeB);
      // Only a bias per output column (the fc layers'): other broadcasts go to the stock kernel.
      if (!dims || (bias && (bias.dtype !== 'float32' || util.sizeFromShape(bias.shape) !== dims.n || bias.shape[bias.shape.length - 1] !== dims.n))) return stock(args);
      const back = args.backend as BackendWasm;
      const out = product(blas, back, a, b, transposeA, transposeB, dims);
      if (bias || activation === 'relu') {
        blas.biasActivation(back.typedArrayFromHeap(out) as Float32Array, dims.n, bias ? (back.typedArrayFromHeap(bias) as Float32Array) : null, activation === 'relu');
      }
      return out;
    },
  };
}

export function nativeMaxPoolGrad(blas: NativeBlas): KernelConfig {
  return {
    kernelName: MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
      if (input.dtype !== 'float32') throw new FrcnnError(`native MaxPoolGrad: unsupported dtype ${input.dtype}`);
      const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
      const g = Int32Array.from([
        info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
        info.strideHeight, info.strideWidth, Math.max(0, info.padInfo.top), Math.max(0, info.padInfo.left), info.outHeight, info.outWidth,
      ]);
      const b = backend as BackendWasm;
      const out = b.makeOutput(input.shape, 'float32');
      blas.maxPoolGrad(g, b.typedArrayFromHeap(input) as Float32Array, b.typedArrayFromHeap(dy) as Float32Array, b.typedArrayFromHeap(out) as Float32Array);
      return out;
    },
  };
}

/** Kernel names of ZF's within-channel LRN and its gradient (our own ops; lrn.ts composes tf ops where they are not registered). */
export const LRN_WITHIN_CHANNEL = 'FrcnnLrnWithinChannel';
export const LRN_WITHIN_CHANNEL_GRAD = 'FrcnnLrnWithinChannelGrad';
export interface LrnAttrs {
  size: number;
  alpha: number;
  beta: number;
}

function lrnKernels(blas: NativeBlas): KernelConfig[] {
  const shape = (x: TensorInfo, size: number) => Int32Array.from([...x.shape, size]);
  return [
    {
      kernelName: LRN_WITHIN_CHANNEL,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x } = inputs as { x: TensorInfo };
        const { size, alpha, beta } = attrs as unknown as LrnAttrs;
        const b = backend as BackendWasm;
        const out = b.makeOutput(x.shape, 'float32');
        blas.lrn(shape(x, size), alpha, beta, b.typedArrayFromHeap(x) as Float32Array, b.typedArrayFromHeap(out) as Float32Array);
        return out;
      },
    },
    {
      kernelName: LRN_WITHIN_CHANNEL_GRAD,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
        const { size, alpha, beta } = attrs as unknown as LrnAttrs;
        const b = backend as BackendWasm;
        const out = b.makeOutput(x.shape, 'float32');
        blas.lrnGrad(shape(x, size), alpha, beta, b.typedArrayFromHeap(x) as Float32Array, b.typedArrayFromHeap(dy) as Float32Array, b.typedArrayFromHeap(out) as Float32Array);
        return out;
      },
    },
  ];
}

/** Marks our native kernel configs (a registry-wide symbol, so any module instance recognises them). */
const NATIVE = Symbol.for('frcnn.nativeKernel');

export function isNativeKernel(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as unknown as Record<symbol, unknown>)[NATIVE] === true;
}

/** The native kernels over the ones registered for wasm now (call after registering ours). */
export function nativeKernelConfigs(blas: NativeBlas): KernelConfig[] {
  const prev = (name: string) => getKernel(name, 'wasm');
  const configs = [
    conv2D(blas, prev(Conv2D)),
    fusedConv2D(blas, prev(FusedConv2D)),
    conv2DBackpropFilter(blas, prev(Conv2DBackpropFilter)),
    conv2DBackpropInput(blas, prev(Conv2DBackpropInput)),
    batchMatMul(blas, prev(BatchMatMul)),
    fusedMatMul(blas, prev(_FusedMatMul)),
    nativeMaxPoolGrad(blas),
    ...lrnKernels(blas),
  ];
  return configs.map((c) => Object.assign(c, { [NATIVE]: true }));
}
