/** Registers the native BLAS kernels for wasm when the addon is built (see addon.ts). */
import { registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { loadNativeBlas, type NativeBlasStatus } from './addon.ts';
import { nativeKernelConfigs } from './kernels.ts';

let registered = false;

/** Puts the native kernels over the wasm ones (once); returns whether the addon is in use and why not. */
export function registerNativeBlasKernels(): NativeBlasStatus {
  const status = loadNativeBlas();
  if (status.kind !== 'loaded' || registered) return status;
  for (const config of nativeKernelConfigs(status.blas)) {
    unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  registered = true;
  return status;
}

export { loadNativeBlas, nativeBlas, NATIVE_ADDON_PATH, type NativeBlas, type NativeBlasStatus } from './addon.ts';
export { setNativeMinMacs, setNativeThreads } from './kernels.ts';
