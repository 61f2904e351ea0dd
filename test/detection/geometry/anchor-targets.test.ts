import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchorTargets, DEFAULT_ANCHOR_TARGET_OPTIONS } from '../../../src/detection/anchor-targets.ts';
import { generateAnchors, shiftAnchors } from '../../../src/detection/anchors.ts';
import { AnchorLabel } from '../../../src/detection/det-utils.ts';
import { boxIou } from '../../../src/detection/ops/boxes.ts';
import { InputError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const opts = { ...DEFAULT_ANCHOR_TARGET_OPTIONS };
const approx = (a: ArrayLike<number>, b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('defaults are py-faster-rcnn RPN settings', () => {
  assert.deepEqual(DEFAULT_ANCHOR_TARGET_OPTIONS, {
    positiveOverlap: 0.7, negativeOverlap: 0.3, batchSize: 256, fgFraction: 0.5, allowedBorder: 0, clobberPositives: false,
  });
});

test('best-anchor ties are all positive, a zero-IoU gt makes none, border anchors are ignored', () => {
  // 100×100 image. gt 0 = [10,10,29,29] (20×20); gt 1 = [80,80,89,89] reached only by an outside anchor.
  const gt = f32(10, 10, 29, 29, 80, 80, 89, 89);
  const anchors = f32(
    10, 10, 19, 19, // 0: IoU 100/400 = 0.25 with gt 0 — tied best
    20, 20, 29, 29, // 1: 0.25 — tied best
    10, 10, 14, 14, // 2: 25/400, and 0 with gt 1 — stays background despite gt 1's zero best
    0, 60, 9, 69, // 3: no overlap — background
    85, 85, 104, 104, // 4: x2 = 104 ≥ 100: outside → ignored although it covers gt 1
    -1, 10, 8, 29, // 5: x1 = −1 < 0: outside (no overlap either)
  );
  const t = anchorTargets(anchors, gt, 100, 100, opts, new Rng(1));
  assert.deepEqual(Array.from(t.labels), [1, 1, 0, 0, -1, -1]);
  assert.deepEqual([t.numFg, t.numBg], [2, 2]);
  assert.deepEqual(Array.from(t.matchedGt), [0, 0, 0, 0, -1, -1]);
  // Anchor 0: w 10, centre (15, 15); gt 0: w 20, centre (20, 20) → (0.5, 0.5, log 2, log 2).
  approx(t.bboxTargets, [
    0.5, 0.5, Math.LN2, Math.LN2,
    -0.5, -0.5, Math.LN2, Math.LN2,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
  // clobberPositives: the tied anchors' max IoU 0.25 < 0.3 makes them negative after all.
  const c = anchorTargets(anchors, gt, 100, 100, { ...opts, clobberPositives: true }, new Rng(1));
  assert.deepEqual(Array.from(c.labels), [0, 0, 0, 0, -1, -1]);
  // allowedBorder 5 lets anchors 4 (x2 = 104 < 105) and 5 in: 4 becomes gt 1's best, 5 background.
  const b = anchorTargets(anchors, gt, 100, 100, { ...opts, allowedBorder: 5 }, new Rng(1));
  assert.deepEqual(Array.from(b.labels), [1, 1, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(b.matchedGt), [0, 0, 0, 0, 1, 0]);
});

test('thresholds are inclusive as in py-faster-rcnn: IoU 0.7 is positive, IoU 0.3 is not negative', () => {
  const gt = f32(0, 0, 9, 9);
  const anchors = f32(
    0, 0, 9, 9, // IoU 1: the best
    0, 0, 6, 9, // 70/100 = 0.7 → positive by threshold
    0, 0, 2, 9, // 30/100 = 0.3 → between: ignored
    0, 0, 1, 9, // 20/100 → negative
  );
  const t = anchorTargets(anchors, gt, 50, 50, opts, new Rng(1));
  assert.deepEqual(Array.from(t.labels), [1, 1, -1, 0]);
  // An anchor matching two gts equally takes the lower gt index.
  const two = anchorTargets(f32(0, 0, 9, 9), f32(0, 0, 9, 19, 0, 0, 19, 9), 50, 50, opts, new Rng(1));
  assert.deepEqual(Array.from(two.matchedGt), [0]);
});

test('subsampling: at most fgFraction·batchSize positives, negatives fill the batch', () => {
  const anchors = shiftAnchors(generateAnchors(16, [0.5, 1, 2], [2, 4]), 20, 20, 8); // 2400 anchors
  const gt = f32(20, 30, 90, 100, 60, 50, 120, 90, 100, 100, 140, 150);
  const small = { ...opts, batchSize: 16, fgFraction: 0.25 };
  const full = anchorTargets(anchors, gt, 160, 160, { ...opts, batchSize: 100000 }, new Rng(5));
  const fgAll = Array.from(full.labels.keys()).filter((i) => full.labels[i] === 1);
  assert.ok(fgAll.length > 4, `expected more than 4 positive candidates, got ${fgAll.length}`);
  const t = anchorTargets(anchors, gt, 160, 160, small, new Rng(5));
  const count = (v: number): number => t.labels.filter((l) => l === v).length;
  assert.deepEqual([t.numFg, t.numBg, count(1), count(0)], [4, 12, 4, 12]);
  // The sampled ones come from the full candidate sets; the rest are ignored.
  for (let i = 0; i < t.labels.length; i++) {
    if (t.labels[i] !== AnchorLabel.Ignore) assert.equal(t.labels[i], full.labels[i], `anchor ${i}`);
    if (t.labels[i] !== AnchorLabel.Foreground) assert.deepEqual(Array.from(t.bboxTargets.subarray(4 * i, 4 * i + 4)), [0, 0, 0, 0]);
  }
  // Positives really are ≥ 0.7 or a gt's best; negatives really are < 0.3.
  const iou = boxIou(anchors, gt);
  const gtBest = [0, 1, 2].map((j) => Math.max(...Array.from(full.labels.keys(), (i) => (full.matchedGt[i] >= 0 ? iou[3 * i + j] : 0))));
  for (let i = 0; i < t.labels.length; i++) {
    const row = [iou[3 * i], iou[3 * i + 1], iou[3 * i + 2]];
    if (t.labels[i] === 0) assert.ok(Math.max(...row) < 0.3, `negative ${i}`);
    if (t.labels[i] === 1) assert.ok(Math.max(...row) >= 0.7 || row.some((v, j) => v === gtBest[j]), `positive ${i}`);
  }
  // Same seed, same sample.
  assert.deepEqual(anchorTargets(anchors, gt, 160, 160, small, new Rng(5)).labels, t.labels);
});

test('no gt boxes: every inside anchor is a background candidate', () => {
  const anchors = f32(0, 0, 9, 9, 5, 5, 14, 14, 90, 90, 120, 120);
  const t = anchorTargets(anchors, new Float32Array(0), 100, 100, opts, new Rng(1));
  assert.deepEqual(Array.from(t.labels), [0, 0, -1]);
  assert.deepEqual([t.numFg, t.numBg], [0, 2]);
  const capped = anchorTargets(anchors, new Float32Array(0), 100, 100, { ...opts, batchSize: 1 }, new Rng(1));
  assert.equal(capped.labels.filter((l) => l === 0).length, 1);
});

test('bad gt boxes and options are refused with the place named', () => {
  assert.throws(
    () => anchorTargets(f32(0, 0, 9, 9), f32(0, 0, 9, 9, 5, 5, 4, 9), 50, 50, opts, new Rng(1)),
    (e: unknown) => e instanceof InputError && /gtBoxes\[1\]/.test(e.message) && /\[5, 5, 4, 9\]/.test(e.message),
  );
  assert.throws(() => anchorTargets(f32(0, 0, 9, 9), f32(0, 0, 9, NaN), 50, 50, opts, new Rng(1)), /gtBoxes\[0\]/);
  assert.throws(() => anchorTargets(f32(0, 0, 9, 9), f32(), 50, 50, { ...opts, negativeOverlap: 0.8 }, new Rng(1)), /negativeOverlap/);
  assert.throws(() => anchorTargets(f32(0, 0, 9, 9), f32(), 50, 50, { ...opts, batchSize: 0 }, new Rng(1)), /batchSize/);
});
