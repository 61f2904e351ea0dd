import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCoordinatorMetrics, Registry } from '../../src/dashboard/metrics.ts';

test('exposition format 0.0.4: counters, gauges and histograms with escaped labels', async () => {
  const r = new Registry();
  const c = r.counter('frcnn_test_total', 'A counter.\nSecond line with \\ backslash.', ['kind']);
  const g = r.gauge('frcnn_test_gauge', 'A gauge.');
  const h = r.histogram('frcnn_test_seconds', 'A histogram.', ['stage'], [1, 5]);
  c.inc({ kind: 'infrastructure' });
  c.inc({ kind: 'infrastructure' }, 2);
  c.inc({ kind: 'say "hi"\nback\\slash' });
  g.set(undefined, 4);
  h.observe({ stage: 'train_rpn' }, 0.5);
  h.observe({ stage: 'train_rpn' }, 3);
  h.observe({ stage: 'train_rpn' }, 7);
  assert.equal(
    await r.expose(),
    [
      '# HELP frcnn_test_total A counter.\\nSecond line with \\\\ backslash.',
      '# TYPE frcnn_test_total counter',
      'frcnn_test_total{kind="infrastructure"} 3',
      'frcnn_test_total{kind="say \\"hi\\"\\nback\\\\slash"} 1',
      '# HELP frcnn_test_gauge A gauge.',
      '# TYPE frcnn_test_gauge gauge',
      'frcnn_test_gauge 4',
      '# HELP frcnn_test_seconds A histogram.',
      '# TYPE frcnn_test_seconds histogram',
      'frcnn_test_seconds_bucket{stage="train_rpn",le="1"} 1',
      'frcnn_test_seconds_bucket{stage="train_rpn",le="5"} 2',
      'frcnn_test_seconds_bucket{stage="train_rpn",le="+Inf"} 3',
      'frcnn_test_seconds_sum{stage="train_rpn"} 10.5',
      'frcnn_test_seconds_count{stage="train_rpn"} 3',
      '',
    ].join('\n'),
  );
});

test('registry refuses bad names, missing labels, duplicates and decreasing counters', () => {
  const r = new Registry();
  assert.throws(() => r.counter('bad-name', 'x'), /invalid metric name/);
  assert.throws(() => r.counter('ok_total', 'x', ['le']), /invalid label name/);
  const c = r.counter('ok_total', 'x', ['kind']);
  assert.throws(() => r.gauge('ok_total', 'x'), /registered twice/);
  assert.throws(() => c.inc(), /needs label kind/);
  assert.throws(() => c.inc({ kind: 'a' }, -1), /only increase/);
  assert.throws(() => r.histogram('h', 'x', [], [5, 1]), /buckets must increase/);
});

test('collect hooks refresh gauges before each scrape', async () => {
  const m = createCoordinatorMetrics();
  let workers = 2;
  m.registry.onCollect(() => m.workers.set(undefined, workers));
  assert.match(await m.registry.expose(), /^frcnn_workers 2$/m);
  workers = 5;
  assert.match(await m.registry.expose(), /^frcnn_workers 5$/m);
  m.leaseExpiries.inc();
  m.stageDuration.observe({ stage: 'detect' }, 42);
  const text = await m.registry.expose();
  assert.match(text, /^frcnn_lease_expiries_total 1$/m);
  assert.match(text, /^frcnn_stage_duration_seconds_bucket\{stage="detect",le="60"\} 1$/m);
  assert.match(text, /^frcnn_stage_duration_seconds_bucket\{stage="detect",le="15"\} 0$/m);
});
