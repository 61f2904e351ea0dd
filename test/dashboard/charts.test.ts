import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineSvg } from '../../src/plot/timeline.ts';
import { ap11, apArea } from '../../src/dashboard/sample.ts';

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
