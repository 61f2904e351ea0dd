import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCocoGroundTruth, parseCocoResults, readCocoGroundTruth, readCocoResults } from '../../src/evaluator/coco-data.ts';
import { InputError } from '../../src/util/errors.ts';

const doc = () => ({
  images: [{ id: 4 }, { id: 2 }],
  categories: [{ id: 5, name: 'five' }, { id: 1, name: 'one' }],
  annotations: [
    { id: 1, image_id: 4, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
    { id: 2, image_id: 2, category_id: 5, bbox: [1, 2, 3, 4], area: 12, iscrowd: 1 },
  ],
});

const fails = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof InputError && re.test(e.message), String(re));

test('ground truth ids are sorted as pycocotools does; category names kept', () => {
  const gt = parseCocoGroundTruth(doc(), 'gt.json');
  assert.deepEqual(gt.imageIds, [2, 4]);
  assert.deepEqual(gt.categoryIds, [1, 5]);
  assert.deepEqual(gt.categoryNames, ['one', 'five']);
  assert.deepEqual(Array.from(gt.image), [1, 0]);
  assert.deepEqual(Array.from(gt.category), [0, 1]);
  assert.deepEqual(Array.from(gt.iscrowd), [0, 1]);
});

test('annotations on unlisted images or categories are left out and counted', () => {
  const d = doc();
  d.annotations.push({ id: 3, image_id: 99, category_id: 1, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 });
  d.annotations.push({ id: 4, image_id: 2, category_id: 77, bbox: [0, 0, 1, 1], area: 1, iscrowd: 0 });
  const gt = parseCocoGroundTruth(d, 'gt.json');
  assert.equal(gt.image.length, 2);
  assert.equal(gt.skipped, 2);
});

test('broken ground truth names the file and the record', () => {
  fails(() => parseCocoGroundTruth([], 'gt.json'), /^gt\.json: a COCO ground-truth file must be a JSON object/);
  fails(() => parseCocoGroundTruth({ ...doc(), images: undefined }, 'gt.json'), /^gt\.json: missing field "images"/);
  const cases: [(d: ReturnType<typeof doc>) => void, RegExp][] = [
    [(d) => delete (d.annotations[1] as Record<string, unknown>).area, /gt\.json: annotations\[1\]: missing field "area"/],
    [(d) => delete (d.annotations[0] as Record<string, unknown>).iscrowd, /annotations\[0\]: missing field "iscrowd"/],
    [(d) => (d.annotations[1].bbox = [1, 2, 3]), /annotations\[1\]: "bbox" must be \[x, y, w, h\] \(4 finite numbers\), got \[1,2,3\]/],
    [(d) => (d.annotations[1].id = 1), /annotations\[1\]: annotation id 1 already used by annotations\[0\]/],
    [(d) => ((d.images[1] as Record<string, unknown>).id = 'x'), /gt\.json: images: ids mix numbers and strings/],
  ];
  for (const [mutate, re] of cases) {
    const d = doc();
    mutate(d);
    fails(() => parseCocoGroundTruth(d, 'gt.json'), re);
  }
});

test('broken results name the file and the record; results on unknown images are refused', () => {
  const gt = parseCocoGroundTruth(doc(), 'gt.json');
  const ok = { image_id: 4, category_id: 1, bbox: [0, 0, 5, 5], score: 0.5 };
  fails(() => parseCocoResults({}, gt, 'dt.json'), /^dt\.json: results must be a JSON array/);
  fails(() => parseCocoResults([ok, { ...ok, image_id: 3 }], gt, 'dt.json'), /^dt\.json: record 1: image_id 3 is not an image of gt\.json/);
  fails(() => parseCocoResults([{ ...ok, score: undefined }], gt, 'dt.json'), /record 0: missing field "score"/);
  fails(() => parseCocoResults([{ ...ok, score: '0.5' }], gt, 'dt.json'), /record 0: "score" must be a finite number, got "0.5"/);
  fails(() => parseCocoResults([ok, ok, { ...ok, bbox: null }], gt, 'dt.json'), /record 2: "bbox" must be \[x, y, w, h\]/);
  const dt = parseCocoResults([ok, { ...ok, category_id: 9 }], gt, 'dt.json');
  assert.equal(dt.image.length, 1);
  assert.equal(dt.skippedUnknownCategory, 1);
});

test('unreadable files are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'frcnn-coco-'));
  writeFileSync(join(dir, 'bad.json'), '{"images": [');
  fails(() => readCocoGroundTruth(join(dir, 'bad.json')), /bad\.json:1:\d+: invalid JSON/);
  writeFileSync(join(dir, 'dt.json'), '[{"image_id": 4, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1},\n{"image_id": 4}\n{"x": 1}]');
  fails(() => readCocoResults(join(dir, 'dt.json'), parseCocoGroundTruth(doc(), 'gt.json')), /dt\.json:3:1: invalid JSON/);
  fails(() => readCocoGroundTruth(join(dir, 'none.json')), /none\.json: file not found/);
});
