import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  cocoDetectionsFromList,
  cocoGroundTruthFromEntries,
  parseCocoGroundTruth,
  parseCocoResults,
  readCocoGroundTruth,
  readCocoResults,
} from '../../src/evaluator/coco-data.ts';
import { evaluateCoco, formatCocoSummary, type CocoResult } from '../../src/evaluator/coco-eval.ts';
import type { ImageEntry } from '../../src/data/types.ts';

const EPS = 2.220446049250313e-16;
const fixtureDir = (name: string) => new URL(`../fixtures/eval/${name}/`, import.meta.url).pathname;

interface Ann {
  image_id: number;
  category_id?: number;
  bbox: number[];
  area?: number;
  iscrowd?: number;
  id?: number;
  score?: number;
}

/** Evaluate in-memory COCO documents (one category 1 unless given). */
function run(images: number[], gts: Ann[], dts: Ann[], cats = [1]): CocoResult {
  const gt = parseCocoGroundTruth(
    {
      images: images.map((id) => ({ id })),
      categories: cats.map((id) => ({ id, name: `c${id}` })),
      annotations: gts.map((a, i) => ({
        id: i + 1,
        category_id: 1,
        area: a.bbox[2] * a.bbox[3],
        iscrowd: 0,
        ...a,
      })),
    },
    'gt',
  );
  const dt = parseCocoResults(dts.map((d) => ({ category_id: 1, ...d })), gt, 'dt');
  return evaluateCoco(gt, dt);
}

