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

test('frcnn eval detections scores a binary detections file like eval coco / eval voc score the text files', async () => {
  const { BoxesWriter } = await import('../../src/storage/formats/boxes-file.ts');
  const dir = mkdtempSync(join(tmpdir(), 'frcnn-evaldet-'));
  const writeBoxes = async (out: string, perImage: Map<string, { boxes: number[]; scores: number[]; classes: number[] }>) => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out, { recursive: true });
    const w = new BoxesWriter({ put: async (name: string, bytes: Uint8Array) => writeFileSync(join(out, name), bytes) }, { kind: 'detections' });
    for (const [id, d] of perImage) {
      await w.add(id, { boxes: Float32Array.from(d.boxes), scores: Float32Array.from(d.scores), classes: Int32Array.from(d.classes) });
    }
    await w.finish();
  };
  const push = (m: Map<string, { boxes: number[]; scores: number[]; classes: number[] }>, id: string, box: number[], score: number, label: number) => {
    const e = m.get(id) ?? { boxes: [], scores: [], classes: [] };
    e.boxes.push(...box);
    e.scores.push(score);
    e.classes.push(label);
    m.set(id, e);
  };

  // COCO: integer boxes, so x2 = x + w - 1 converts back exactly; label = rank of the category id.
  const gt = JSON.parse(readFileSync(`${fx}coco-quirks/gt.json`, 'utf8'));
  const catIds: number[] = gt.categories.map((c: { id: number }) => c.id).sort((a: number, b: number) => a - b);
  const coco = new Map();
  for (const d of JSON.parse(readFileSync(`${fx}coco-quirks/dt.json`, 'utf8'))) {
    if (!catIds.includes(d.category_id)) continue; // ignored by pycocotools anyway
    const [x, y, w, h] = d.bbox;
    push(coco, String(d.image_id), [x, y, x + w - 1, y + h - 1], d.score, catIds.indexOf(d.category_id) + 1);
  }
  await writeBoxes(join(dir, 'coco'), coco);
  const r = frcnn('eval', 'detections', '--boxes', join(dir, 'coco'), '--gt', `${fx}coco-quirks/gt.json`, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).stats, JSON.parse(readFileSync(`${fx}coco-quirks/expected.json`, 'utf8')).stats);

  // VOC: rounded copies of the fixture's detection files, lines grouped by image in image-set
  // order (the order a boxes file has), and the same detections 0-based in a boxes file.
  const ids = readFileSync(`${fx}voc-a/VOC/ImageSets/Main/test.txt`, 'utf8').split('\n').filter(Boolean);
  const classes = ['c00', 'c01', 'c02', 'c03'];
  const voc = new Map();
  const lines = new Map<string, string[]>(classes.map((c) => [c, []]));
  const all: { id: string; c: number; score: number; box: number[] }[] = [];
  classes.forEach((c, k) => {
    for (const line of readFileSync(`${fx}voc-a/dets/comp4_det_test_${c}.txt`, 'utf8').split('\n').filter(Boolean)) {
      const [id, s, ...b] = line.split(' ');
      all.push({ id, c: k, score: Number(s), box: b.map((v) => Math.round(Number(v))) });
    }
  });
  for (const id of ids) {
    for (const d of all.filter((x) => x.id === id)) {
      lines.get(classes[d.c])?.push(`${id} ${d.score} ${d.box.join(' ')}`);
      push(voc, id, d.box.map((v) => v - 1), d.score, d.c + 1);
    }
  }
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'txt'));
  for (const [c, ls] of lines) writeFileSync(join(dir, 'txt', `comp4_det_test_${c}.txt`), ls.join('\n') + '\n');
  await writeBoxes(join(dir, 'voc'), voc);
  const a = frcnn('eval', 'voc', '--devkit', `${fx}voc-a/VOC`, '--imageset', 'test', '--dets', join(dir, 'txt'), '--json');
  const b = frcnn('eval', 'detections', '--boxes', join(dir, 'voc'), '--devkit', `${fx}voc-a/VOC`, '--imageset', 'test', '--json');
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.deepEqual(JSON.parse(b.stdout), JSON.parse(a.stdout));
  assert.ok(JSON.parse(a.stdout).mAP > 0.2);
});
