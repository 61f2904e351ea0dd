/**
 * ops/relu.ts: ReLU whose gradient reads its output, on each backend path (wasm's kernel with
 * the native addon and in JavaScript, cpu's composed ops), against tfjs's own ReLU gradient on cpu.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, RELU_GRAD } from '../../../src/backend/index.ts';
import { relu } from '../../../src/detection/ops/relu.ts';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { values } from '../../backend/compare.ts';
import { inForm, NATIVE_FORMS } from '../../utils/native-forms.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
  await registerGradients();
});

/** x with exact zeros and ties of sign planted, and an upstream gradient. */
function inputs(n: number): { x: Float32Array; dy: Float32Array } {
  const x = values(n, 7);
  for (let i = 0; i < n; i += 5) x[i] = 0;
  return { x, dy: values(n, 11) };
}

/** Values with −0 read as 0 (tfjs's gradient, dy · 0, gives −0 where dy < 0; ours 0). */
const plain = (a: Float32Array) => Array.from(a, (v) => v + 0);

/** relu(x) and its gradient times dy, by `op` on the current backend. */
function run(op: (t: tf.Tensor) => tf.Tensor, x: Float32Array, dy: Float32Array, shape: number[]): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor(x, shape);
    const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.sum(tf.mul(op(t), tf.tensor(dy, shape))))([xt]);
    value.dispose();
    const y = op(xt);
    return { y: y.dataSync() as Float32Array, dx: grads[0].dataSync() as Float32Array };
  });
}

const SHAPES = [
  [2, 3, 4, 5],
  [1, 120, 130, 8], // > 2^16 values: the native loop splits over threads
];

for (const shape of SHAPES) {
  const n = shape.reduce((a, b) => a * b, 1);
  const { x, dy } = inputs(n);
  const reference = async () => {
    await tf.setBackend('cpu');
    return run(tf.relu, x, dy, shape);
  };
  for (const form of NATIVE_FORMS) {
    test(`relu on wasm (${form.name}) ${shape}: values and gradient equal tfjs's relu on cpu`, { skip: form.skip }, inForm(form.on, async () => {
      const want = await reference();
      await tf.setBackend('wasm');
      assert.ok(tf.getKernel(RELU_GRAD, 'wasm'), 'wasm has the one-pass kernel');
      const got = run(relu, x, dy, shape);
      assert.deepEqual(got.y, want.y);
      assert.deepEqual(plain(got.dx), plain(want.dx));
    }));
  }
  test(`relu on cpu (composed gradient) ${shape}: equal to tfjs's relu`, async () => {
    const want = await reference();
    assert.equal(tf.getKernel(RELU_GRAD, 'cpu'), undefined);
    const got = run(relu, x, dy, shape);
    assert.deepEqual(got.y, want.y);
    assert.deepEqual(plain(got.dx), plain(want.dx));
  });
}

test('relu: zero input has zero gradient (as tfjs: step(0) = 0), hand-computed', async () => {
  await tf.setBackend('wasm');
  const got = run(relu, Float32Array.of(-2, 0, 3, -0, 1e-30), Float32Array.of(5, 6, 7, 8, 9), [5]);
  assert.deepEqual(Array.from(got.y), [0, 0, 3, 0, 1e-30].map((v) => Math.fround(v)));
  assert.deepEqual(plain(got.dx), [0, 0, 7, 0, 9]);
});

test('relu under a tape keeps the output, not the input: the input can be disposed before the backward pass', async () => {
  await tf.setBackend('wasm');
  const x = tf.variable(tf.tensor1d([-1, 2, -3, 4]));
  const grads = tf.variableGrads(() => {
    const pre = tf.mul(x, 2);
    const y = relu(pre);
    pre.dispose(); // tfjs's own relu gradient would read this
    return tf.sum(y) as tf.Scalar;
  }, [x]);
  assert.deepEqual(Array.from(grads.grads[x.name].dataSync()), [0, 2, 0, 2]);
  tf.dispose(grads.grads);
  x.dispose();
});
