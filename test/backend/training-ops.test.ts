/**
 * Forward and backward of every op a detector's training step uses, on wasm against cpu:
 * the check that no kernel the step needs is missing on wasm (before our kernels, conv
 * filter gradients and gather gradients failed there) and that the gradients agree.
 */
import assert from 'node:assert/strict';
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.ts';
import { registerGradients } from '../../src/detection/tf-gradients.ts';
import { values } from './compare.ts';

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;
interface OpCase {
  name: string;
  shapes: number[][];
  f: Fn;
  /** Relative tolerance (default 1e-4). */
  tol?: number;
}

const i32 = (v: number[]) => tf.tensor1d(v, 'int32');

const CASES: OpCase[] = [
  { name: 'conv2d 3×3 s1 same + relu', shapes: [[2, 12, 10, 5], [3, 3, 5, 6]], f: (x, w) => tf.sum(tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))) },
  { name: 'conv2d 7×7 s2 same (ZF conv1)', shapes: [[1, 23, 19, 3], [7, 7, 3, 8]], f: (x, w) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'))) },
  { name: 'conv2d 5×5 s2 valid', shapes: [[1, 17, 15, 6], [5, 5, 6, 7]], f: (x, w) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'))) },
  { name: 'conv2d 11×11 s4 valid', shapes: [[1, 31, 27, 3], [11, 11, 3, 4]], f: (x, w) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 4, 'valid'))) },
  { name: 'conv2d 1×1 + bias add', shapes: [[2, 6, 5, 7], [1, 1, 7, 9], [9]], f: (x, w, b) => tf.sum(tf.square(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'), b))) },
  { name: 'maxPool 3×3 s2 same', shapes: [[2, 13, 11, 5]], f: (x) => tf.sum(tf.square(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'))) },
  { name: 'maxPool 2×2 s2 valid', shapes: [[1, 12, 10, 6]], f: (x) => tf.sum(tf.square(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))) },
  { name: 'avgPool 2×2', shapes: [[1, 8, 8, 3]], f: (x) => tf.sum(tf.square(tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'))) },
  { name: 'matMul fc + relu', shapes: [[6, 20], [20, 11], [11]], f: (x, w, b) => tf.sum(tf.relu(tf.add(tf.matMul(x, w), b))) },
  { name: 'matMul transposed operands', shapes: [[20, 6], [11, 20]], f: (a, b) => tf.sum(tf.square(tf.matMul(a, b, true, true))) },
  {
    name: 'softmax cross-entropy via logSoftmax + gather of labels',
    shapes: [[8, 5]],
    f: (logits) => {
      const lp = tf.logSoftmax(logits);
      const picked = tf.gather(tf.reshape(lp, [-1]), i32([0, 6, 12, 18, 24, 25, 31, 37]));
      return tf.neg(tf.mean(picked));
    },
  },
  { name: 'softmax + oneHot log loss', shapes: [[8, 5]], f: (l) => tf.neg(tf.sum(tf.mul(tf.oneHot(i32([0, 1, 2, 3, 4, 0, 1, 2]), 5), tf.log(tf.softmax(l))))) },
  { name: 'sigmoid binary cross-entropy', shapes: [[12]], f: (x) => tf.sum(tf.sigmoid(x)) },
  { name: 'gather rows (+ UnsortedSegmentSum gradient), repeated indices', shapes: [[10, 7]], f: (x) => tf.sum(tf.square(tf.gather(x, i32([3, 1, 3, 9, 0, 3])))) },
  { name: 'gather along axis 1', shapes: [[4, 9, 3]], f: (x) => tf.sum(tf.square(tf.gather(x, i32([8, 0, 8, 2]), 1))) },
  {
    // Comparisons have no gradient in tfjs, so the branch mask is a constant (as the
    // detector's targets are) and the smooth-L1 itself is written with abs/minimum.
    name: 'smooth-L1 (abs, minimum, where on a constant mask, mul by mask)',
    shapes: [[16, 4], [16, 4]],
    f: (p, t) => {
      const sigma2 = 9;
      const ad = tf.abs(tf.sub(p, t));
      const m = tf.minimum(ad, 1 / sigma2);
      const l = tf.add(tf.mul(tf.square(m), 0.5 * sigma2), tf.sub(ad, m));
      const mask = tf.tensor2d(Float32Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [16, 4]);
      const picked = tf.where(tf.cast(mask, 'bool'), l, tf.mul(l, 0.25));
      return tf.div(tf.sum(tf.mul(picked, mask)), 16);
    },
  },
  { name: 'exp, log, maximum, clipByValue', shapes: [[5, 6]], f: (x) => tf.sum(tf.add(tf.log(tf.add(tf.exp(tf.clipByValue(x, -0.5, 0.5)), 1)), tf.maximum(x, 0.1))) },
  {
    name: 'concat, slice, reshape, transpose, stack, squeeze',
    shapes: [[2, 3, 4], [2, 5, 4]],
    f: (a, b) => {
      const c = tf.concat([a, b], 1);
      const s = tf.slice(c, [0, 2, 1], [2, 5, 3]);
      const t = tf.transpose(tf.reshape(s, [2, 15]));
      const st = tf.stack([t, tf.mul(t, 2)]);
      return tf.sum(tf.square(tf.squeeze(tf.slice(st, [1, 0, 0], [1, 15, 2]))));
    },
  },
  { name: 'mean over axes, sum keepDims, broadcasting mul', shapes: [[3, 4, 5], [5]], f: (x, s) => tf.add(tf.sum(tf.mean(tf.square(tf.mul(x, s)), [0, 2])), tf.sum(tf.sum(x, 1, true))) },
  // Square: the cpu backend's ResizeBilinearGrad swaps height and width (its gradient of a
  // 6×5 image comes out 5×6), so it is no reference for non-square images.
  { name: 'resizeBilinear (image op)', shapes: [[1, 6, 6, 3]], f: (x) => tf.sum(tf.square(tf.image.resizeBilinear(x as tf.Tensor4D, [9, 9]))) },
  { name: 'pad, dropout-style constant mask', shapes: [[2, 4, 4, 3]], f: (x) => tf.sum(tf.square(tf.mul(tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]]), tf.tensor4d(values(2 * 7 * 7 * 3, 9).map((v) => (v > 0 ? 2 : 0)), [2, 7, 7, 3])))) },
];

before(async () => {
  await registerGradients();
  await initBackend({ backend: 'wasm' });
});

function evaluate(backend: string, c: OpCase): Float32Array[] {
  tf.setBackend(backend);
  const out: Float32Array[] = [];
  tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.tensor(values(s.reduce((a, b) => a * b, 1), 11 + i), s));
    const { value, grads } = tf.valueAndGrads(c.f)(xs);
    out.push(value.dataSync() as Float32Array, ...grads.map((g) => g.dataSync() as Float32Array));
  });
  return out;
}

for (const c of CASES) {
  test(`wasm forward+backward = cpu: ${c.name}`, async () => {
    const want = evaluate('cpu', c);
    const got = evaluate('wasm', c);
    await tf.setBackend('wasm');
    for (let k = 0; k < want.length; k++) {
      const label = k === 0 ? 'value' : `d/dx${k - 1}`;
      assert.equal(got[k].length, want[k].length, `${label} size`);
      let scale = 1e-6;
      for (const v of want[k]) scale = Math.max(scale, Math.abs(v));
      let worst = 0;
      for (let i = 0; i < want[k].length; i++) worst = Math.max(worst, Math.abs(got[k][i] - want[k][i]));
      assert.ok(worst / scale <= (c.tol ?? 1e-4), `${c.name} ${label}: max |wasm − cpu| ${worst} (scale ${scale})`);
    }
  });
}
