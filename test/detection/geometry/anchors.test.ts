import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateAnchors, shiftAnchors } from '../../../src/detection/anchors.ts';
import { roundHalfEven } from '../../../src/detection/det-utils.ts';
import { InputError } from '../../../src/util/errors.ts';

const rows = (a: Float32Array): number[][] => {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += 4) out.push(Array.from(a.subarray(i, i + 4)));
  return out;
};

test('default anchors are py-faster-rcnn generate_anchors() exactly', () => {
  assert.deepEqual(rows(generateAnchors()), [
    [-84, -40, 99, 55],
    [-176, -88, 191, 103],
    [-360, -184, 375, 199],
    [-56, -56, 71, 71],
    [-120, -120, 135, 135],
    [-248, -248, 263, 263],
    [-36, -80, 51, 95],
    [-80, -168, 95, 183],
    [-168, -344, 183, 359],
  ]);
});

test('ratio sides round half to even like np.round', () => {
  assert.deepEqual([11.5, 12.5, -1.5, 0.5, 1.5, 2.4, 2.6].map(roundHalfEven), [12, 12, -2, 0, 2, 2, 3]);
  // base 16, ratio 0.625: ws = round(sqrt(409.6)) = 20, hs = round(12.5) = 12 (Math.round gives 13).
  // Centre 7.5: [7.5 − 9.5, 7.5 − 5.5, 7.5 + 9.5, 7.5 + 5.5].
  assert.deepEqual(rows(generateAnchors(16, [0.625], [1])), [[-2, 2, 17, 13]]);
  // base 4, ratio 0.5: ws = round(sqrt(32)) = 6, hs = 3; centre 1.5 gives half-pixel corners.
  assert.deepEqual(rows(generateAnchors(4, [0.5, 1], [1, 2])), [
    [-1, 0.5, 4, 2.5],
    [-4, -1, 7, 4],
    [0, 0, 3, 3],
    [-2, -2, 5, 5],
  ]);
});

test('shifted anchors of a 2×3 map, stride 4, flattened (h, w, a)', () => {
  const base = generateAnchors(4, [0.5, 1], [1]); // [-1,0.5,4,2.5], [0,0,3,3]
  assert.deepEqual(rows(shiftAnchors(base, 2, 3, 4)), [
    [-1, 0.5, 4, 2.5], [0, 0, 3, 3], // (0, 0)
    [3, 0.5, 8, 2.5], [4, 0, 7, 3], // (0, 1)
    [7, 0.5, 12, 2.5], [8, 0, 11, 3], // (0, 2)
    [-1, 4.5, 4, 6.5], [0, 4, 3, 7], // (1, 0)
    [3, 4.5, 8, 6.5], [4, 4, 7, 7], // (1, 1)
    [7, 4.5, 12, 6.5], [8, 4, 11, 7], // (1, 2)
  ]);
  assert.equal(shiftAnchors(generateAnchors(), 38, 63, 16).length, 38 * 63 * 9 * 4);
  assert.equal(shiftAnchors(base, 0, 5, 16).length, 0);
});

test('bad anchor settings are refused with the field named', () => {
  assert.throws(() => generateAnchors(16, [0.5, 0], [8]), (e: unknown) => e instanceof InputError && /ratios\[1\]/.test(e.message));
  assert.throws(() => generateAnchors(16, [1], []), /scales/);
  assert.throws(() => generateAnchors(-4), /baseSize/);
  assert.throws(() => shiftAnchors(generateAnchors(), 2.5, 3, 16), /featHeight/);
  assert.throws(() => shiftAnchors(generateAnchors(), 2, 3, 0), /stride/);
});
