import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flipBoxes, flipImageHwc } from '../../src/data/flip.ts';

test('flipBoxes: x1 = W - x2 - 1, x2 = W - x1 - 1, y unchanged', () => {
  // W = 10: [2, 3, 5, 7] → [10-5-1, 3, 10-2-1, 7] = [4, 3, 7, 7]; a full-width box maps to itself.
  assert.deepEqual(Array.from(flipBoxes([2, 3, 5, 7, 0, 0, 9, 9], 10)), [4, 3, 7, 7, 0, 0, 9, 9]);
  const boxes = [1, 2, 3, 4, 5.5, 0, 8, 1];
  assert.deepEqual(Array.from(flipBoxes(flipBoxes(boxes, 10), 10)), boxes);
  assert.throws(() => flipBoxes([1, 2, 3], 10), /multiple of 4/);
});

test('flipImageHwc mirrors columns and keeps channels together', () => {
  // 3x1 RGB: pixels (1,2,3) (4,5,6) (7,8,9).
  const out = flipImageHwc(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 3, 1);
  assert.ok(out instanceof Uint8Array);
  assert.deepEqual(Array.from(out), [7, 8, 9, 4, 5, 6, 1, 2, 3]);
  const f = flipImageHwc(Float32Array.from([1, 2, 3, 4]), 2, 2, 1);
  assert.deepEqual(Array.from(f), [2, 1, 4, 3]);
});
