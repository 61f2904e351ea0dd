/** Our wasm UnsortedSegmentSum against the cpu backend, and through tf.gather's gradient. */
import assert from 'node:assert/strict';
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.ts';
import { assertKernelMatchesCpu } from './compare.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

const ids = (a: number[]) => ({ shape: [a.length], dtype: 'int32' as const, values: Int32Array.from(a) });

test('UnsortedSegmentSum: 2-D rows with repeated and unused segments', async () => {
  await assertKernelMatchesCpu('UnsortedSegmentSum', { x: { shape: [7, 5] }, segmentIds: ids([3, 0, 3, 3, 1, 0, 5]) }, { numSegments: 6 }, '7×5 into 6');
});

test('UnsortedSegmentSum: 1-D and 4-D values', async () => {
  await assertKernelMatchesCpu('UnsortedSegmentSum', { x: { shape: [6] }, segmentIds: ids([1, 1, 0, 2, 2, 2]) }, { numSegments: 3 }, '1-D');
  await assertKernelMatchesCpu('UnsortedSegmentSum', { x: { shape: [4, 3, 2, 5] }, segmentIds: ids([0, 2, 0, 2]) }, { numSegments: 4 }, '4-D');
});

test('UnsortedSegmentSum: 2-D segment ids (the cpu backend supports only 1-D; hand-computed)', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
  const segmentIds = tf.tensor2d([[0, 1, 1], [2, 0, 3]], [2, 3], 'int32');
  const out = tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds }, { numSegments: 3 }) as tf.Tensor;
  assert.deepEqual(out.shape, [3, 2]);
  assert.deepEqual(Array.from(out.dataSync()), [10, 12, 8, 10, 7, 8]);
});

test('UnsortedSegmentSum: int32 values, and ids outside [0, numSegments) are dropped', async () => {
  await assertKernelMatchesCpu(
    'UnsortedSegmentSum',
    { x: { shape: [5, 2], dtype: 'int32', values: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }, segmentIds: ids([0, 1, 0, 1, 0]) },
    { numSegments: 2 },
    'int32',
  );
  await tf.setBackend('wasm');
  const out = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 4, 8]), tf.tensor1d([0, -1, 7, 0], 'int32'), 2);
  assert.deepEqual(Array.from(out.dataSync()), [9, 0]);
});

test('UnsortedSegmentSum: hand-computed sums', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 2], 'int32'), 3);
  assert.deepEqual(out.shape, [3, 2]);
  assert.deepEqual(Array.from(out.dataSync()), [3, 4, 0, 0, 13, 16]);
});
