/**
 * The mean over a batch's images of their gradients and losses, in one fixed order and one
 * arithmetic (float32 running sum, then × 1/N): the replica pool and the serial batch step
 * both use it, so a batch gives bit-identical weights whether its images ran on worker threads
 * or one after another on this thread.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { FrcnnError } from '../../util/errors.ts';
import type { WireTensors } from './replicas/protocol.ts';
import type { LossValues } from './trainer.ts';

/** Mean of image 0's gradients (`first`, tensors) and the others' (message form), as message form. */
export function meanGradients(first: tf.NamedTensorMap, others: readonly WireTensors[]): WireTensors {
  const mean: WireTensors = {};
  const scale = 1 / (others.length + 1);
  for (const [name, g] of Object.entries(first)) {
    const acc = (g.dataSync() as Float32Array).slice();
    for (const other of others) {
      const r = other[name];
      if (!r || r.data.length !== acc.length) throw new FrcnnError(`batch step: gradient of ${name} missing or of another size for one image`);
      for (let i = 0; i < acc.length; i++) acc[i] += r.data[i];
    }
    for (let i = 0; i < acc.length; i++) acc[i] *= scale;
    mean[name] = { shape: [...g.shape], data: acc };
  }
  return mean;
}

/** Each loss term's mean over the images that have it. */
export function meanLosses(all: readonly LossValues[]): LossValues {
  const out: LossValues = { total: 0 };
  for (const l of all) {
    for (const [k, v] of Object.entries(l) as Array<[keyof LossValues, number | undefined]>) {
      if (v !== undefined) out[k] = (out[k] ?? 0) + v / all.length;
    }
  }
  return out;
}
