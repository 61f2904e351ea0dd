/**
 * Helpers for kernels composed of other wasm kernels. Inner kernels are called through the
 * registry with the backend directly (no engine, no tape), so their outputs are plain
 * TensorInfos that the composing kernel must dispose (`Scratch`).
 */
import { getKernel, type KernelBackend, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { FrcnnError } from '../../util/errors.ts';

export function runKernel(name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new FrcnnError(`wasm backend has no ${name} kernel`);
  const out = k.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** Tracks intermediates of a composite kernel and disposes them (all but the result). */
export class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const out = runKernel(name, this.backend, inputs, attrs);
    this.infos.push(out);
    return out;
  }

  /** Tracks an intermediate made some other way (e.g. by a wrapped kernel). */
  track(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }

  /** Disposes one intermediate now (e.g. a chunk's buffer inside a loop), instead of at the end. */
  release(info: TensorInfo): void {
    const i = this.infos.indexOf(info);
    if (i < 0) return;
    this.infos.splice(i, 1);
    this.backend.disposeData(info.dataId);
  }

  /** Disposes every intermediate except `keep`, which the caller returns to the engine. */
  finish(keep: TensorInfo): TensorInfo {
    for (const info of this.infos) if (info !== keep) this.backend.disposeData(info.dataId);
    return keep;
  }

  /** Disposes everything (on error). */
  disposeAll(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
  }
}
