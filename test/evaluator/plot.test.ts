import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, escapeXml, formatTick, lineChart, niceTicks } from '../../src/plot/index.ts';

test('niceTicks picks 1-2-5 steps covering the range', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 100, 4), [0, 50, 100]);
  assert.deepEqual(niceTicks(0.5, 1, 5), [0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(-7, 13, 4), [-5, 0, 5, 10]);
});

test('formatTick shortens large values and drops float noise', () => {
  assert.equal(formatTick(0.30000000000000004), '0.3');
  assert.equal(formatTick(12000), '12k');
  assert.equal(formatTick(2_500_000), '2.5M');
});

test('lineChart: one path per series, gaps at NaN, steps, escaped names, unique clip ids', () => {
  const svg = lineChart({
    title: 'loss <total>',
    xLabel: 'iter',
    yLabel: 'loss',
    series: [
      { name: 'a & b', x: [0, 1, 2, 3], y: [1, NaN, 0.5, 0.25] },
      { name: 'c', x: [0, 1], y: [0.2, 0.1], step: true, dashed: true, color: '#123456' },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.endsWith('</svg>'));
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.match(svg, /d="M[\d.]+ [\d.]+M[\d.]+ [\d.]+L[\d.]+ [\d.]+"/); // NaN starts a new segment
  assert.match(svg, /d="M[\d.]+ [\d.]+H[\d.]+V[\d.]+"/);
  assert.match(svg, /stroke="#123456" stroke-dasharray="5 3"/);
  assert.match(svg, /loss &lt;total&gt;/);
  assert.match(svg, /a &amp; b/);
  const ids = [lineChart({ series: [] }), lineChart({ series: [] })].map((s) => /clipPath id="([^"]+)"/.exec(s)?.[1]);
  assert.notEqual(ids[0], ids[1]);
  assert.equal(escapeXml(`<'">&`), '&lt;&#39;&quot;&gt;&amp;');
});

test('barChart: one bar per finite value, proportional widths, rows keep their height, escaped labels', () => {
  const svg = barChart({
    title: 'AP <per class>',
    categories: ['a&b', 'c', 'd'],
    series: [
      { name: 'AP', values: [0.5, 1, NaN] },
      { name: 'AP50', values: [0.25, 0, 0.75] },
    ],
    xDomain: [0, 1],
    width: 400,
    barHeight: 10,
    valueDigits: 2,
  });
  const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="9"/g)].map((m) => Number(m[1]));
  assert.equal(widths.length, 5); // NaN draws nothing
  assert.ok(Math.abs(widths[0] / widths[1] - 2) < 0.01); // 0.5 vs 0.25
  assert.equal(widths[3], 0);
  assert.match(svg, /a&amp;b/);
  assert.match(svg, /AP &lt;per class&gt;/);
  assert.match(svg, />0\.75</);
  const h = (n: number) => Number(/height="(\d+)"/.exec(barChart({ categories: Array(n).fill('x'), series: [{ name: 's', values: Array(n).fill(1) }] }))?.[1]);
  assert.equal(h(80) - h(40), 40 * (12 + 6));
});
