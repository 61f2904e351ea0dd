/** Registers the native BLAS kernels for wasm when the addon is built (see addon.ts). */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { loadNativeBlas, type NativeBlasStatus } from './addon.ts';
import { nativeKernelConfigs } from './kernels.ts';

let registered = false;

/** Puts the native kernels over the wasm ones (once); returns whether the addon is in use and why not. */
export function registerNativeBlasKernels(): NativeBlasStatus {
  const status = loadNativeBlas();
  if (status.kind !== 'loaded' || registered) return status;
  for (const config of nativeKernelConfigs(status.blas)) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  registered = true;
  return status;
}

/** Whether wasm's conv and matmul kernels are the native ones (SGEMM takes transposed operands as they are). */
export function nativeKernelsRegistered(): boolean {
  return registered;
}

export { loadNativeBlas, nativeBlas, setNativeBlasEnabled, NATIVE_ADDON_PATH, type NativeBlas, type NativeBlasStatus } from './addon.ts';
export { setNativeMinMacs, setNativeThreads, LRN_WITHIN_CHANNEL, LRN_WITHIN_CHANNEL_GRAD, type LrnAttrs } from './kernels.ts';
