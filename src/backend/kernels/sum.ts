/**
 * Sum over every axis but the last (a conv or dense bias gradient) for wasm as one pass of
 * column sums over the heap: the package's kernel transposes the reduced axes innermost first
 * (ZF's conv1 bias gradient, a 300×500×96 map: 115 ms; this loop 67, the native addon's when
 * built a few). Other reductions go to the package's kernel. Sums in float64, stored as float32.
 */
import { util, type KernelConfig, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeBlas } from '../native/addon.ts';

export function sumOver(stock: KernelConfig): KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as SumAttrs;
      const rank = x.shape.length;
      const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
      if (x.dtype !== 'float32' || !leading) return stock.kernelFunc(args);
      const b = args.backend as unknown as BackendWasm;
      const cols = x.shape[rank - 1];
      const out = b.makeOutput(keepDims ? [...Array<number>(rank - 1).fill(1), cols] : [cols], 'float32');
      // Views after the allocation (it may grow the heap).
      const src = b.typedArrayFromHeap(x) as Float32Array;
      const dst = b.typedArrayFromHeap(out) as Float32Array;
      const blas = nativeBlas();
      if (blas) {
        blas.columnSum(src, cols, dst);
      } else {
        const acc = new Float64Array(cols);
        for (let o = 0; o < src.length; o += cols) for (let c = 0; c < cols; c++) acc[c] += src[o + c];
        dst.set(acc);
      }
      return out;
    },
  };
}
