import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonTable, formatField, formatPercent, renderTable, trialResults, trialTable, type SweepDetailLike } from '../../src/demo/tables.ts';
import { expandSweep, sweepSpecFromObject } from '../../src/pipeline/sweep-spec.ts';

const spec = sweepSpecFromObject({
  name: 't',
  base: { dataset: { name: 'shapes' }, backbone: { name: 'small' } },
  axes: [{ list: [{ 'anchors.scales': [2], 'anchors.ratios': [1] }, { 'anchors.scales': [1, 2, 4] }] }, { grid: { 'rpn.lambda': [1, 10] } }],
  repeats: 2,
});
const plans = expandSweep(spec);

/** Trials 0..7: anchors slowest, then λ, then the seed. */
function detail(maps: (number | null)[], statuses?: string[]): SweepDetailLike {
  return {
    trials: maps.map((m, i) => ({
      index: i,
      status: statuses?.[i] ?? (m === null ? 'failed' : 'succeeded'),
      metrics_json: m === null ? '' : JSON.stringify({ voc07: m, voc2010: m / 2 }),
      error: m === null ? 'joint: exception: boom' : '',
      stages: [{ key: `train-${i}` }, { key: 'shared-detect' }],
    })),
    stages: [
      ...maps.map((_, i) => ({ key: `train-${i}`, kind: 'train_joint', result_json: JSON.stringify({ seconds: 60 + i }) })),
      { key: 'shared-detect', kind: 'detect', result_json: JSON.stringify({ seconds: 5 }) },
    ],
  };
}

test('trialResults joins trials with their axis values and sums stage seconds by kind', () => {
  const r = trialResults(detail([0.5, 0.6, 0.7, 0.8, 0.1, 0.2, null, 0.4]), plans);
  assert.equal(r.length, 8);
  assert.deepEqual(r[3].assignments, { 'anchors.scales': [2], 'anchors.ratios': [1], 'rpn.lambda': 10 });
  assert.equal(r[3].voc07, 0.8);
  assert.equal(r[3].voc2010, 0.4);
  assert.equal(r[3].trainSeconds, 63);
  assert.equal(r[3].stageSeconds, 68);
  assert.equal(r[6].voc07, undefined);
  assert.equal(r[6].error, 'joint: exception: boom');
});

test('comparison table: anchor rows × λ columns, mean ± sample std of the repeats in percent', () => {
  const r = trialResults(detail([0.5, 0.6, 0.7, 0.8, 0.1, 0.2, null, 0.4]), plans);
  const lines = comparisonTable(r).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^anchors\s+λ=1\s+λ=10$/);
  // (50, 60): mean 55, sample std sqrt(50) = 7.07
  assert.match(lines[2], /^1 scale \(32²\), 1 ratio \(1\)\s+55\.0 ± 7\.1\s+75\.0 ± 7\.1$/);
  // The second row sets no ratios: shown as the base value. One of its λ=10 repeats failed.
  assert.match(lines[3], /^3 scales \(16², 32², 64²\), ratios=base\s+15\.0 ± 7\.1\s+40\.0$/);
});

test('comparison table cells say failed when no trial of the cell produced a number', () => {
  const r = trialResults(detail([0.5, 0.6, null, null, 0.1, 0.2, 0.3, 0.4]), plans);
  assert.match(comparisonTable(r).split('\n')[2], /55\.0 ± 7\.1\s+failed$/);
});

test('trial table lists every trial with status, both mAPs, times, and the failures', () => {
  const text = trialTable(trialResults(detail([0.5, 0.6, 0.7, 0.8, 0.1, 0.2, null, 0.4]), plans));
  const lines = text.split('\n');
  assert.match(lines[0], /^trial\s+status\s+VOC07 mAP\s+VOC2010 mAP\s+training\s+all stages$/);
  assert.match(lines[2], /^t0 {2}1 scale \(32²\), 1 ratio \(1\), λ=1, seed=0\s+succeeded\s+50\.0\s+25\.0\s+1m00s\s+1m05s$/);
  assert.match(lines[8], /^t6 .* failed\s+—\s+—\s+1m06s\s+1m11s$/);
  assert.deepEqual(lines.slice(-2), ['failures:', '  t6: joint: exception: boom']);
});

test('formatField and formatPercent', () => {
  assert.equal(formatField('anchors.scales', [8, 16, 32]), '3 scales (128², 256², 512²)');
  assert.equal(formatField('anchors.scales', [2], 8), '1 scale (16²)');
  assert.equal(formatField('rpn.lambda', 0.1), 'λ=0.1');
  assert.equal(formatField('mode', 'alt-opt'), 'alt-opt');
  assert.equal(formatField('roi.pool', 'align'), 'pool=align');
  assert.equal(formatPercent([]), '—');
  assert.equal(formatPercent([0.5988]), '59.9');
  // 0.2, 0.4, 0.6 → 20, 40, 60: sample std 20
  assert.equal(formatPercent([0.2, 0.4, 0.6]), '40.0 ± 20.0');
});

test('renderTable aligns the first column left and the others right', () => {
  assert.equal(renderTable(['a', 'bb'], [['xyz', '1'], ['q', '22']]), 'a    bb\n───  ──\nxyz   1\nq    22');
});
