/**
 * ReLU's gradient from its output, dx = y > 0 ? dy : 0, as one kernel (ops/relu.ts). tfjs's
 * own gradient saves the ReLU's input and runs Step + Cast + Multiply over it: on ZF's conv1
 * map (300×500×96) ~80 ms on wasm, against a few for one pass (the native addon's when built,
 * split over the cores; else this loop over the wasm heap).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FrcnnError } from '../../util/errors.ts';
import { nativeBlas } from '../native/addon.ts';

export const RELU_GRAD = 'FrcnnReluGrad';

export const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const { y, dy } = inputs as { y: TensorInfo; dy: TensorInfo };
  if (y.dtype !== 'float32' || dy.dtype !== 'float32') throw new FrcnnError(`${RELU_GRAD}: expected float32 y and dy, got ${y.dtype} and ${dy.dtype}`);
  const b = backend as unknown as BackendWasm;
  const out = b.makeOutput(y.shape, 'float32');
  // Views after the allocation: a heap growth detaches earlier ones.
  const dx = b.typedArrayFromHeap(out) as Float32Array;
  const ys = b.typedArrayFromHeap(y) as Float32Array;
  const g = b.typedArrayFromHeap(dy) as Float32Array;
  if (g.length !== ys.length) throw new FrcnnError(`${RELU_GRAD}: dy has ${g.length} values, y ${ys.length}`);
  const blas = nativeBlas();
  if (blas) blas.reluGrad(ys, g, dx);
  else for (let i = 0; i < ys.length; i++) dx[i] = ys[i] > 0 ? g[i] : 0;
  return out;
};

export const reluGradConfig: KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad };
