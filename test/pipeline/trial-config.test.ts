import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrialConfig } from '../../src/pipeline/trial-config.ts';

test('defaults are py-faster-rcnn\'s, with mode- and backbone-dependent ones resolved', () => {
  const c = parseTrialConfig({ dataset: { name: 'voc07' } });
  assert.deepEqual(c.anchors, { baseSize: 16, scales: [8, 16, 32], ratios: [0.5, 1, 2] });
  assert.equal(c.rpn.lambda, 10);
  assert.deepEqual([c.proposals.train.preNmsTopN, c.proposals.train.postNmsTopN, c.proposals.test.preNmsTopN, c.proposals.test.postNmsTopN], [12000, 2000, 6000, 300]);
  assert.equal(c.proposals.nmsThreshold, 0.7);
  assert.equal(c.roi.bgThresholdLo, 0, 'alt-opt recipe: background from IoU 0');
  assert.equal(c.roi.poolSize, 7);
  assert.deepEqual(c.test, { nmsThreshold: 0.3, scoreThreshold: 0.05, maxDetections: 100 });
  const zf = parseTrialConfig({ dataset: { name: 'voc07' }, backbone: { name: 'zf' }, mode: 'end2end' });
  assert.equal(zf.roi.poolSize, 6);
  assert.equal(zf.roi.bgThresholdLo, 0.1);
});

test('bad fields are named by path', () => {
  assert.throws(() => parseTrialConfig({}, 'x.yaml'), { name: 'InputError', message: /^x\.yaml: dataset: / });
  assert.throws(() => parseTrialConfig({ dataset: { name: 'voc07' }, anchors: { ratios: [1, 'two'] } }, 'x.yaml', 'base'), {
    message: /^x\.yaml: base\.anchors\.ratios\[1\]: .*expected number/,
  });
  assert.throws(() => parseTrialConfig({ dataset: { name: 'voc07' }, roi: { pooling: 'max' } }), { message: /roi\.pooling: Unrecognized key/ });
  assert.throws(() => parseTrialConfig({ dataset: { name: 'voc07' }, mode: 'external-proposals' }), { message: /proposals\.external: is required when mode is external-proposals/ });
  assert.throws(() => parseTrialConfig({ dataset: { name: 'voc07' }, anchors: { scales: [8, 8] } }), { message: /anchors\.scales: has repeated values/ });
  assert.throws(() => parseTrialConfig({ dataset: { name: 'voc07' }, rpn: { positiveOverlap: 0.2 } }), { message: /rpn\.negativeOverlap: must not exceed/ });
});
