/**
 * Whole-layer regression against py-faster-rcnn: fixtures/py-faster-rcnn-reference.json is
 * produced by fixtures/py-faster-rcnn-reference.py, the reference layers transcribed with numpy
 * (see its header for the deviations both sides make on purpose). A 400×600 input, 25×38×9
 * anchors, five gt boxes, scores and deltas from an integer hash both languages compute exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { anchorTargets, DEFAULT_ANCHOR_TARGET_OPTIONS } from '../../../src/detection/anchor-targets.ts';
import { generateAnchors, shiftAnchors } from '../../../src/detection/anchors.ts';
import { proposalLayer, TEST_PROPOSALS, TRAIN_PROPOSALS } from '../../../src/detection/proposal-layer.ts';
import { DEFAULT_PROPOSAL_TARGET_OPTIONS, proposalTargets } from '../../../src/detection/proposal-targets.ts';
import { Rng } from '../../../src/util/rng.ts';

interface Reference {
  image: { height: number; width: number; scale: number; featHeight: number; featWidth: number };
  gtBoxes: number[];
  gtClasses: number[];
  numAnchors: number;
  anchorsHead: number[];
  anchorTargets: { labels: string; fg: number[]; fgTargets: number[]; fgMatchedGt: number[] };
  testProposals: { anchorIndices: number[]; boxes: number[] };
  trainProposals: { anchorIndices: number[] };
  proposalTargets: { fg: number[]; fgLabels: number[]; fgTargets: number[]; bg: number[] };
}

const ref = JSON.parse(
  readFileSync(new URL('./fixtures/py-faster-rcnn-reference.json', import.meta.url), 'utf8'),
) as Reference;
const { height: H, width: W, scale, featHeight, featWidth } = ref.image;
const gt = Float32Array.from(ref.gtBoxes);
const anchors = shiftAnchors(generateAnchors(), featHeight, featWidth, 16);
const n = anchors.length / 4;

/** Same hash as the generator's u(): uniform in [0, 1), float32. */
const u = (i: number): number => Math.fround(((Math.imul(i, 2654435761) + 12345) >>> 0) / 2 ** 32);
const scores = Float32Array.from({ length: n }, (_, i) => u(i));
const deltas = Float32Array.from({ length: 4 * n }, (_, k) =>
  Math.fround(Math.fround(u(4 * Math.floor(k / 4) + (k % 4) + 100003) - 0.5) * Math.fround(0.6)),
);

const close = (actual: ArrayLike<number>, expected: number[], tol: number, what: string): void => {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
};

test('anchors over the map equal meshgrid + reshape of generate_anchors()', () => {
  assert.equal(n, ref.numAnchors);
  assert.deepEqual(Array.from(anchors.subarray(0, 48)), ref.anchorsHead);
});

test('anchor labels and targets equal anchor_target_layer before subsampling', () => {
  const big = { ...DEFAULT_ANCHOR_TARGET_OPTIONS, batchSize: 1_000_000, fgFraction: 1 };
  const t = anchorTargets(anchors, gt, H, W, big, new Rng(1));
  const labels = Array.from(t.labels, (l) => (l === -1 ? 'x' : String(l))).join('');
  assert.equal(labels, ref.anchorTargets.labels);
  const fg = ref.anchorTargets.fg;
  assert.deepEqual(
    fg.map((i) => t.matchedGt[i]),
    ref.anchorTargets.fgMatchedGt,
  );
  close(fg.flatMap((i) => Array.from(t.bboxTargets.subarray(4 * i, 4 * i + 4))), ref.anchorTargets.fgTargets, 1e-6, 'targets');
});

test('proposals equal proposal_layer (TEST 6000/300 and TRAIN 12000/2000)', () => {
  const testP = proposalLayer(anchors, scores, deltas, H, W, scale, TEST_PROPOSALS);
  assert.deepEqual(Array.from(testP.anchorIndices), ref.testProposals.anchorIndices);
  close(testP.boxes, ref.testProposals.boxes, 1e-6, 'boxes');
  const trainP = proposalLayer(anchors, scores, deltas, H, W, scale, TRAIN_PROPOSALS);
  assert.deepEqual(Array.from(trainP.anchorIndices), ref.trainProposals.anchorIndices);
});

test('RoI candidates, labels and normalised targets equal _sample_rois before sampling', () => {
  const proposals = proposalLayer(anchors, scores, deltas, H, W, scale, TRAIN_PROPOSALS).boxes;
  const all = { ...DEFAULT_PROPOSAL_TARGET_OPTIONS, batchSize: 1_000_000 };
  const t = proposalTargets(proposals, gt, Int32Array.from(ref.gtClasses), all, new Rng(1));
  const fgRows = new Map<number, number>();
  for (let k = 0; k < t.numFg; k++) fgRows.set(t.sampledIndices[k], k);
  assert.deepEqual([...fgRows.keys()].sort((a, b) => a - b), ref.proposalTargets.fg);
  assert.deepEqual(Array.from(t.sampledIndices.subarray(t.numFg)).sort((a, b) => a - b), ref.proposalTargets.bg);
  const rows = ref.proposalTargets.fg.map((i) => fgRows.get(i)!);
  assert.deepEqual(rows.map((k) => t.labels[k]), ref.proposalTargets.fgLabels);
  close(rows.flatMap((k) => Array.from(t.bboxTargets.subarray(4 * k, 4 * k + 4))), ref.proposalTargets.fgTargets, 1e-5, 'targets');
});
