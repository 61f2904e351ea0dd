import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALT_OPT_PROPOSAL_TARGET_OPTIONS,
  DEFAULT_PROPOSAL_TARGET_OPTIONS,
  proposalTargets,
} from '../../../src/detection/proposal-targets.ts';
import { InputError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const opts = DEFAULT_PROPOSAL_TARGET_OPTIONS;
const gt = f32(0, 0, 9, 9, 50, 50, 69, 69);
const gtClasses = Int32Array.from([3, 1]);
const LN2 = Math.LN2;

/** Sampled rows keyed by their RoI, for checks that do not depend on the sampling order. */
function byRoi(t: ReturnType<typeof proposalTargets>): Map<string, { label: number; target: number[] }> {
  const m = new Map<string, { label: number; target: number[] }>();
  for (let k = 0; k < t.labels.length; k++) {
    m.set(Array.from(t.rois.subarray(4 * k, 4 * k + 4)).join(','), {
      label: t.labels[k],
      target: Array.from(t.bboxTargets.subarray(4 * k, 4 * k + 4)),
    });
  }
  return m;
}
const close = (a: number[], b: number[]): void =>
  b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 1e-5, `${a} vs ${b}`));

test('defaults are py-faster-rcnn TRAIN settings; alt-opt takes background from IoU 0', () => {
  assert.deepEqual(
    { ...DEFAULT_PROPOSAL_TARGET_OPTIONS, bboxStds: [...DEFAULT_PROPOSAL_TARGET_OPTIONS.bboxStds] },
    { batchSize: 128, fgFraction: 0.25, fgThreshold: 0.5, bgThresholdHi: 0.5, bgThresholdLo: 0.1, bboxStds: [0.1, 0.1, 0.2, 0.2] },
  );
  assert.equal(ALT_OPT_PROPOSAL_TARGET_OPTIONS.bgThresholdLo, 0);
});

test('labels and class-specific normalised targets, gt appended, thresholds inclusive', () => {
  const proposals = f32(
    0, 0, 19, 9, // IoU 0.5 with gt 0 → foreground, class 3
    50, 50, 59, 69, // IoU 0.5 with gt 1 → foreground, class 1
    0, 0, 9, 1, // 0.2 → background
    0, 0, 0, 9, // 0.1 → background (lower bound inclusive)
    0, 0, 0, 8, // 0.09 → neither
    200, 200, 210, 210, // 0 → neither
  );
  const t = proposalTargets(proposals, gt, gtClasses, opts, new Rng(2));
  assert.deepEqual([t.numFg, t.numBg], [4, 2]);
  assert.deepEqual(Array.from(t.labels.subarray(0, 4)).sort(), [1, 1, 3, 3]);
  assert.deepEqual(Array.from(t.labels.subarray(4)), [0, 0]);
  const rows = byRoi(t);
  assert.deepEqual([...rows.keys()].sort(), ['0,0,0,9', '0,0,19,9', '0,0,9,1', '0,0,9,9', '50,50,59,69', '50,50,69,69']);
  // [0,0,19,9] → gt 0: dx = (5 − 10)/20 = −0.25, dw = log(1/2); divided by (0.1, 0.1, 0.2, 0.2).
  assert.equal(rows.get('0,0,19,9')!.label, 3);
  close(rows.get('0,0,19,9')!.target, [-2.5, 0, -5 * LN2, 0]);
  // [50,50,59,69] → gt 1: dx = (60 − 55)/10 = 0.5, dw = log 2.
  assert.equal(rows.get('50,50,59,69')!.label, 1);
  close(rows.get('50,50,59,69')!.target, [5, 0, 5 * LN2, 0]);
  // The appended gts target themselves; background targets are zero.
  for (const key of ['0,0,9,9', '50,50,69,69', '0,0,9,1', '0,0,0,9']) close(rows.get(key)!.target, [0, 0, 0, 0]);
  // Alt-opt: IoU in [0, 0.5) is background, so the last two join.
  const alt = proposalTargets(proposals, gt, gtClasses, ALT_OPT_PROPOSAL_TARGET_OPTIONS, new Rng(2));
  assert.deepEqual([alt.numFg, alt.numBg], [4, 4]);
});

