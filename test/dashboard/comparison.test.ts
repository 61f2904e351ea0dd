import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, comparisonTable, formatAxisValue, tQuantile975 } from '../../src/dashboard/comparison.ts';
import { sweepId, trialId, type RunStatus, type TrialSummary } from '../../src/dashboard/view-model.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('aggregate: mean, sample std and Student-t 95 % interval, by hand', () => {
  // mean 59.8667; deviations −0.3667, 0.2333, 0.1333; ss = 0.206667; std = sqrt(0.103333) = 0.321455
  const a = aggregate([59.5, 60.1, 60.0]);
  assert.equal(a.n, 3);
  close(a.mean, 59.866666666666667, 1e-12);
  close(a.std, Math.sqrt(0.20666666666666667 / 2), 1e-12);
  close(a.ci95!, (4.303 * a.std) / Math.sqrt(3), 1e-12);
  assert.deepEqual(aggregate([0.7]), { n: 1, mean: 0.7, std: 0 });
  assert.throws(() => aggregate([]), /no values/);
});

test('t quantiles: table values, and the large-df tail tends to z', () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(4), 2.776);
  assert.equal(tQuantile975(30), 2.042);
  // exact t(0.975, 60) = 2.0003, t(0.975, 120) = 1.9799
  close(tQuantile975(60), 2.0003, 0.003);
  close(tQuantile975(120), 1.9799, 0.003);
  assert.throws(() => tQuantile975(0), /degrees of freedom/);
});

test('axis values format canonically (lists as the paper writes anchor scales)', () => {
  assert.equal(formatAxisValue([8, 16, 32]), '[8, 16, 32]');
  assert.equal(formatAxisValue(0.1), '0.1');
  assert.equal(formatAxisValue(null), 'none');
  assert.equal(formatAxisValue(true), 'true');
});

function trial(id: string, lambda: number, voc07: number | undefined, status: RunStatus = 'succeeded'): TrialSummary {
  return { id: trialId(id), sweepId: sweepId('s'), status, axes: { 'rpn.lossLambda': lambda }, repeat: 0, map: voc07 === undefined ? {} : { voc07 } };
}

test('comparison table: rows follow the axis order, repeats aggregate, unfinished trials are counted apart', () => {
  const table = comparisonTable({
    axes: [{ name: 'rpn.lossLambda', label: 'λ', values: [0.1, 1, 10, 100] }],
    trials: [
      trial('a', 10, 0.70),
      trial('b', 0.1, 0.60),
      trial('c', 10, 0.68),
      trial('d', 0.1, 0.62),
      trial('e', 1, 0.69),
      trial('f', 1, 0.67),
      trial('g', 100, undefined, 'running'),
    ],
  });
  assert.equal(table.paperRef, 'Table 9 (λ)');
  assert.deepEqual(table.metrics, ['voc07']);
  assert.deepEqual(table.rows.map((r) => r.settings), [[0.1], [1], [10], [100]]);
  const [r01, r1, r10, r100] = table.rows;
  close(r10.cells.voc07!.mean, 0.69);
  close(r10.cells.voc07!.std, Math.sqrt(0.0002), 1e-12);
  assert.equal(r10.versusBest, 'best');
  // λ=1: 0.68 ± 12.706·0.01414/√2 = ±0.127 overlaps λ=10's interval → not distinguishable.
  assert.equal(r1.versusBest, 'indistinguishable');
  // λ=0.1: same spread, mean 0.61: 0.61 + 0.127 = 0.737 ≥ 0.69 − 0.127 → still overlapping with n = 2.
  assert.equal(r01.versusBest, 'indistinguishable');
  assert.equal(r100.unfinished, 1);
  assert.equal(r100.cells.voc07, undefined);
  assert.equal(r100.versusBest, 'unknown');
});

test('comparison table: well-separated settings with enough repeats are marked worse', () => {
  const trials = [0.690, 0.692, 0.688, 0.691, 0.689].flatMap((v, i) => [trial(`hi${i}`, 10, v), trial(`lo${i}`, 0.1, v - 0.02)]);
  const table = comparisonTable({ axes: [{ name: 'rpn.lossLambda', values: [0.1, 10] }], trials });
  assert.equal(table.rows[0].versusBest, 'worse');
  assert.equal(table.rows[1].versusBest, 'best');
  assert.equal(table.rows[1].cells.voc07!.n, 5);
});

test('comparison table: two axes give one row per combination, anchors map to Table 8', () => {
  const t = (id: string, s: number[], r: number[], v: number): TrialSummary => ({
    id: trialId(id), sweepId: sweepId('s'), status: 'succeeded', axes: { 'anchors.scales': s, 'anchors.ratios': r }, repeat: 0, map: { voc07: v, voc2010: v + 0.02 },
  });
  const table = comparisonTable({
    axes: [
      { name: 'anchors.scales', values: [[8], [8, 16, 32]] },
      { name: 'anchors.ratios', values: [[1], [0.5, 1, 2]] },
    ],
    trials: [t('1', [8, 16, 32], [0.5, 1, 2], 0.699), t('2', [8], [1], 0.658), t('3', [8, 16, 32], [1], 0.698)],
  });
  assert.equal(table.paperRef, 'Table 8 (anchor settings)');
  assert.deepEqual(table.metrics, ['voc07', 'voc2010']);
  assert.deepEqual(table.rows.map((r) => r.settings.map(formatAxisValue).join(' ')), ['[8] [1]', '[8, 16, 32] [1]', '[8, 16, 32] [0.5, 1, 2]']);
  assert.equal(table.rows[2].versusBest, 'best');
  // Single runs: no interval, so no claim either way.
  assert.equal(table.rows[0].versusBest, 'unknown');
});
