/**
 * Our wasm MaxPoolGrad: against cpu across window sizes, strides and paddings, and on the
 * case the package's kernel gets wrong (a window whose values are all negative).
 */
import assert from 'node:assert/strict';
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.ts';
import { assertKernelMatchesCpu, values } from './compare.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

function pooled(shape: number[], k: number | [number, number], s: number | [number, number], pad: 'same' | 'valid' | number): number[] {
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const [sh, sw] = typeof s === 'number' ? [s, s] : s;
  const o = (n: number, kk: number, ss: number) => (pad === 'same' ? Math.ceil(n / ss) : pad === 'valid' ? Math.ceil((n - kk + 1) / ss) : Math.floor((n + 2 * pad - kk) / ss) + 1);
  return [shape[0], o(shape[1], kh, sh), o(shape[2], kw, sw), shape[3]];
}

const CASES: Array<{ x: number[]; k: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number }> = [
  { x: [2, 13, 11, 5], k: 3, s: 2, pad: 'same' }, // ZF pooling
  { x: [1, 12, 10, 6], k: 2, s: 2, pad: 'valid' }, // VGG pooling
  { x: [2, 13, 11, 4], k: 2, s: 2, pad: 'same' }, // VGG pooling on odd sizes (Caffe's ceil mode)
  { x: [1, 9, 7, 3], k: 2, s: 2, pad: 'valid' },
  { x: [1, 9, 9, 3], k: 3, s: 1, pad: 'same' },
  { x: [2, 10, 7, 4], k: [3, 2], s: [2, 1], pad: 'valid' },
  { x: [1, 8, 8, 7], k: 3, s: 2, pad: 1 },
];

for (const c of CASES) {
  test(`MaxPoolGrad x=${c.x} k=${c.k} s=${c.s} pad=${c.pad} matches cpu`, async () => {
    const x = { shape: c.x, values: values(c.x.reduce((a, b) => a * b), 21) };
    await tf.setBackend('cpu');
    const output = tf.maxPool(tf.tensor4d(x.values, c.x as [number, number, number, number]), c.k, c.s, c.pad);
    const outSpec = { shape: output.shape, values: output.dataSync() as Float32Array };
    assert.deepEqual(output.shape, pooled(c.x, c.k, c.s, c.pad));
    await assertKernelMatchesCpu(
      'MaxPoolGrad',
      { dy: { shape: output.shape }, input: x, output: outSpec },
      { filterSize: c.k, strides: c.s, pad: c.pad },
      `k=${c.k} s=${c.s} pad=${c.pad}`,
      1e-6,
    );
  });
}

test('MaxPoolGrad routes the gradient of an all-negative window to its maximum (hand-computed)', async () => {
  await tf.setBackend('wasm');
  // 2×2 windows, stride 2: maxima at (0,1)=0.7, (0,3)=-0.1, (3,0)=-0.2 and (2,3)=-0.3.
  const x = tf.tensor4d([-0.5, 0.7, -0.4, -0.1, -0.9, -0.8, -0.6, -0.7, -0.3, -0.6, -0.5, -0.3, -0.2, -0.4, -0.8, -0.9], [1, 4, 4, 1]);
  const y = tf.maxPool(x, 2, 2, 'valid');
  assert.deepEqual(Array.from(y.dataSync()).map((v) => +v.toFixed(4)), [0.7, -0.1, -0.2, -0.3]);
  const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
  assert.deepEqual(Array.from(dx.dataSync()), [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0]);
});
