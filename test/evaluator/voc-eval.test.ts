import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  evaluateVoc,
  vocDetectionsFromList,
  vocGroundTruthFromEntries,
  type VocDetections,
  type VocGroundTruth,
} from '../../src/evaluator/voc-eval.ts';
import { vocAp07, vocApAllPoint } from '../../src/evaluator/voc-ap.ts';
import { parseVocAnnotation, readVocDetections, readVocDevkit } from '../../src/evaluator/voc-devkit.ts';
import type { ImageEntry } from '../../src/data/types.ts';
import { InputError } from '../../src/util/errors.ts';

const fixtures = new URL('../fixtures/eval/voc-a/', import.meta.url).pathname;

/** A ground truth of one class from [image, x1, y1, x2, y2, difficult] rows. */
function gtOf(imageIds: string[], rows: [number, number, number, number, number, number][]): VocGroundTruth {
  return {
    source: 'test',
    imageIds,
    classes: ['obj'],
    image: Int32Array.from(rows.map((r) => r[0])),
    classIndex: new Int32Array(rows.length),
    boxes: Float64Array.from(rows.flatMap((r) => r.slice(1, 5))),
    difficult: Uint8Array.from(rows.map((r) => r[5])),
  };
}

/** Detections of class "obj" from [image, score, x1, y1, x2, y2] rows, in file order. */
function detsOf(rows: [number, number, number, number, number, number][]): VocDetections {
  return {
    source: 'test',
    classes: ['obj'],
    image: Int32Array.from(rows.map((r) => r[0])),
    classIndex: new Int32Array(rows.length),
    scores: Float64Array.from(rows.map((r) => r[1])),
    boxes: Float64Array.from(rows.flatMap((r) => r.slice(2, 6))),
  };
}

// Image a: G1 [1,1,10,10], G2 difficult; image b: G3 [1,1,20,20]. npos = 2.
const handGt = gtOf(['a', 'b'], [
  [0, 1, 1, 10, 10, 0],
  [0, 20, 20, 30, 30, 1],
  [1, 1, 1, 20, 20, 0],
]);
const handDets = detsOf([
  [1, 0.5, 1, 1, 20, 20], // G3 exactly: TP
  [0, 0.9, 1, 1, 10, 10], // G1: TP
  [0, 0.8, 1, 1, 10, 10], // G1 again: FP (duplicate)
  [0, 0.7, 20, 20, 30, 30], // best match difficult: neither TP nor FP
  [1, 0.6, 1, 1, 10, 20], // IoU with G3 = 200 / 400 = 0.5 exactly (+1 convention): not > 0.5, FP
]);

test('hand case: duplicates are FP, difficult ignored, IoU exactly at the threshold does not match', () => {
  const r = evaluateVoc(handGt, handDets);
  const c = r.classes[0];
  assert.equal(c.npos, 2);
  assert.equal(c.ndet, 5);
  // score order 0.9 TP, 0.8 FP, 0.7 ignored, 0.6 FP, 0.5 TP
  assert.deepEqual(Array.from(c.recall), [0.5, 0.5, 0.5, 0.5, 1]);
  assert.deepEqual(Array.from(c.precision), [1, 0.5, 0.5, 1 / 3, 0.5]);
  // 11-point: recall >= t reaches precision 1 for t <= 0.5 (6 points), 0.5 above (5 points)
  let ap07 = 0;
  for (let i = 0; i < 11; i++) ap07 = ap07 + (i <= 5 ? 1 : 0.5) / 11;
  assert.equal(c.ap07, ap07);
  assert.equal(c.ap, 0.5 * 1 + 0.5 * 0.5);
  assert.equal(r.mAP, 0.75);
});

test('hand case: a lower threshold turns the half-overlap into the match and the exact box into a duplicate', () => {
  const c = evaluateVoc(handGt, handDets, { ovthresh: 0.4 }).classes[0];
  assert.deepEqual(Array.from(c.precision), [1, 0.5, 0.5, 2 / 3, 0.5]);
  assert.equal(c.ap, 0.5 * 1 + 0.5 * (2 / 3));
});

