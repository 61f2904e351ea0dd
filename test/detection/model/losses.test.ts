import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { binaryLogLoss, smoothL1, softmaxCrossEntropy, weightedSmoothL1 } from '../../../src/detection/losses.ts';

await registerGradients();
await tf.setBackend('cpu');

const near = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('smooth L1 matches hand values for σ = 1 and σ = 3, and its gradient is clipped', () => {
  // σ=1: |x|<1 → 0.5x²; else |x|−0.5.
  const x = tf.tensor1d([0, 0.5, -0.5, 1, 2, -3]);
  assert.deepEqual(Array.from(smoothL1(x, 1).dataSync()), [0, 0.125, 0.125, 0.5, 1.5, 2.5]);
  // σ=3: threshold 1/9; |x|<1/9 → 4.5x²; else |x| − 1/18.
  const y = smoothL1(tf.tensor1d([0.1, 0.2, -1]), 3).dataSync();
  near(y[0], 4.5 * 0.01);
  near(y[1], 0.2 - 1 / 18);
  near(y[2], 1 - 1 / 18);
  // d/dx: σ²x inside, sign(x) outside.
  const g = tf.grad((v: tf.Tensor) => tf.sum(smoothL1(v, 1)))(tf.tensor1d([0.5, 2, -3])).dataSync();
  assert.deepEqual(Array.from(g), [0.5, 1, -1]);
});

test('binary log loss of logit differences equals −log softmax (hand values), with weights', () => {
  // d = 0 → p = 0.5 → loss ln 2 whatever the label; d = 2, label 1 → −log σ(2); label 0 → −log(1−σ(2)).
  const d = tf.tensor1d([0, 2, 2, 5]);
  const loss = binaryLogLoss(d, Float32Array.of(1, 1, 0, 0), Float32Array.of(0.5, 0.5, 0.5, 0)).dataSync()[0];
  const sig2 = 1 / (1 + Math.exp(-2));
  near(loss, 0.5 * (Math.LN2 - Math.log(sig2) - Math.log(1 - sig2)));
  // Gradient for label 1 is w·(σ(d) − 1); for label 0, w·σ(d); ignored elements get 0.
  const g = tf.grad((v: tf.Tensor) => binaryLogLoss(v as tf.Tensor1D, Float32Array.of(1, 0, 0), Float32Array.of(1, 1, 0)))(tf.tensor1d([0, 0, 3])).dataSync();
  near(g[0], -0.5);
  near(g[1], 0.5);
  near(g[2], 0);
});

test('softmax cross-entropy is the mean −log p of the label (hand values)', () => {
  // Row 1: logits [0,0,0] → ln 3. Row 2: [ln1, ln2, ln7] → p = [0.1,0.2,0.7], label 2 → −ln 0.7.
  const logits = tf.tensor2d([0, 0, 0, 0, Math.log(2), Math.log(7)], [2, 3]);
  near(softmaxCrossEntropy(logits, Int32Array.of(1, 2)).dataSync()[0], (Math.log(3) - Math.log(0.7)) / 2);
});

test('weighted smooth L1 counts only the selected coordinates', () => {
  const pred = tf.tensor2d([1, 2, 3, 4, 0, 0, 0, 0], [2, 4]);
  const target = Float32Array.of(1, 0, 3, 0, 5, 5, 5, 5);
  const inside = Float32Array.of(1, 1, 1, 1, 0, 0, 0, 0);
  // Row 0 diffs [0, 2, 0, 4] → 0 + 1.5 + 0 + 3.5; row 1 ignored.
  near(weightedSmoothL1(pred, target, inside, 1).dataSync()[0], 5);
});
