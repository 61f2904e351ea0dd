import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { GN_EPSILON, groupCount, groupNorm } from '../../../src/detection/backbones/group-norm.ts';
import { inForm, NATIVE_FORMS as FORMS } from '../../utils/native-forms.ts';

await registerGradients();
await tf.setBackend('cpu');

/** The textbook composition, differentiated by tfjs itself: the reference. */
function composedGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const g = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  return tf.add(tf.mul(tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, GN_EPSILON))), [n, h, w, c]), gamma), beta);
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

test('group counts: 32 groups, or fewer with at least 4 channels each, dividing the channels', () => {
  assert.equal(groupCount(256), 32);
  assert.equal(groupCount(64), 16);
  assert.equal(groupCount(32), 8);
  assert.equal(groupCount(96), 24);
  assert.equal(groupCount(6), 1);
});

for (const form of FORMS) {
test(`hand values: one group of [1, 2, 3, 4] normalises to ±1.342, ±0.447 (${form.name})`, { skip: form.skip }, inForm(form.on, () => {
  const y = groupNorm(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), tf.tensor1d([1]), tf.tensor1d([0]), 1).dataSync();
  const s = Math.sqrt(1.25 + GN_EPSILON);
  [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-6, `${y[i]} vs ${v}`));
}));

test(`forward and gradients (x, γ, β) match the composed tfjs GroupNorm (${form.name})`, { skip: form.skip }, inForm(form.on, () => {
  const x = tf.randomNormal([1, 5, 6, 12], 0.3, 2, 'float32', 1) as tf.Tensor4D;
  const gamma = tf.randomNormal([12], 1, 0.5, 'float32', 2);
  const beta = tf.randomNormal([12], 0, 0.5, 'float32', 3);
  const dy = tf.randomNormal([1, 5, 6, 12], 0, 1, 'float32', 4);
  assert.ok(maxDiff(groupNorm(x, gamma, beta, 3), composedGroupNorm(x, gamma, beta, 3)) < 1e-4);
  const grads = (f: typeof groupNorm | typeof composedGroupNorm) =>
    tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, g, b, 3), dy)))([x, gamma, beta]);
  const ours = grads(groupNorm);
  const ref = grads(composedGroupNorm);
  ['dx', 'dγ', 'dβ'].forEach((name, i) => assert.ok(maxDiff(ours[i], ref[i]) < 1e-3, `${name}: ${maxDiff(ours[i], ref[i])}`));
}));
}
