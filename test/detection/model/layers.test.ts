import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { dense } from '../../../src/detection/layers.ts';

await registerGradients();
await tf.setBackend('cpu');

test('dense equals matMul and its gradients equal matMul gradients', () => {
  const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as tf.Tensor2D;
  const w = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
  const g = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
  assert.deepEqual(Array.from(dense(x, w).dataSync()), Array.from(tf.matMul(x, w).dataSync()));
  const f = (op: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor2D, b as tf.Tensor2D), g)))([x, w]);
  const [dx1, dw1] = f(dense);
  const [dx2, dw2] = f((a, b) => tf.matMul(a, b));
  const close = (a: tf.Tensor, b: tf.Tensor) => assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] < 1e-5);
  close(dx1, dx2);
  close(dw1, dw2);
  // A hand value: d/dx of sum(x·w) is each row of w summed: x = [[1, 2]], w = [[3], [4]] → dx = [[3, 4]], dw = [[1], [2]].
  const [hx, hw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(dense(a as tf.Tensor2D, b as tf.Tensor2D)))([tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])]);
  assert.deepEqual(Array.from(hx.dataSync()), [3, 4]);
  assert.deepEqual(Array.from(hw.dataSync()), [1, 2]);
});

test('dense backpropagates when its input was made (and disposed) inside a tidy', () => {
  const w = tf.variable(tf.randomNormal([4, 2], 0, 1, 'float32', 4));
  const x0 = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
  const { grads } = tf.variableGrads(() => {
    const y = tf.tidy(() => dense(tf.relu(tf.mul(x0, 2)) as tf.Tensor2D, w as unknown as tf.Tensor2D));
    return tf.sum(y) as tf.Scalar;
  }, [w]);
  const expected = tf.tidy(() => tf.matMul(tf.transpose(tf.relu(tf.mul(x0, 2))), tf.ones([3, 2])));
  assert.ok(tf.max(tf.abs(tf.sub(grads[w.name], expected))).dataSync()[0] < 1e-5);
});

test('dense takes the transpose-free gradient path for big weights and gets the same dx', () => {
  const n = 4001; // n² > 16e6: above the big-weight threshold
  const x = tf.randomNormal([2, n], 0, 1, 'float32', 6) as tf.Tensor2D;
  const w = tf.randomNormal([n, n], 0, 0.01, 'float32', 7) as tf.Tensor2D;
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.square(dense(a as tf.Tensor2D, w))))(x);
  const ref = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, w))))(x);
  assert.ok(tf.max(tf.abs(tf.sub(dx, ref))).dataSync()[0] < 1e-3);
  tf.dispose([x, w, dx, ref]);
});
