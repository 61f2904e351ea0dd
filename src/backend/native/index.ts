/** Registers the native BLAS kernels for wasm when the addon is built (see addon.ts). */
import { BatchMatMul, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { loadNativeBlas, type NativeBlasStatus } from './addon.ts';
import { isNativeKernel, nativeKernelConfigs } from './kernels.ts';

/** Puts the native kernels over the wasm ones (once); returns whether the addon is in use and why not. */
export function registerNativeBlasKernels(): NativeBlasStatus {
  const status = loadNativeBlas();
  if (status.kind !== 'loaded' || nativeKernelsRegistered()) return status;
  for (const config of nativeKernelConfigs(status.blas)) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  return status;
}

/**
 * Whether wasm's conv and matmul kernels are the native ones (SGEMM takes transposed operands
 * as they are). Read from tfjs's kernel registry, not a module variable: a module can be
 * instantiated twice in one thread (seen under tsx), the registry is one per thread.
 */
export function nativeKernelsRegistered(): boolean {
  return isNativeKernel(getKernel(BatchMatMul, 'wasm'));
}

export { loadNativeBlas, nativeBlas, setNativeBlasEnabled, NATIVE_ADDON_PATH, type NativeBlas, type NativeBlasStatus } from './addon.ts';
export { setNativeMinMacs, setNativeThreads, LRN_WITHIN_CHANNEL, LRN_WITHIN_CHANNEL_GRAD, type LrnAttrs } from './kernels.ts';