test('equal scores keep file order (stable, like the devkit)', () => {
  const gt = gtOf(['a', 'b'], [[0, 1, 1, 10, 10, 0]]);
  const fpFirst = evaluateVoc(gt, detsOf([[1, 0.9, 1, 1, 10, 10], [0, 0.9, 1, 1, 10, 10]])).classes[0];
  const tpFirst = evaluateVoc(gt, detsOf([[0, 0.9, 1, 1, 10, 10], [1, 0.9, 1, 1, 10, 10]])).classes[0];
  assert.equal(fpFirst.ap, 0.5);
  assert.equal(tpFirst.ap, 1);
});

test('a perfect detector scores 1; a class without detections 0; a class without ground truth is left out', () => {
  const gt: VocGroundTruth = { ...gtOf(['a'], [[0, 5, 5, 50, 60, 0], [0, 70, 10, 90, 30, 0]]), classes: ['obj', 'other'] };
  gt.classIndex[1] = 1;
  const dets: VocDetections = {
    ...detsOf([[0, 0.3, 5, 5, 50, 60], [0, 0.2, 1, 1, 5, 5]]),
    classes: ['obj', 'ghost'],
  };
  dets.classIndex[1] = 1; // "ghost": detections only
  const r = evaluateVoc(gt, dets);
  // voc_eval adds 1/11 eleven times: a perfect VOC07 AP is 1.0000000000000002 there too
  assert.deepEqual(r.classes.map((c) => [c.name, c.npos, c.ap07, c.ap]), [
    ['obj', 1, 1.0000000000000002, 1],
    ['other', 1, 0, 0],
    ['ghost', 0, NaN, NaN],
  ]);
  assert.equal(r.mAP, 0.5);
  assert.equal(r.mAP07, 0.5000000000000001);
});

test('vocAp07 and vocApAllPoint on an empty curve are 0', () => {
  assert.equal(vocAp07([], []), 0);
  assert.equal(vocApAllPoint([], []), 0);
});

test('devkit fixture: AP equals py-faster-rcnn voc_eval at ovthresh 0.5 and 0.7', () => {
  const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
  const gt = readVocDevkit(join(fixtures, 'VOC'), 'test');
  const dets = readVocDetections(join(fixtures, 'dets'), 'test', gt);
  for (const thr of ['0.5', '0.7']) {
    const r = evaluateVoc(gt, dets, { ovthresh: Number(thr) });
    const got = Object.fromEntries(r.classes.map((c) => [c.name, { ap07: c.ap07, ap: c.ap, npos: c.npos }]));
    assert.deepEqual(got, expected[thr].classes, `classes at ${thr}`);
    assert.equal(r.mAP07, expected[thr].mAP07);
    assert.equal(r.mAP, expected[thr].mAP);
  }
});

test('in-memory entries (0-based) give the same AP as the 1-based devkit files', () => {
  const dir = join(fixtures, 'VOC');
  const gt = readVocDevkit(dir, 'test');
  const fileDets = readVocDetections(join(fixtures, 'dets'), 'test', gt);
  const entries: ImageEntry[] = gt.imageIds.map((id) => ({
    id,
    file: `${id}.jpg`,
    width: 500,
    height: 375,
    objects: parseVocAnnotation(readFileSync(join(dir, 'Annotations', `${id}.xml`), 'utf8'), id).map((o) => ({
      name: o.name,
      difficult: o.difficult,
      box: [o.box[0] - 1, o.box[1] - 1, o.box[2] - 1, o.box[3] - 1],
    })),
  }));
  const memGt = vocGroundTruthFromEntries(entries, gt.classes);
  // The detections are one-decimal floats: moving them to 0-based may change their last bit,
  // so the APs agree to 1e-12 rather than bit for bit.
  const n = fileDets.image.length;
  const list = {
    imageIds: Array.from(fileDets.image, (i) => gt.imageIds[i]),
    boxes: Float64Array.from(fileDets.boxes, (v) => v - 1),
    scores: fileDets.scores,
    labels: Int32Array.from(fileDets.classIndex, (c) => gt.classes.indexOf(fileDets.classes[c]) + 1),
  };
  assert.equal(list.labels.length, n);
  const memDets = vocDetectionsFromList(list, gt.classes, memGt);
  const a = evaluateVoc(gt, fileDets);
  const b = evaluateVoc(memGt, memDets);
  assert.deepEqual(b.classes.map((c) => [c.name, c.npos]), a.classes.map((c) => [c.name, c.npos]));
  for (let k = 0; k < a.classes.length; k++) assert.ok(Math.abs(a.classes[k].ap - b.classes[k].ap) < 1e-12, a.classes[k].name);
});

