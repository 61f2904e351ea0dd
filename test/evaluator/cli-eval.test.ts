import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/frcnn.js', import.meta.url).pathname;
const fx = new URL('../fixtures/eval/', import.meta.url).pathname;
const frcnn = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('frcnn eval coco --json prints the 12 pycocotools stats at full precision; --report writes both files', () => {
  const out = mkdtempSync(join(tmpdir(), 'frcnn-eval-'));
  const r = frcnn('eval', 'coco', '--gt', `${fx}coco-a/gt.json`, '--dt', `${fx}coco-a/dt.json`, '--json', '--report', out);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const exp = JSON.parse(readFileSync(`${fx}coco-a/expected.json`, 'utf8'));
  assert.deepEqual(doc.stats, exp.stats);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  assert.match(r.stderr, /1 results name a category_id not in/);
  assert.ok(existsSync(join(out, 'report.json')) && existsSync(join(out, 'report.html')));
  // frcnn report re-renders the page from the JSON
  const html = frcnn('report', join(out, 'report.json'), '--out', '-', '--title', 'again');
  assert.equal(html.status, 0, html.stderr);
  assert.match(html.stdout, /<title>again<\/title>/);
});

test('frcnn eval coco without --json prints the summary lines; --strict refuses unknown categories', () => {
  const r = frcnn('eval', 'coco', '--gt', `${fx}coco-quirks/gt.json`, '--dt', `${fx}coco-quirks/dt.json`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 13); // 12 lines and the final newline
  assert.equal(lines[0], ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.350');
  const s = frcnn('eval', 'coco', '--gt', `${fx}coco-a/gt.json`, '--dt', `${fx}coco-a/dt.json`, '--strict');
  assert.equal(s.status, 1);
  assert.match(s.stderr, /dt\.json: 1 results name a category_id not in/);
});

test('frcnn eval voc --json has the contract shape and voc_eval values', () => {
  const r = frcnn('eval', 'voc', '--devkit', `${fx}voc-a/VOC`, '--imageset', 'test', '--dets', `${fx}voc-a/dets`, '--ovthresh', '0.7', '--json');
  assert.equal(r.status, 0, r.stderr);
  const exp = JSON.parse(readFileSync(`${fx}voc-a/expected.json`, 'utf8'))['0.7'];
  assert.deepEqual(JSON.parse(r.stdout), exp);
});

test('bad input exits 1 naming the file and record; bad flags exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'frcnn-eval-'));
  writeFileSync(join(dir, 'dt.json'), JSON.stringify([{ image_id: 123456, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]));
  const r = frcnn('eval', 'coco', '--gt', `${fx}coco-quirks/gt.json`, '--dt', join(dir, 'dt.json'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /dt\.json: record 0: image_id 123456 is not an image of/);
  const v = frcnn('eval', 'voc', '--devkit', `${fx}voc-a/VOC`, '--imageset', 'test', '--dets', `${fx}voc-a/dets`, '--ovthresh', 'x');
  assert.equal(v.status, 2);
  assert.match(v.stderr, /--ovthresh: expected a number/);
});

test('frcnn eval proposals prints recall and AR', () => {
  const r = frcnn('eval', 'proposals', '--proposals', `${fx}voc-a/proposals.json`, '--devkit', `${fx}voc-a/VOC`, '--imageset', 'test', '--top', '5,1000', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const exp = JSON.parse(readFileSync(`${fx}voc-a/expected-recall.json`, 'utf8'));
  assert.deepEqual(doc.rows.map((x: { ar: number }) => x.ar), [exp['5'].ar, exp['1000'].ar]);
  assert.match(r.stderr, /no proposals for 1 of/);
});
