/**
 * ReLU whose gradient reads its output: dx = y > 0 ? dy : 0 (y > 0 exactly where x > 0).
 * tfjs's own gradient saves the input instead, so under a tape a conv's pre-activation map was
 * kept alive next to the ReLU's output (which the next layer keeps anyway), and it ran as
 * Step + Cast + Multiply (~80 ms on ZF's conv1 map on wasm). Backends with our one-pass kernel
 * (wasm: backend/kernels/relu-grad.ts) run that; others compose the same value from tf ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD } from '../../backend/kernels/relu-grad.ts';

export function relu<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = inputs as [T, tf.GradSaveFunc];
    const value = tf.relu(input);
    save([value]);
    const gradFunc = (dy: T, saved: tf.Tensor[]) => {
      const y = saved[0];
      if (tf.getKernel(RELU_GRAD, tf.getBackend())) return tf.engine().runKernel(RELU_GRAD, { y, dy }) as T;
      return tf.tidy(() => tf.mul(dy, tf.step(y)) as T);
    };
    return { value, gradFunc };
  });
  return op(x) as T;
}
