import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { GN_EPSILON, groupCount, groupNorm, groupNormReluPool } from '../../../src/detection/backbones/group-norm.ts';
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

// On wasm (outputs written straight into the heap) and a map large enough for the native
// sums to run in chunks on the pool threads, against the composition on cpu.
for (const form of FORMS) {
  test(`wasm, 2 × 48 × 80 × 32 map: forward, fused ReLU and gradients match the composed GroupNorm on cpu (${form.name})`, { skip: form.skip }, inForm(form.on, async () => {
    const { initBackend } = await import('../../../src/backend/index.ts');
    await initBackend({ backend: 'wasm' });
    const shape: [number, number, number, number] = [2, 48, 80, 32];
    const data = (seed: number, n: number, mean = 0, std = 1) => tf.tidy(() => tf.randomNormal([n], mean, std, 'float32', seed).dataSync() as Float32Array);
    const size = shape.reduce((a, b) => a * b, 1);
    const [xv, gv, bv, dyv] = [data(5, size, 0.5, 3), data(6, 32, 1, 0.5), data(7, 32, 0, 0.5), data(8, size)];
    const run = (backend: string, f: typeof groupNorm | typeof composedGroupNorm) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const [x, gamma, beta, dy] = [tf.tensor4d(xv, shape), tf.tensor1d(gv), tf.tensor1d(bv), tf.tensor4d(dyv, shape)];
        const y = f(x, gamma, beta, 8);
        const fusedRelu = f === groupNorm ? groupNorm(x, gamma, beta, 8, { relu: true }) : tf.relu(y);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b, c, 8), dy)))([x, gamma, beta]);
        return [y, fusedRelu, ...g].map((t) => t.dataSync() as Float32Array);
      });
    };
    const ours = run('wasm', groupNorm);
    const ref = run('cpu', composedGroupNorm);
    ['y', 'relu(y)', 'dx', 'dγ', 'dβ'].forEach((name, i) => {
      const scale = ref[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = ours[i].reduce((m, v, j) => Math.max(m, Math.abs(v - ref[i][j])), 0);
      assert.ok(diff <= 2e-5 * scale + 1e-5, `${name}: ${diff} (scale ${scale})`);
    });
    assert.ok(ours[1].every((v, j) => v === Math.max(ours[0][j], 0)), 'the fused ReLU is max(GroupNorm, 0) exactly');
    tf.setBackend('cpu');
  }));
}

test('groupNormReluPool (native, inference) equals GroupNorm → ReLU → 2×2/2 max pool apart, odd sizes dropping the last row and column', { skip: FORMS[0].skip }, inForm(true, async () => {
  const { initBackend } = await import('../../../src/backend/index.ts');
  await initBackend({ backend: 'wasm' });
  tf.setBackend('wasm');
  for (const shape of [[2, 7, 9, 16], [1, 64, 48, 32]] as Array<[number, number, number, number]>) {
    tf.tidy(() => {
      const x = tf.randomNormal(shape, 0.2, 2, 'float32', 11) as tf.Tensor4D;
      const gamma = tf.randomNormal([shape[3]], 1, 0.5, 'float32', 12);
      const beta = tf.randomNormal([shape[3]], 0, 0.5, 'float32', 13);
      const fused = groupNormReluPool(x, gamma, beta, 4);
      assert.ok(fused, 'the native pass ran');
      const apart = tf.maxPool(groupNorm(x, gamma, beta, 4, { relu: true }), 2, 2, 0);
      assert.deepEqual(fused.shape, apart.shape);
      assert.deepEqual(Array.from(fused.dataSync(), (v) => v + 0), Array.from(apart.dataSync(), (v) => v + 0));
    });
  }
  tf.setBackend('cpu');
}));
