/**
 * Scheduling quality, as a regression test of the policy in core.ts: on a simulated 16-GPU
 * cluster a 100-trial sweep finishes within 5 % of the lower bound max(critical path,
 * work / GPUs); with random worker crashes every trial still succeeds, each stage is committed
 * once, and the makespan stays close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateCluster } from '../../src/coordinator/simulator.ts';
import { sweepSpecFromObject } from '../../src/pipeline/sweep-spec.ts';

const spec = sweepSpecFromObject({
  name: 'quality',
  base: { dataset: { name: 'voc07' }, backbone: { name: 'vgg16' }, mode: 'alt-opt', shards: { proposals: 4, detect: 4 } },
  axes: [
    { list: [[8], [16], [32], [8, 16], [8, 16, 32]].map((s) => ({ 'anchors.scales': s })) },
    { grid: { 'rpn.lambda': [0.1, 1, 3, 10, 100] } },
    { grid: { 'proposals.test.useNms': [true, false], 'proposals.test.useScores': [true, false] } },
  ],
  limits: { maxTrials: 100 },
});

for (const seed of [1, 2]) {
  test(`100 trials on 16 GPUs: makespan ≤ 1.05 × lower bound (seed ${seed})`, () => {
    const o = simulateCluster({ spec, seed });
    assert.equal(o.succeeded, 100);
    assert.ok(o.makespan <= 1.05 * o.lowerBound, `makespan ${o.makespan.toFixed(0)} s vs lower bound ${o.lowerBound.toFixed(0)} s (${(o.makespan / o.lowerBound).toFixed(3)})`);
    // 25 training pipelines shared by 4 test-time settings each: each stage ran once.
    assert.equal(o.stagesRun, 25 * 15 + 100 * 6);
    assert.ok(o.uniqueWork < 0.3 * o.requestedWork);
  });
}

test('with worker crashes every trial succeeds and the makespan stays within 15 % of the bound', () => {
  const o = simulateCluster({ spec, seed: 3, failures: true, mtbfHours: 10 });
  assert.ok(o.crashes > 10, `${o.crashes} crashes`);
  assert.equal(o.succeeded, 100);
  assert.ok(o.makespan <= 1.15 * o.lowerBound, `ratio ${(o.makespan / o.lowerBound).toFixed(3)}`);
});
