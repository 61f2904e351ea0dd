import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { dense, setHugeWeightThreshold } from '../../../src/detection/layers.ts';
import { initBackend } from '../../../src/backend/index.ts';

await registerGradients();
await tf.setBackend('cpu');
// The XNNPACK forward forms; with the native addon every form is the plain product
// (test/backend/native-kernels.test.ts checks dense there).
process.env.FRCNN_NATIVE_BLAS = 'off';

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

for (const [k, m, training, form] of [
  [96, 8, true, 'a 1×1 conv (in ≥ 4·out)'],
  [24, 40, true, 'the plain product'],
  [40, 30, true, '(wᵀ·xᵀ)ᵀ (a weight over the threshold, lowered here)'],
  [96, 8, false, 'the plain product (inference)'],
] as const) {
  test(`dense on wasm (${k} → ${m}, forward as ${form}) matches matMul on cpu, value and gradients`, async () => {
    const xs = tf.randomNormal([6, k], 0, 1, 'float32', 8).dataSync();
    const ws = tf.randomNormal([k, m], 0, 1, 'float32', 9).dataSync();
    const gs = tf.randomNormal([6, m], 0, 1, 'float32', 10).dataSync();
    const run = (op: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor): Array<Float32Array> => {
      // Tensors out of the tidy, values read after: tidy would walk returned typed arrays.
      const outs = tf.tidy(() => {
        const g = tf.tensor2d(gs, [6, m]);
        const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor2D, b as tf.Tensor2D), g));
        const [dx, dw] = tf.grads(loss)([tf.tensor2d(xs, [6, k]), tf.tensor2d(ws, [k, m])]);
        return [op(tf.tensor2d(xs, [6, k]), tf.tensor2d(ws, [k, m])), dx, dw];
      });
      const values = outs.map((t) => t.dataSync() as Float32Array);
      tf.dispose(outs);
      return values;
    };
    const ref = run((a, b) => tf.matMul(a, b));
    await initBackend({ backend: 'wasm' });
    try {
      const previous = form.startsWith('(w') ? setHugeWeightThreshold(1000) : undefined;
      const got = run((a, b) => dense(a, b, { training }));
      if (previous !== undefined) setHugeWeightThreshold(previous);
      for (const [i, label] of ['value', 'dx', 'dw'].entries()) {
        let err = 0;
        for (let j = 0; j < ref[i].length; j++) err = Math.max(err, Math.abs(got[i][j] - ref[i][j]));
        assert.ok(err < 1e-4 * Math.sqrt(k), `${label}: max error ${err}`);
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });
}
