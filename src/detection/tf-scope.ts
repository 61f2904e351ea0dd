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

/**
 * Whether a gradient tape is recording (inside `tf.grad`, `variableGrads`…). Inference fuses
 * bias and ReLU into convolutions and products; under a tape tfjs would unfuse them into extra
 * saved tensors, so training keeps them apart.
 */
export function recordingGradients(): boolean {
  return tf.engine().state.gradientDepth > 0;
}