/** precision[t, r, k, area, maxDet] (C order). */
function prec(r: CocoResult, t: number, rr: number, k = 0, a = 0, m = 2): number {
  const [, R, K, A, M] = r.counts;
  return r.precision[(((t * R + rr) * K + k) * A + a) * M + m];
}

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ''} ${a} vs ${b}`);

test('perfect detector: AP and AR 1, -1 for the empty area range', () => {
  const r = run(
    [1, 2],
    [{ image_id: 1, bbox: [0, 0, 10, 10] }, { image_id: 2, bbox: [0, 0, 50, 50] }],
    [{ image_id: 1, bbox: [0, 0, 10, 10], score: 0.9 }, { image_id: 2, bbox: [0, 0, 50, 50], score: 0.8 }],
  );
  // pr = 1/(1+eps) = 1 - 2^-52, then 2/(2+eps) = 1 exactly; the envelope carries the 1 back
  for (let t = 0; t < 10; t++) for (let q = 0; q < 101; q++) assert.equal(prec(r, t, q), 1);
  const [ap, ap50, ap75, aps, apm, apl, ar1, ar10, ar100, ars, arm, arl] = r.stats;
  assert.deepEqual([ap, ap50, ap75], [1, 1, 1]);
  // small and medium each hold one object: a single true positive, precision 1/(1+eps)
  for (const v of [aps, apm]) close(v, 1 / (1 + EPS));
  assert.equal(apl, -1); // no large objects
  assert.equal(arl, -1);
  for (const v of [ar1, ar10, ar100, ars, arm]) assert.equal(v, 1);
});

test('duplicate detection with an equal score: second one is a false positive', () => {
  // A and B; d1 = A, d2 = A again (same score, later in the file), d3 = B.
  const r = run(
    [1],
    [{ image_id: 1, bbox: [0, 0, 10, 10] }, { image_id: 1, bbox: [20, 0, 10, 10] }],
    [
      { image_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
      { image_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
      { image_id: 1, bbox: [20, 0, 10, 10], score: 0.5 },
    ],
  );
  // tp 1,1,2  fp 0,1,1  rc .5,.5,1  pr 1/(1+eps), .5, 2/(3+eps) -> envelope 1/(1+eps), 2/3, 2/3
  for (let q = 0; q <= 50; q++) assert.equal(prec(r, 0, q), 1 / (1 + EPS), `r=${q}`);
  for (let q = 51; q <= 100; q++) assert.equal(prec(r, 0, q), 2 / (3 + EPS), `r=${q}`);
  close(r.stats[1], (51 / (1 + EPS) + 50 * (2 / (3 + EPS))) / 101);
  assert.equal(r.stats[8], 1);
});

test('equal scores across images follow sorted image ids (stable mergesort), not file order', () => {
  // Image 2 holds the only object; the false positive on image 1 has the same score.
  const dts = [
    { image_id: 2, bbox: [0, 0, 10, 10], score: 0.9 },
    { image_id: 1, bbox: [50, 50, 10, 10], score: 0.9 },
  ];
  const r = run([2, 1], [{ image_id: 2, bbox: [0, 0, 10, 10] }], dts);
  // order: FP (image 1), TP (image 2): pr 0, 1/(2+eps)=0.5 -> envelope .5 everywhere
  assert.equal(r.stats[1], 0.5);
  // without the tie the true positive comes first
  const r2 = run([2, 1], [{ image_id: 2, bbox: [0, 0, 10, 10] }], [dts[0], { ...dts[1], score: 0.8 }]);
  close(r2.stats[1], 1 / (1 + EPS));
});

test('crowd regions absorb any number of detections (IoU over the detection area) and are ignored', () => {
  const gts = [
    { image_id: 1, bbox: [0, 0, 10, 10] },
    { image_id: 1, bbox: [50, 50, 100, 100], iscrowd: 1 },
  ];
  const dts = [
    { image_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
    { image_id: 1, bbox: [60, 60, 10, 10], score: 0.8 }, // inside the crowd: IoU 100/100
    { image_id: 1, bbox: [70, 70, 10, 10], score: 0.7 }, // again
  ];
  const crowd = run([1], gts, dts);
  close(crowd.stats[0], 1 / (1 + EPS));
  assert.equal(crowd.stats[8], 1);
  // the same box as a regular object: both detections are false positives, recall 1/2
  const regular = run([1], [gts[0], { ...gts[1], iscrowd: 0 }], dts);
  assert.equal(regular.stats[8], 0.5);
  close(regular.stats[1], (51 / (1 + EPS)) / 101); // precision ~1 up to recall .5, 0 beyond
});

test('area ranges are inclusive at 32² and 96²; unmatched detections outside a range are ignored', () => {
  // Object of area exactly 1024 (small and medium); a false positive of area 5000 (medium), higher score.
  const r = run(
    [1],
    [{ image_id: 1, bbox: [0, 0, 32, 32] }],
    [
      { image_id: 1, bbox: [100, 100, 100, 50], score: 0.95 },
      { image_id: 1, bbox: [0, 0, 32, 32], score: 0.9 },
    ],
  );
  const [ap, , , aps, apm, apl, , , , ars, arm, arl] = r.stats;
  assert.equal(ap, 0.5); // FP then TP
  close(aps, 1 / (1 + EPS)); // the FP is outside "small": ignored
  assert.equal(apm, 0.5); // inside "medium": counts
  assert.equal(apl, -1);
  assert.deepEqual([ars, arm, arl], [1, 1, -1]);
  // area 9216 is medium and large
  const big = run([1], [{ image_id: 1, bbox: [0, 0, 96, 96] }], [{ image_id: 1, bbox: [0, 0, 96, 96], score: 1 }]);
  assert.deepEqual([big.stats[9], big.stats[10], big.stats[11]], [-1, 1, 1]);
});

test('a category with ground truth but no detections scores 0; one with neither is left out', () => {
  const gt = parseCocoGroundTruth(
    {
      images: [{ id: 1 }],
      categories: [{ id: 1 }, { id: 2 }, { id: 3 }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 2, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
      ],
    },
    'gt',
  );
  const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 1 }], gt, 'dt');
  const r = evaluateCoco(gt, dt);
  close(r.stats[0], 1 / (1 + EPS) / 2);
  assert.equal(r.stats[8], 0.5);
  assert.equal(prec(r, 0, 0, 2), -1); // category 3: no ground truth
});

test('more than 100 detections on an image: only the 100 best count', () => {
  const dts = Array.from({ length: 101 }, (_, i) => ({ image_id: 1, bbox: [200 + i, 0, 5, 5], score: 0.9 }));
  dts.push({ image_id: 1, bbox: [0, 0, 10, 10], score: 0.1 });
  const r = run([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }], dts);
  assert.equal(r.stats[8], 0);
});

for (const name of ['coco-a', 'coco-b', 'coco-quirks']) {
  test(`${name}: stats, recall, precision and scores equal pycocotools 2.0.11 bit for bit`, () => {
    const dir = fixtureDir(name);
    const exp = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8'));
    const gt = readCocoGroundTruth(`${dir}gt.json`);
    const r = evaluateCoco(gt, readCocoResults(`${dir}dt.json`, gt));
    assert.deepEqual(r.counts, exp.counts);
    assert.deepEqual(r.stats, exp.stats);
    assert.deepEqual(Array.from(r.recall), exp.recall);
    const [T, R, K] = r.counts;
    const p: number[] = [];
    const s: number[] = [];
    for (let t = 0; t < T; t++) {
      for (let q = 0; q < R; q++) {
        for (let k = 0; k < K; k++) {
          p.push(prec(r, t, q, k));
          const [, , , A, M] = r.counts;
          s.push(r.scores[(((t * R + q) * K + k) * A + 0) * M + 2]);
        }
      }
    }
    assert.deepEqual(p, exp.precision_all_100);
    assert.deepEqual(s, exp.scores_all_100);
  });
}

test('summary lines are formatted like COCOeval.summarize()', () => {
  const dir = fixtureDir('coco-a');
  const gt = readCocoGroundTruth(`${dir}gt.json`);
  const text = formatCocoSummary(evaluateCoco(gt, readCocoResults(`${dir}dt.json`, gt)));
  const lines = text.split('\n');
  assert.equal(lines.length, 12);
  assert.match(lines[0], /^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = 0\.\d{3}$/);
  assert.match(lines[6], /^ Average Recall {5}\(AR\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets= {2}1 \] = 0\.\d{3}$/);
  assert.match(lines[1], /IoU=0\.50 {6}\|/);
});

test('in-memory entries and detection list (0-based x1y1x2y2) convert to COCO boxes (w = x2 - x1 + 1)', () => {
  const entries: ImageEntry[] = [
    { id: '7', file: '7.jpg', width: 100, height: 100, objects: [{ name: 'a', box: [0, 0, 9, 9], difficult: false }] },
    { id: '3', file: '3.jpg', width: 100, height: 100, objects: [{ name: 'b', box: [10, 10, 29, 19], difficult: true }] },
  ];
  const gt = cocoGroundTruthFromEntries(entries, ['a', 'b']);
  assert.deepEqual(gt.imageIds, [3, 7]);
  assert.deepEqual(Array.from(gt.bbox), [0, 0, 10, 10, 10, 10, 20, 10]);
  assert.deepEqual(Array.from(gt.area), [100, 200]);
  assert.deepEqual(Array.from(gt.iscrowd), [0, 1]);
  const dt = cocoDetectionsFromList(
    { imageIds: ['7'], boxes: Float32Array.from([0, 0, 9, 9]), scores: Float32Array.from([0.5]), labels: Int32Array.from([1]) },
    gt,
  );
  assert.deepEqual(Array.from(dt.bbox), [0, 0, 10, 10]);
  assert.deepEqual(Array.from(dt.image), [1]);
  const r = evaluateCoco(gt, dt);
  close(r.stats[0], 1 / (1 + EPS) / 1); // category b has only a crowd region: -1, left out
  assert.throws(
    () => cocoDetectionsFromList({ imageIds: ['8'], boxes: new Float32Array(4), scores: new Float32Array(1), labels: Int32Array.from([1]) }, gt),
    /detections: detection 0: image "8" is not in dataset/,
  );
});
