/** Our wasm kernels, registered over (or in place of) the package's. */
import { BatchMatMul, getKernel, Identity, registerKernel, Sum, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulOver } from './batch-mat-mul.ts';
import { identityOver } from './identity.ts';
import { sumOver } from './sum.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { reluGradConfig } from './relu-grad.ts';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.ts';

export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
  reluGradConfig,
];

/** The package's kernels that ours replaced, by name (this exported for benchmarks: stock vs ours). */
export const REPLACED_WASM_KERNELS = new Map<string, KernelConfig>();

/**
 * Registers every kernel in WASM_TRAINING_KERNELS for `wasm`, replacing existing ones, and
 * wraps the package's BatchMatMul (batch-mat-mul.ts), Identity (identity.ts: no copy) and Sum
 * (sum.ts: bias gradients). Call before the backend initialises.
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
  // Wrappers around the package's kernels (which they call for what they do not cover).
  const wrappers: Array<[string, (stock: KernelConfig) => KernelConfig]> = [
    [BatchMatMul, batchMatMulOver],
    [Identity, identityOver],
    [Sum, sumOver],
  ];
  for (const [name, wrap] of wrappers) {
    const stock = getKernel(name, 'wasm');
    if (!stock || REPLACED_WASM_KERNELS.has(name)) continue;
    REPLACED_WASM_KERNELS.set(name, stock);
    unregisterKernel(name, 'wasm');
    registerKernel(wrap(stock));
  }
}

export { conv2DBackpropFilter } from './conv2d-backprop-filter.ts';
export { conv2DBackpropInput } from './conv2d-backprop-input.ts';
export { unsortedSegmentSum } from './unsorted-segment-sum.ts';
export { maxPoolGrad } from './max-pool-grad.ts';
export { reluGrad, RELU_GRAD } from './relu-grad.ts';
