/**
 * BatchMatMul for wasm with transposed operands. The package's kernel is fast (XNNPACK)
 * only without transposes; with transposeA or transposeB it falls back to a loop measured
 * 12–17× slower (a 2304×1900×256 product: 151 ms plain, 1749 ms transposeB, 2567 ms
 * transposeA) — and every matMul gradient is a product with one operand transposed. So the
 * transposes are materialised with the Transpose kernel and the plain product is used,
 * choosing between op(a)·op(b) and (op(b)ᵀ·op(a)ᵀ)ᵀ whichever copies fewer elements
 * (an fc layer's gradient then transposes the small activations, never the big weights).
 */
import { BatchMatMul, util, type BatchMatMulAttrs, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch } from './run.ts';

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Our BatchMatMul around the package's `stock` kernel (which it calls for the plain product). */
export function batchMatMulOver(stock: KernelConfig): KernelConfig {
  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
      if (!transposeA && !transposeB) return stock.kernelFunc(args);
      const backend = args.backend as KernelBackend;
      const s = new Scratch(backend);
      try {
        const t = (x: TensorInfo) => s.run('Transpose', { x }, { perm: swapLastTwo(x.shape.length) });
        const plain = (x: TensorInfo, y: TensorInfo) => s.track(stock.kernelFunc({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo);
        const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
        const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
        const batch = Math.max(util.sizeFromShape(a.shape.slice(0, -2)), util.sizeFromShape(b.shape.slice(0, -2)));
        const sizeA = util.sizeFromShape(a.shape);
        const sizeB = util.sizeFromShape(b.shape);
        const direct = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0);
        const swapped = (transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + batch * m * n;
        const out = direct <= swapped ? plain(transposeA ? t(a) : a, transposeB ? t(b) : b) : t(plain(transposeB ? b : t(b), transposeA ? a : t(a)));
        return s.finish(out);
      } catch (e) {
        s.disposeAll();
        throw e;
      }
    },
  };
}
