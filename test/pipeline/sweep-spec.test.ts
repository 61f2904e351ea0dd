import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expandSweep, parseSweepSpec, trialCount } from '../../src/pipeline/sweep-spec.ts';

const example = (name: string) => new URL(`../../examples/sweeps/${name}`, import.meta.url).pathname;

test('Table 9: four λ values expand to four alt-opt trials in order', () => {
  const spec = parseSweepSpec(readFileSync(example('table9-lambda.yaml'), 'utf8'), 'table9-lambda.yaml');
  const trials = expandSweep(spec);
  assert.deepEqual(trials.map((t) => t.config.rpn.lambda), [0.1, 1, 10, 100]);
  assert.deepEqual(trials.map((t) => t.label), ['rpn.lambda=0.1', 'rpn.lambda=1', 'rpn.lambda=10', 'rpn.lambda=100']);
  assert.equal(spec.limits.parallelism, 4);
});

test('Table 8: an explicit list sets fields together', () => {
  const trials = expandSweep(parseSweepSpec(readFileSync(example('table8-anchors.yaml'), 'utf8'), 'table8-anchors.yaml'));
  assert.equal(trials.length, 6);
  assert.deepEqual(trials[2].config.anchors, { baseSize: 16, scales: [8], ratios: [0.5, 1, 2] });
});

test('axes multiply (axis 0 slowest), grid fields multiply, repeats give seeds', () => {
  const spec = parseSweepSpec(
    JSON.stringify({
      name: 'p',
      base: { dataset: { name: 'voc07' }, seed: 7 },
      axes: [{ grid: { 'anchors.scales': [[8], [16]], 'rpn.lambda': [1, 10] } }, { list: [{ 'roi.pool': 'max' }, { 'roi.pool': 'align', 'roi.poolSize': 14 }] }],
      repeats: 2,
    }),
    'p.json',
  );
  assert.equal(trialCount(spec), 16);
  const t = expandSweep(spec);
  assert.equal(t.length, 16);
  assert.deepEqual(t.slice(0, 4).map((x) => [x.config.anchors.scales[0], x.config.rpn.lambda, x.config.roi.pool, x.seed]), [
    [8, 1, 'max', 7],
    [8, 1, 'max', 8],
    [8, 1, 'align', 7],
    [8, 1, 'align', 8],
  ]);
  assert.equal(t[15].config.roi.poolSize, 14);
  assert.deepEqual([t[15].repeat, t[15].index], [1, 15]);
  assert.equal(t[3].label, 'anchors.scales=[8] rpn.lambda=1 roi.pool="align" roi.poolSize=14 seed=8');
});

test('errors name the path (and YAML line) of the bad field', () => {
  const yaml = (axes: string, extra = '') => `name: bad\nbase:\n  dataset: { name: voc07 }\n${extra}axes:\n${axes}`;
  assert.throws(() => parseSweepSpec(yaml('  - grid:\n      rpn.lambda: [1, -2]\n'), 'bad.yaml'), {
    name: 'InputError',
    message: /^bad\.yaml:6: axes\[0\]\.grid\.rpn\.lambda\[1\]: Too small/,
  });
  assert.throws(() => parseSweepSpec(yaml('  - grid:\n      rpn.lamda: [1]\n'), 'bad.yaml'), { message: /axes\[0\]\.grid\.rpn\.lamda: "rpn\.lamda" is not a field/ });
  assert.throws(() => parseSweepSpec(yaml('  - list:\n      - { anchors.ratios: [1, x] }\n'), 'bad.yaml'), {
    message: /^bad\.yaml:6: axes\[0\]\.list\[0\]\.anchors\.ratios\[1\]: .*expected number/,
  });
  assert.throws(() => parseSweepSpec(yaml('  - grid:\n      rpn.lambda: [1]\n', 'limits: { maxTrials: 0 }\n'), 'bad.yaml'), { message: /bad\.yaml:4: limits\.maxTrials: must be an integer ≥ 1/ });
  assert.throws(() => parseSweepSpec(yaml('  - grid:\n      rpn.lambda: [1, 2, 3]\n', 'repeats: 2\nlimits: { maxTrials: 5 }\n'), 'bad.yaml'), {
    message: /axes: 3 × 2 seed\(s\) = 6 trials exceeds limits\.maxTrials \(5\)/,
  });
  assert.throws(() => parseSweepSpec('name: x\nbase: { dataset: { name: voc07, mode: x } }\n', 'bad.yaml'), { message: /^bad\.yaml:2: base\.dataset\.mode: Unrecognized key/ });
  assert.throws(() => parseSweepSpec('name: x\nbase: [1\n', 'bad.yaml'), { message: /^bad\.yaml:\d+:\d+: not valid YAML/ });
  assert.throws(() => parseSweepSpec('{"name": "x", "base": {"dataset": {"name": "v"}}, "axis": []}', 'bad.json'), { message: /^bad\.json: axis: unknown field/ });
});
