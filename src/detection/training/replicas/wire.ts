/** Named tensors to and from their message form (`{shape, data}`), copying the data (so it can be transferred: the cpu backend hands out its own arrays). */
import * as tf from '@tensorflow/tfjs-core';
import type { WireTensors } from './protocol.ts';

export function toWire(named: tf.NamedTensorMap): WireTensors {
  const out: WireTensors = {};
  for (const [name, t] of Object.entries(named)) out[name] = { shape: [...t.shape], data: (t.dataSync() as Float32Array).slice() };
  return out;
}

/** Tensors for every entry; the caller disposes them. */
export function fromWire(wire: WireTensors): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [name, w] of Object.entries(wire)) out[name] = tf.tensor(w.data, w.shape, 'float32');
  return out;
}