function tempDevkit(xml: string, dets: string): { dir: string; detDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'frcnn-voc-'));
  mkdirSync(join(dir, 'Annotations'));
  mkdirSync(join(dir, 'ImageSets', 'Main'), { recursive: true });
  writeFileSync(join(dir, 'ImageSets', 'Main', 'test.txt'), 'img1\n\n');
  writeFileSync(join(dir, 'Annotations', 'img1.xml'), xml);
  const detDir = join(dir, 'dets');
  mkdirSync(detDir);
  writeFileSync(join(detDir, 'comp4_det_test_cat.txt'), dets);
  return { dir, detDir };
}

const goodXml = `<annotation><object><name>cat</name><difficult>0</difficult>
<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object></annotation>`;

test('bad detection lines are refused with file:line', () => {
  const cases: [string, RegExp][] = [
    ['img1 0.9 1 2 30\n', /comp4_det_test_cat\.txt:1: expected .* got 5 fields/],
    ['img1 0.9 1 2 30 40\nimg2 0.5 1 2 3 4\n', /comp4_det_test_cat\.txt:2: image "img2" is not in the image set/],
    ['\nimg1 high 1 2 30 40\n', /comp4_det_test_cat\.txt:2: field 2 is not a number: "high"/],
  ];
  for (const [text, re] of cases) {
    const { dir, detDir } = tempDevkit(goodXml, text);
    const gt = readVocDevkit(dir, 'test');
    assert.throws(() => readVocDetections(detDir, 'test', gt), (e: unknown) => e instanceof InputError && re.test(e.message));
  }
});

test('bad annotations are refused naming the file and line', () => {
  const cases: [string, RegExp][] = [
    ['<annotation><object><name>cat</name>\n<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax></bndbox></object></annotation>', /img1\.xml:1 \(object 1\): missing <ymax>/],
    ['<annotation>\n<object><name>cat</name><bndbox><xmin>a</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object></annotation>', /img1\.xml:2 \(object 1\): <xmin> is not a number: "a"/],
    ['<annotation>\n<object>\n</annotation>', /img1\.xml:3: end tag <\/annotation> does not match <object> opened on line 2/],
  ];
  for (const [xml, re] of cases) {
    const { dir } = tempDevkit(xml, '');
    assert.throws(() => readVocDevkit(dir, 'test'), (e: unknown) => e instanceof InputError && re.test(e.message));
  }
  const { dir } = tempDevkit(goodXml, '');
  assert.throws(() => readVocDevkit(dir, 'trainval'), /ImageSets\/Main\/trainval\.txt: image set not found/);
});

test('parts inside an object are not objects; blank image-set lines are skipped', () => {
  const { dir } = tempDevkit(
    `<?xml version="1.0"?><!-- c --><annotation verified="a>b"><object><name>person</name><difficult>1</difficult>
     <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>
     <part><name>head</name><bndbox><xmin>2</xmin><ymin>2</ymin><xmax>3</xmax><ymax>3</ymax></bndbox></part></object></annotation>`,
    '',
  );
  const gt = readVocDevkit(dir, 'test');
  assert.deepEqual(gt.classes, ['person']);
  assert.deepEqual(Array.from(gt.boxes), [1, 1, 9, 9]);
  assert.deepEqual(Array.from(gt.difficult), [1]);
});
