import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { argsortDesc, arange, linspace, npMean, pairwiseSum, VOC07_RECALL_THRESHOLDS } from '../../src/evaluator/numeric.ts';
import { defaultCocoParams } from '../../src/evaluator/coco-eval.ts';
import { RECALL_THRESHOLDS } from '../../src/evaluator/proposal-recall.ts';
import { formatFixed } from '../../src/evaluator/format.ts';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/eval/numpy.json', import.meta.url), 'utf8'));

/** The same data make_fixtures.py feeds numpy: exact in both languages (integer ops and one division). */
function data(n: number): number[] {
  const ds = [1000, 100, 10, 1, 3, 7];
  return Array.from({ length: n }, (_, i) => Number((BigInt(i) * 2654435761n) % 4294967296n) / 4294967296 / ds[i % 6]);
}

test('pairwiseSum and npMean equal numpy bit for bit across the block sizes (8, 128, recursion)', () => {
  for (const [n, exp] of Object.entries(fixture.sums) as [string, { sum: number; mean: number | null }][]) {
    const x = data(Number(n));
    assert.equal(pairwiseSum(x), exp.sum, `sum of ${n}`);
    if (exp.mean !== null) assert.equal(npMean(x), exp.mean, `mean of ${n}`);
  }
});

test('pairwise summation differs from a left-to-right sum where numpy does (so the test can fail)', () => {
  const x = data(80800);
  let naive = 0;
  for (const v of x) naive += v;
  assert.notEqual(naive, fixture.sums['80800'].sum);
});

test('threshold grids equal numpy linspace / arange', () => {
  const p = defaultCocoParams();
  assert.deepEqual(Array.from(p.iouThrs), fixture.coco_iou);
  assert.deepEqual(Array.from(p.recThrs), fixture.coco_rec);
  assert.deepEqual(Array.from(VOC07_RECALL_THRESHOLDS), fixture.voc07_thresholds);
  assert.deepEqual(Array.from(RECALL_THRESHOLDS), fixture.recall_thresholds);
  assert.equal(p.iouThrs[5], 0.75); // summarize() finds AP75 by equality
  assert.deepEqual(Array.from(linspace(0, 1, 3)), [0, 0.5, 1]);
  assert.deepEqual(Array.from(arange(0, 1, 0.25)), [0, 0.25, 0.5, 0.75]);
});

test('argsortDesc is stable: equal scores keep index order', () => {
  assert.deepEqual(Array.from(argsortDesc([0.5, 0.9, 0.5, 0.9, 0.1])), [1, 3, 0, 2, 4]);
  assert.deepEqual(Array.from(argsortDesc([3, 2, 2, 1])), [0, 1, 2, 3]);
  const big = Float64Array.from({ length: 5000 }, (_, i) => (i * 37) % 10);
  const ord = argsortDesc(big);
  for (let k = 1; k < ord.length; k++) {
    const a = ord[k - 1], b = ord[k];
    assert.ok(big[a] > big[b] || (big[a] === big[b] && a < b));
  }
});

test('formatFixed rounds exact ties to even like Python format, otherwise like toFixed', () => {
  assert.equal(formatFixed(0.0625, 3), '0.062'); // JavaScript toFixed gives 0.063
  assert.equal(formatFixed(0.5625, 3), '0.562');
  assert.equal(formatFixed(0.1875, 3), '0.188');
  assert.equal(formatFixed(0.3724, 3), '0.372');
  assert.equal(formatFixed(-1, 3), '-1.000');
  assert.equal(formatFixed(1, 4), '1.0000');
  assert.equal(formatFixed(0.0005, 3), '0.001'); // 0.0005 is slightly above the tie in binary
  assert.equal(formatFixed(123.456, 1), '123.5');
  assert.equal(formatFixed(2.5, 0), '2');
});
