/**
 * In-place access to float32 tensor storage on the backends whose memory JS can reach: the
 * wasm heap and the cpu backend's arrays. The optimizer uses it to update a parameter without
 * allocating temporaries its size: VGG16's fc6 is 411 MB, and the five temporaries per step
 * of an op-by-op update fragment the 4 GiB wasm heap until a 392 MiB gradient no longer fits.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface CpuStorage {
  data: { get(dataId: object): { values?: unknown } | undefined; has(dataId: object): boolean };
}

function wasmBackend(b: tf.KernelBackend): BackendWasm | undefined {
  const w = b as unknown as Partial<BackendWasm>;
  return w.dataIdMap && typeof w.typedArrayFromHeap === 'function' && w.wasm ? (w as BackendWasm) : undefined;
}

/**
 * A view of `t`'s float32 storage (no copy), or undefined when the current backend keeps it
 * out of JS's reach (tensorflow, webgl) or `t` lives elsewhere. On wasm the view is valid
 * until the next allocation (the heap may grow).
 */
export function hostView(t: tf.Tensor): Float32Array | undefined {
  if (t.dtype !== 'float32' || t.isDisposed) return undefined;
  const b = tf.backend();
  const w = wasmBackend(b);
  if (w) return w.dataIdMap.has(t.dataId) ? (w.typedArrayFromHeap(t) as Float32Array) : undefined;
  const cpu = b as unknown as Partial<CpuStorage>;
  if (tf.getBackend() === 'cpu' && cpu.data?.has(t.dataId)) {
    const values = cpu.data.get(t.dataId)?.values;
    return values instanceof Float32Array && values.length === t.size ? values : undefined;
  }
  return undefined;
}

/**
 * `t`'s float32 values: a view of its storage where the backend allows (valid until the next
 * allocation on wasm), else a copy (`dataSync`). For loops that only read.
 */
export function hostValues(t: tf.Tensor): Float32Array {
  return hostView(t) ?? (t.dataSync() as Float32Array);
}

/**
 * Runs `update` on `t`'s own storage and returns true, when the backend allows it and no other
 * tensor shares that storage (a clone or a snapshot would see the change); returns false
 * otherwise, having done nothing.
 */
export function updateInPlace(t: tf.Tensor, update: (data: Float32Array) => void): boolean {
  const b = tf.backend();
  if (b.refCount(t.dataId) !== 1) return false;
  const view = hostView(t);
  if (!view) return false;
  update(view);
  const w = wasmBackend(b);
  if (w) {
    // XNNPACK keeps packed copies of conv filters and matmul weights keyed by tensor id and
    // drops them when the id is disposed: dispose and re-register the id (same memory) so the
    // next conv packs the new values instead of reusing the old ones.
    const { id, memoryOffset } = w.dataIdMap.get(t.dataId) as { id: number; memoryOffset: number };
    const tfjs = (w.wasm as unknown as { tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, offset: number): void } }).tfjs;
    tfjs.disposeData(id);
    tfjs.registerTensor(id, t.size, memoryOffset);
  }
  return true;
}

/**
 * A new float32 tensor of `shape` whose values `fill` writes into a view of its storage: on
 * wasm allocated on the heap (the view valid during `fill`; views of other tensors taken
 * inside it, after the allocation), elsewhere a Float32Array handed to the backend. Saves
 * an array the size of the output on the JavaScript heap and its copy into the wasm heap.
 */
export function tensorFilledBy(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const w = wasmBackend(tf.backend());
  if (w) {
    const info = w.makeOutput(shape, 'float32');
    try {
      fill(w.typedArrayFromHeap(info) as Float32Array);
    } catch (err) {
      w.disposeData(info.dataId);
      throw err;
    }
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  const values = new Float32Array(tf.util.sizeFromShape(shape));
  fill(values);
  return tf.tensor(values, shape, 'float32');
}
