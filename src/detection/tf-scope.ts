/** `tf.tidy` for functions that return plain data (typed arrays, records): every tensor made inside is disposed. */
import * as tf from '@tensorflow/tfjs-core';

export function withScope<T>(fn: () => T): T {
  const engine = tf.engine();
  engine.startScope();
  try {
    return fn();
  } finally {
    engine.endScope();
  }
}
