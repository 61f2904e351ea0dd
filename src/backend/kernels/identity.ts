/**
 * Identity for wasm without a copy: the package's kernel copies the tensor, and tfjs clones
 * every tensor a gradient needs (`saveTensorsForBackwardMode`), so each training step copied
 * its saved activations once more (ZF at 600×1000: 135 copies, ~100 ms). Here the output shares
 * the input's storage by reference count, as the cpu backend does; the wasm backend frees the
 * storage with the last reference, and nothing writes a tensor in place while it is shared
 * (the in-place SGD update checks the count, host-memory.ts).
 */
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export function identityOver(stock: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string' && stock) return stock.kernelFunc(args);
    (args.backend as unknown as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: Identity, backendName: 'wasm', kernelFunc };
}
