import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seriesChartSvg } from '../../src/plot/series-chart.ts';
import { niceTicks, tickLabel } from '../../src/plot/svg-text.ts';
import { timelineSvg } from '../../src/plot/timeline.ts';
import { ap11, apArea } from '../../src/dashboard/sample.ts';

test('nice ticks are round and cover the range', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 80000, 4), [0, 20000, 40000, 60000, 80000]);
  assert.deepEqual(niceTicks(0.13, 0.71, 6), [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  assert.deepEqual(niceTicks(3, 3, 4), [2.8, 3, 3.2]);
  assert.equal(tickLabel(0.30000000000000004, 0.1), '0.3');
  assert.equal(tickLabel(20000, 20000), '20000');
  assert.throws(() => niceTicks(0, Infinity, 3), RangeError);
});

test('series chart maps data to pixels inside the plot area and escapes names', () => {
  const svg = seriesChartSvg([{ name: 'a<b', points: [{ x: 0, y: 1 }, { x: 1, y: 0 }] }], {
    xLabel: 'recall', yLabel: 'precision', xDomain: [0, 1], yDomain: [0, 1], width: 200, height: 100, legend: false,
  });
  // margins: left 54, right 12, top 12, bottom 42 → plot 134 × 46; (0,1) → (54,12), (1,0) → (188,58)
  assert.ok(svg.includes('d="M54,12L188,58"'), svg);
  assert.ok(svg.includes('<title>a&lt;b</title>'));
  assert.ok(!svg.includes('a<b'));
});

test('step chart draws horizontal then vertical segments', () => {
  const svg = seriesChartSvg([{ name: 's', points: [{ x: 0, y: 1 }, { x: 0.5, y: 0.5 }] }], {
    xLabel: 'x', yLabel: 'y', xDomain: [0, 1], yDomain: [0, 1], width: 200, height: 100, step: true,
  });
  assert.match(svg, /d="M54,12H\d+(\.\d+)?V35"/);
});

test('timeline: one lane per worker in order of first start, retries and running bars drawn', () => {
  const t0 = Date.UTC(2026, 0, 1);
  const svg = timelineSvg(
    [
      { lane: 'gpu-1', start: t0, end: t0 + 600_000, label: '3 train_fast_rcnn', outcome: 'lost' },
      { lane: 'gpu-<2>', start: t0 + 660_000, end: t0 + 1_200_000, label: '3 train_fast_rcnn #2', outcome: 'succeeded' },
      { lane: 'gpu-1', start: t0 + 1_300_000, label: '4 train_rpn', outcome: 'running' },
    ],
    { now: t0 + 1_800_000, width: 800 },
  );
  const lanes = [...svg.matchAll(/<text x="142" [^>]*>([^<]*)<title>/g)].map((m) => m[1]);
  assert.deepEqual(lanes, ['gpu-1', 'gpu-&lt;2&gt;']);
  assert.equal(svg.match(/class="bar bar-lost"/g)?.length, 1);
  assert.equal(svg.match(/class="bar bar-running"/g)?.length, 1);
  // 30 min span → minute ticks; the running bar ends at `now`, the right edge of the plot.
  assert.ok(svg.includes('time since first start (min)'));
  const running = /class="bar bar-running"><title>[^<]*<\/title><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
  assert.ok(Math.abs(Number(running[1]) + Number(running[2]) - (800 - 16)) < 0.02);
});

test('sample AP helpers: 11-point and all-point AP of a hand-made curve', () => {
  // precision 1 up to recall 0.5, then 0.5 up to recall 1.0
  const pts = [{ x: 0.25, y: 1 }, { x: 0.5, y: 1 }, { x: 0.75, y: 0.5 }, { x: 1, y: 0.5 }];
  assert.equal(apArea(pts), 0.75);
  // t = 0..0.5 → 1 (6 points), t = 0.6..1.0 → 0.5 (5 points): (6 + 2.5) / 11
  assert.equal(ap11(pts), 8.5 / 11);
});
