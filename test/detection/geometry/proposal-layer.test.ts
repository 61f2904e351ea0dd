import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposalLayer, TEST_PROPOSALS, TRAIN_PROPOSALS, type ProposalOptions } from '../../../src/detection/proposal-layer.ts';
import { Rng } from '../../../src/util/rng.ts';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const rows = (a: Float32Array): number[][] => {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += 4) out.push(Array.from(a.subarray(i, i + 4)));
  return out;
};

// A 50×60 image (H×W).
const anchors = f32(
  0, 0, 19, 19, // 0: score .9
  2, 0, 21, 19, // 1: .8, IoU 360/440 with 0 → suppressed at 0.7
  30, 20, 49, 39, // 2: .7, its delta moves it right by half a width → [40,20,59,39]
  0, 30, 14, 49, // 3: .95 but 15 wide: under minSize 16 at scale 1
  40, 30, 70, 60, // 4: .6, clipped to [40,30,59,49]
);
const scores = f32(0.9, 0.8, 0.7, 0.95, 0.6);
const deltas = new Float32Array(20);
deltas[8] = 0.5;
const opts: ProposalOptions = { ...TEST_PROPOSALS, preNmsTopN: 10, postNmsTopN: 10 };
const run = (o: Partial<ProposalOptions>, imScale = 1, rng?: Rng) =>
  proposalLayer(anchors, scores, deltas, 50, 60, imScale, { ...opts, ...o }, rng);

test('defaults are py-faster-rcnn TRAIN / TEST RPN settings', () => {
  assert.deepEqual(
    [TRAIN_PROPOSALS.preNmsTopN, TRAIN_PROPOSALS.postNmsTopN, TRAIN_PROPOSALS.nmsThreshold, TRAIN_PROPOSALS.minSize],
    [12000, 2000, 0.7, 16],
  );
  assert.deepEqual(
    [TEST_PROPOSALS.preNmsTopN, TEST_PROPOSALS.postNmsTopN, TEST_PROPOSALS.nmsThreshold, TEST_PROPOSALS.minSize],
    [6000, 300, 0.7, 16],
  );
});

test('decode, clip, min-size filter, rank, NMS', () => {
  const p = run({});
  assert.deepEqual(Array.from(p.anchorIndices), [0, 2, 4]);
  assert.deepEqual(rows(p.boxes), [[0, 0, 19, 19], [40, 20, 59, 39], [40, 30, 59, 49]]);
  assert.deepEqual(Array.from(p.scores), [0.9, 0.7, 0.6].map(Math.fround));
});

test('min size is in original-image pixels: scaled by imScale', () => {
  // At scale 0.5 the limit is 8 network pixels, so the 15-wide box 3 stays, and ranks first.
  assert.deepEqual(Array.from(run({}, 0.5).anchorIndices), [3, 0, 2, 4]);
  assert.deepEqual(Array.from(run({ minSize: 21 }).anchorIndices), []);
});

test('preNmsTopN and postNmsTopN cut before and after NMS', () => {
  assert.deepEqual(Array.from(run({ preNmsTopN: 2 }).anchorIndices), [0]);
  assert.deepEqual(Array.from(run({ postNmsTopN: 2 }).anchorIndices), [0, 2]);
  assert.deepEqual(Array.from(run({ preNmsTopN: 0, postNmsTopN: 0 }).anchorIndices), [0, 2, 4]); // ≤ 0: no limit
});

test('ablation "no NMS": the top N by score', () => {
  assert.deepEqual(Array.from(run({ useNms: false }).anchorIndices), [0, 1, 2, 4]);
  assert.deepEqual(Array.from(run({ useNms: false, postNmsTopN: 3 }).anchorIndices), [0, 1, 2]);
});

test('ablation "no reg": the clipped anchors themselves', () => {
  const p = run({ useDeltas: false });
  assert.deepEqual(Array.from(p.anchorIndices), [0, 2, 4]);
  assert.deepEqual(rows(p.boxes), [[0, 0, 19, 19], [30, 20, 49, 39], [40, 30, 59, 49]]);
});

test('ablation "no cls": a random sample, reproducible from the rng, refused without one', () => {
  const noCls = { useScores: false, useNms: false };
  const a = run(noCls, 1, new Rng(4));
  assert.deepEqual(Array.from(a.anchorIndices).sort(), [0, 1, 2, 4]);
  assert.deepEqual(run(noCls, 1, new Rng(4)).anchorIndices, a.anchorIndices);
  // Not the score order: over a few seeds the first proposal varies.
  const firsts = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => run(noCls, 1, new Rng(s)).anchorIndices[0]));
  assert.ok(firsts.size > 1, `first proposal always ${[...firsts]}`);
  // Sampling N: postNmsTopN of the shuffled candidates.
  assert.equal(run({ ...noCls, postNmsTopN: 2 }, 1, new Rng(4)).anchorIndices.length, 2);
  assert.throws(() => run(noCls), /useScores.*rng/);
});

test('input shapes and NaN scores are checked', () => {
  assert.throws(() => proposalLayer(anchors, f32(1, 2), deltas, 50, 60, 1, opts), /fgScores/);
  assert.throws(() => proposalLayer(anchors, scores, f32(0), 50, 60, 1, opts), /deltas/);
  const nan = scores.slice();
  nan[2] = NaN;
  assert.throws(() => proposalLayer(anchors, nan, deltas, 50, 60, 1, opts), /fgScores\[2\]/);
  assert.throws(() => proposalLayer(anchors, scores, deltas, 50.5, 60, 1, opts), /imHeight/);
  assert.throws(() => proposalLayer(anchors, scores, deltas, 50, 60, 0, opts), /imScale/);
  assert.throws(() => proposalLayer(anchors, scores, deltas, 50, 60, 1, { ...opts, nmsThreshold: 7 }), /nmsThreshold/);
  assert.throws(() => proposalLayer(anchors, scores, deltas, 50, 60, 1, { ...opts, preNmsTopN: 1.5 }), /preNmsTopN/);
  const empty = proposalLayer(new Float32Array(0), new Float32Array(0), new Float32Array(0), 50, 60, 1, opts);
  assert.deepEqual([empty.boxes.length, empty.scores.length], [0, 0]);
});
