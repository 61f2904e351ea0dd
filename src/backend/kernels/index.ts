/** Our wasm kernels, registered over (or in place of) the package's. */
import { BatchMatMul, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulOver } from './batch-mat-mul.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
];

/** The package's kernels that ours replaced, by name (this exported for benchmarks: stock vs ours). */
export const REPLACED_WASM_KERNELS = new Map<string, KernelConfig>();

/**
 * Registers every kernel in WASM_TRAINING_KERNELS for `wasm`, replacing existing ones, and
 * wraps the package's BatchMatMul (batch-mat-mul.ts). Call before the backend initialises.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing === config) continue;
    if (existing) {
      REPLACED_WASM_KERNELS.set(config.kernelName, existing);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
  const stockMatMul = getKernel(BatchMatMul, 'wasm');
  if (stockMatMul && !REPLACED_WASM_KERNELS.has(BatchMatMul)) {
    REPLACED_WASM_KERNELS.set(BatchMatMul, stockMatMul);
    unregisterKernel(BatchMatMul, 'wasm');
    registerKernel(batchMatMulOver(stockMatMul));
  }
}

export { conv2DBackpropFilter } from './conv2d-backprop-filter.ts';
export { conv2DBackpropInput } from './conv2d-backprop-input.ts';
export { unsortedSegmentSum } from './unsorted-segment-sum.ts';
export { maxPoolGrad } from './max-pool-grad.ts';
