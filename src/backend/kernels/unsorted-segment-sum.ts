/**
 * UnsortedSegmentSum for wasm (missing in the package; GatherV2's gradient needs it).
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...]; ids outside [0, numSegments) are dropped,
 * as TensorFlow drops negative ids and as the cpu backend drops both. A single pass over x
 * in the wasm heap: memory-bound, no kernel to compose from.
 */
import { UnsortedSegmentSum, util, type KernelConfig, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FrcnnError } from '../../util/errors.ts';

export const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new FrcnnError(`wasm UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  const idsRank = segmentIds.shape.length;
  if (!util.arraysEqual(x.shape.slice(0, idsRank), segmentIds.shape)) {
    throw new FrcnnError(`wasm UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] is not a prefix of x shape [${x.shape}]`);
  }
  const b = backend as unknown as BackendWasm;
  const innerShape = x.shape.slice(idsRank);
  const inner = util.sizeFromShape(innerShape);
  const out = b.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views after the allocation: a heap growth detaches earlier ones.
  const o = b.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const xs = b.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = b.typedArrayFromHeap(segmentIds);
  o.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const seg = ids[i];
    if (!(seg >= 0 && seg < numSegments)) continue;
    const dst = seg * inner;
    const src = i * inner;
    for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
  }
  return out;
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
