import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, interpolatedPr, parseReport, renderReportHtml, renderReportSection } from '../../src/evaluator/report.ts';
import { readCocoGroundTruth, readCocoResults } from '../../src/evaluator/coco-data.ts';
import { evaluateCoco } from '../../src/evaluator/coco-eval.ts';
import { evaluateVoc } from '../../src/evaluator/voc-eval.ts';
import { readVocDetections, readVocDevkit } from '../../src/evaluator/voc-devkit.ts';
import { proposalRecall } from '../../src/evaluator/proposal-recall.ts';
import { InputError } from '../../src/util/errors.ts';

const fx = new URL('../fixtures/eval/', import.meta.url).pathname;
const when = new Date('2026-01-02T03:04:05Z');

test('interpolatedPr reads the precision envelope at recall steps; null past the last recall', () => {
  const y = interpolatedPr([0.25, 0.5, 0.5, 0.75], [1, 0.5, 0.6, 0.4], 5);
  assert.deepEqual(y, [1, 1, 0.6, 0.4, null]);
});

test('VOC report: JSON round-trips, HTML has the table, the chart and escaped text', () => {
  const gt = readVocDevkit(`${fx}voc-a/VOC`, 'test');
  const res = evaluateVoc(gt, readVocDetections(`${fx}voc-a/dets`, 'test', gt));
  const { json, html } = buildReport({ kind: 'voc', result: res }, { title: 'VOC <test> & co', inputs: { dets: 'a"b' }, createdAt: when });
  assert.equal(json.kind, 'voc');
  assert.equal(json.mAP, res.mAP);
  const again = parseReport(JSON.parse(JSON.stringify(json)), 'r.json');
  assert.equal(renderReportHtml(again), html);
  assert.match(html, /<title>VOC &lt;test&gt; &amp; co<\/title>/);
  assert.match(html, /a&quot;b/);
  assert.match(html, /<svg[^>]*role="img"/);
  for (const c of res.classes) assert.ok(html.includes(`<td>${c.name}</td>`), c.name);
  assert.doesNotMatch(html, /<script/);
  // the embeddable section is the page's body, with styles scoped to it
  const section = renderReportSection(json);
  assert.ok(html.includes(section));
  assert.match(section, /^<section class="frcnn-report">/);
  for (const rule of /<style>([^<]*)<\/style>/.exec(section)?.[1].split('\n') ?? []) assert.match(rule, /^\.frcnn-report/);
  assert.ok(!html.includes('VOC <test>'));
});

test('COCO report: the 12 numbers, per-category rows, three PR curves', () => {
  const gt = readCocoGroundTruth(`${fx}coco-a/gt.json`);
  const res = evaluateCoco(gt, readCocoResults(`${fx}coco-a/dt.json`, gt));
  const { json, html } = buildReport({ kind: 'coco', result: res }, { createdAt: when });
  assert.equal(json.kind, 'coco');
  if (json.kind !== 'coco') return;
  assert.deepEqual(json.stats, res.stats);
  assert.equal(json.categories.length, gt.categoryIds.length);
  assert.deepEqual(json.curves.map((c) => c.name), ['IoU=.50', 'IoU=.75', 'IoU=.50:.95']);
  assert.equal(json.curves[0].x.length, 101);
  assert.match(html, /AP50/);
  assert.equal((html.match(/<path /g) ?? []).length, 3);
});

test('proposal report: recall rows and recall-vs-IoU curves', () => {
  const images = [{ imageId: 'a', gtBoxes: Float64Array.from([0, 0, 9, 9]) }];
  const res = proposalRecall(images, () => Float64Array.from([0, 0, 9, 8]), { topN: [1, 10] });
  const { json, html } = buildReport({ kind: 'proposals', result: res }, { createdAt: when });
  if (json.kind !== 'proposals') throw new Error('kind');
  assert.equal(json.rows.length, 2);
  assert.equal(json.curves[0].y[0], 1); // IoU 0.9 >= 0.5
  assert.equal(json.curves[0].y.at(-1), 0); // < 1.0
  assert.match(html, /Recall vs IoU/);
});

test('parseReport refuses documents it cannot render, naming the file', () => {
  const bad: [unknown, RegExp][] = [
    [[], /r\.json: a report must be a JSON object/],
    [{ version: 9, kind: 'voc' }, /r\.json: unsupported report version 9/],
    [{ version: 1, kind: 'x' }, /"kind" must be/],
    [{ version: 1, kind: 'coco', title: 't', stats: [] }, /missing array field "statNames"/],
  ];
  for (const [doc, re] of bad) assert.throws(() => parseReport(doc, 'r.json'), (e: unknown) => e instanceof InputError && re.test(e.message));
});
