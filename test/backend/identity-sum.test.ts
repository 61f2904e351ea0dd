/**
 * Our wasm Identity (no copy: shares the input's storage by reference count) and Sum over
 * the leading axes (bias gradients, column sums in JavaScript or in the native addon), against
 * the cpu backend; other reductions fall through to the package's kernel.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.ts';
import { assertKernelMatchesCpu } from './compare.ts';
import { inForm, NATIVE_FORMS as FORMS } from '../utils/native-forms.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

test('Identity on wasm shares storage: one more reference, values kept after the input is disposed, freed with the last', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory().numBytes;
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const y = tf.clone(x);
  const backend = tf.backend() as unknown as { refCount(dataId: object): number };
  assert.equal(y.dataId, x.dataId, 'no copy');
  assert.equal(backend.refCount(x.dataId), 2);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4, 5, 6]);
  y.dispose();
  assert.equal(tf.memory().numBytes, before, 'storage freed with the last reference');
});


for (const form of FORMS) {
  for (const [shape, axis, keepDims] of [
    [[1, 9, 7, 5], [0, 1, 2], false],
    [[2, 4, 6, 3], [0, 1, 2], true],
    [[37, 11], [0], false],
    [[1, 120, 130, 64], [0, 1, 2], false], // the native sum splits rows over threads
    [[4, 5, 6], [1, 0], false], // unsorted axes
  ] as const) {
    test(
      `Sum over leading axes (${form.name}) shape=${shape} axis=${axis} keepDims=${keepDims} matches cpu`,
      { skip: form.skip },
      inForm(form.on, () => assertKernelMatchesCpu('Sum', { x: { shape: [...shape] } }, { axis: [...axis], keepDims }, `sum ${shape}`, 1e-6)),
    );
  }
}

for (const [shape, axis] of [
  [[3, 4, 5], [1]],
  [[3, 4, 5], [0, 2]],
  [[3, 4, 5], [0, 1, 2]],
  [[6, 5], [1]],
] as const) {
  test(`Sum over other axes (the package's kernel) shape=${shape} axis=${axis} matches cpu`, async () => {
    await assertKernelMatchesCpu('Sum', { x: { shape: [...shape] } }, { axis: [...axis], keepDims: false }, `sum ${shape} ${axis}`, 1e-6);
  });
}