test('fg/bg counts: round(fgFraction · batchSize) foreground at most, background fills the rest', () => {
  const rng = new Rng(9);
  const fg: number[] = [];
  const bg: number[] = [];
  for (let i = 0; i < 60; i++) fg.push(rng.int(0, 2), rng.int(0, 2), 9 + rng.int(0, 2), 9 + rng.int(0, 2)); // IoU ≥ 0.66
  for (let i = 0; i < 200; i++) bg.push(0, 0, 9, 2 + rng.int(0, 2)); // IoU 0.3–0.4
  const proposals = f32(...fg, ...bg);
  const t = proposalTargets(proposals, gt, gtClasses, opts, new Rng(1));
  assert.deepEqual([t.numFg, t.numBg, t.labels.length, t.rois.length], [32, 96, 128, 512]);
  assert.ok(t.labels.subarray(0, 32).every((l) => l === 3 || l === 1));
  assert.ok(t.labels.subarray(32).every((l) => l === 0));
  // np.round(0.25 · 10) = 2 (half to even).
  const ten = proposalTargets(proposals, gt, gtClasses, { ...opts, batchSize: 10 }, new Rng(1));
  assert.deepEqual([ten.numFg, ten.numBg], [2, 8]);
  // Not enough background: R falls short of the batch (no padding).
  const few = proposalTargets(f32(...fg, ...bg.slice(0, 4 * 50)), gt, gtClasses, opts, new Rng(1));
  assert.deepEqual([few.numFg, few.numBg], [32, 50]);
  // Sampling without replacement: no proposal index twice. Same seed, same sample.
  assert.equal(new Set(t.sampledIndices).size, 128);
  assert.ok(t.sampledIndices.subarray(0, 32).every((i) => i < 60 || i >= 260), 'foreground from the fg proposals or the gts');
  assert.ok(t.sampledIndices.subarray(32).every((i) => i >= 60 && i < 260), 'background from the bg proposals');
  const again = proposalTargets(proposals, gt, gtClasses, opts, new Rng(1));
  assert.deepEqual(again.rois, t.rois);
});

test('no gt boxes: background only, and only when bgThresholdLo is 0', () => {
  const proposals = f32(0, 0, 9, 9, 20, 20, 29, 29);
  const none = proposalTargets(proposals, f32(), new Int32Array(0), opts, new Rng(1));
  assert.deepEqual([none.numFg, none.numBg, none.rois.length], [0, 0, 0]);
  const alt = proposalTargets(proposals, f32(), new Int32Array(0), ALT_OPT_PROPOSAL_TARGET_OPTIONS, new Rng(1));
  assert.deepEqual([alt.numFg, alt.numBg, Array.from(alt.labels), Array.from(alt.matchedGt)], [0, 2, [0, 0], [-1, -1]]);
});

test('bad ground truth is refused with the place named', () => {
  assert.throws(
    () => proposalTargets(f32(), gt, Int32Array.from([3, 0]), opts, new Rng(1)),
    (e: unknown) => e instanceof InputError && /gtClasses\[1\]/.test(e.message),
  );
  assert.throws(() => proposalTargets(f32(), gt, Int32Array.from([3]), opts, new Rng(1)), /gtClasses/);
  assert.throws(() => proposalTargets(f32(), f32(5, 0, 4, 9), Int32Array.from([1]), opts, new Rng(1)), /gtBoxes\[0\]/);
  assert.throws(() => proposalTargets(f32(), gt, gtClasses, { ...opts, bgThresholdLo: 0.6 }, new Rng(1)), /bgThresholdLo/);
});

test('part negatives: below bgThresholdLo, a RoI mostly inside a gt box is background when bgPartMinInside is set', () => {
  // A 100×100 gt; parts of it have IoU < 0.1 (the py-faster-rcnn rule ignores them).
  const big = f32(0, 0, 99, 99);
  const proposals = f32(
    10, 10, 29, 29, // 20×20 wholly inside: IoU 0.04, inside 1.0 → part negative
    90, 90, 129, 129, // 40×40, 10×10 inside: IoU 0.04, inside 0.0625 → neither
    0, 0, 31, 99, // IoU 0.32 → background either way
    300, 300, 320, 320, // outside → neither
  );
  const classes = Int32Array.from([2]);
  const plain = proposalTargets(proposals, big, classes, opts, new Rng(1));
  const parts = proposalTargets(proposals, big, classes, { ...opts, bgPartMinInside: 0.7 }, new Rng(1));
  const bgRois = (t: ReturnType<typeof proposalTargets>) =>
    Array.from({ length: t.numBg }, (_, k) => Array.from(t.rois.subarray(4 * (t.numFg + k), 4 * (t.numFg + k) + 4)).join(',')).sort();
  assert.deepEqual(bgRois(plain), ['0,0,31,99']);
  assert.deepEqual(bgRois(parts), ['0,0,31,99', '10,10,29,29']);
  // Parts never become foreground, and the threshold is inclusive: 0.0625 inside qualifies at 0.0625.
  assert.equal(parts.numFg, plain.numFg);
  assert.equal(proposalTargets(proposals, big, classes, { ...opts, bgPartMinInside: 0.0625 }, new Rng(1)).numBg, 3);
  assert.throws(() => proposalTargets(proposals, big, classes, { ...opts, bgPartMinInside: 1.5 }, new Rng(1)), /bgPartMinInside/);
});
