/** The batch mean shared by the replica pool and the serial batch step, by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { meanGradients, meanLosses } from '../../../src/detection/training/gradient-mean.ts';

await tf.setBackend('cpu');

test('meanGradients: float32 running sum in image order, then × 1/N', () => {
  const first = { 'fc/weight': tf.tensor([1, 2, 0.1], [3]) };
  const mean = meanGradients(first, [{ 'fc/weight': { shape: [3], data: Float32Array.of(3, 5, 0.2) } }, { 'fc/weight': { shape: [3], data: Float32Array.of(2, -1, 0.3) } }]);
  assert.deepEqual(mean['fc/weight'].shape, [3]);
  // (1 + 3 + 2)/3 = 2, (2 + 5 − 1)/3 = 2; the third summed in float32 steps, then × 1/3 rounded once.
  const third = Math.fround(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) + Math.fround(0.3)) * (1 / 3));
  assert.deepEqual(Array.from(mean['fc/weight'].data), [2, 2, third]);
  assert.throws(() => meanGradients(first, [{}]), /gradient of fc\/weight missing/);
  tf.dispose(first);
});

test('meanLosses: each term over the images, the total included', () => {
  assert.deepEqual(meanLosses([
    { total: 1, cls: 0.5 },
    { total: 3, cls: 1.5 },
  ]), { total: 2, cls: 1 });
});
