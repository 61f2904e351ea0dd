import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inForm, NATIVE_FORMS } from '../../utils/native-forms.ts';
import { batchedNms, boxIou, clipBoxes, nms, removeSmallBoxes } from '../../../src/detection/ops/boxes.ts';
import { Rng } from '../../../src/util/rng.ts';
import { InputError } from '../../../src/util/errors.ts';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const approx = (a: ArrayLike<number>, b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('IoU with the +1 convention: identical, shared column, touching, contained, disjoint', () => {
  const a = f32(0, 0, 9, 9); // 10×10 = 100
  const b = f32(
    0, 0, 9, 9, // identical → 1
    9, 0, 18, 9, // shares column x = 9: inter 1×10, union 190
    10, 0, 19, 9, // touches the edge: no shared pixel → 0
    2, 2, 5, 5, // contained 4×4: 16/100
    20, 20, 30, 30, // disjoint → 0
    5, 0, 14, 9, // half: 50/150
    3, 3, 3, 3, // one pixel inside: 1/100
  );
  approx(boxIou(a, b), [1, 10 / 190, 0, 0.16, 0, 1 / 3, 0.01]);
  // Symmetric, and N×M row-major.
  const iou = boxIou(b, a);
  approx(iou, [1, 10 / 190, 0, 0.16, 0, 1 / 3, 0.01]);
  const m = boxIou(f32(0, 0, 9, 9, 3, 3, 3, 3), f32(0, 0, 9, 9, 3, 3, 3, 3, 50, 50, 60, 60));
  approx(m, [1, 0.01, 0, 0.01, 1, 0]);
  assert.equal(boxIou(new Float32Array(0), a).length, 0);
  assert.throws(() => boxIou(f32(0, 0, 1), a), InputError);
});

test('NMS: greedy by score; a suppressed box suppresses nothing', () => {
  // A–B IoU 70/130, B–C 70/130, A–C 40/160: B goes, C stays.
  const boxes = f32(0, 0, 9, 9, 3, 0, 12, 9, 6, 0, 15, 9);
  assert.deepEqual(Array.from(nms(boxes, f32(0.9, 0.8, 0.7), 0.5)), [0, 2]);
  assert.deepEqual(Array.from(nms(boxes, f32(0.7, 0.9, 0.8), 0.5)), [1]);
  assert.deepEqual(Array.from(nms(boxes, f32(0.7, 0.9, 0.8), 0.6)), [1, 2, 0]);
  assert.deepEqual(Array.from(nms(boxes, f32(0.9, 0.8, 0.7), 0.5, 1)), [0]);
});

test('NMS ties: equal scores keep the lower index first; identical boxes keep one', () => {
  const identical = f32(0, 0, 9, 9, 0, 0, 9, 9, 0, 0, 9, 9);
  assert.deepEqual(Array.from(nms(identical, f32(0.5, 0.5, 0.5), 0.7)), [0]);
  assert.deepEqual(Array.from(nms(identical, f32(0.5, 0.9, 0.9), 0.7)), [1]);
  const disjoint = f32(0, 0, 9, 9, 20, 20, 29, 29, 40, 40, 49, 49);
  assert.deepEqual(Array.from(nms(disjoint, f32(0.5, 0.7, 0.5), 0.7)), [1, 0, 2]);
  // Identical boxes with IoU 1 survive only under a threshold of 1 (1 > 1 is false).
  assert.deepEqual(Array.from(nms(identical, f32(0.5, 0.5, 0.5), 1)), [0, 1, 2]);
});

test('NMS threshold edge: IoU exactly at the threshold keeps both (py_cpu_nms keeps ovr <= thresh)', () => {
  const half = f32(0, 0, 19, 9, 0, 0, 9, 9); // 100 / 200 = 0.5 exactly
  assert.deepEqual(Array.from(nms(half, f32(0.9, 0.8), 0.5)), [0, 1]);
  assert.deepEqual(Array.from(nms(half, f32(0.9, 0.8), 0.49)), [0]);
  const seventy = f32(0, 0, 9, 9, 0, 0, 6, 9); // 70 / 100 = 0.7 exactly
  assert.deepEqual(Array.from(nms(seventy, f32(0.9, 0.8), 0.7)), [0, 1]);
  assert.deepEqual(Array.from(nms(seventy, f32(0.9, 0.8), 0.69)), [0]);
});

test('NMS on empty input, and bad input', () => {
  assert.deepEqual(Array.from(nms(new Float32Array(0), new Float32Array(0), 0.7)), []);
  assert.throws(() => nms(f32(0, 0, 9, 9), f32(0.1, 0.2), 0.7), /scores/);
  assert.throws(() => nms(f32(0, 0, 9, 9), f32(NaN), 0.7), /scores\[0\].*NaN/);
});

/** py_cpu_nms transcribed: argsort descending (stable here), keep ovr <= thresh. */
function referenceNms(boxes: Float32Array, scores: Float32Array, thresh: number): number[] {
  let order = Array.from(scores.keys()).sort((i, j) => scores[j] - scores[i] || i - j);
  const keep: number[] = [];
  while (order.length > 0) {
    const i = order[0];
    keep.push(i);
    order = order.slice(1).filter((j) => {
      const w = Math.max(0, Math.min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * i], boxes[4 * j]) + 1);
      const h = Math.max(0, Math.min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * i + 1], boxes[4 * j + 1]) + 1);
      const ai = (boxes[4 * i + 2] - boxes[4 * i] + 1) * (boxes[4 * i + 3] - boxes[4 * i + 1] + 1);
      const aj = (boxes[4 * j + 2] - boxes[4 * j] + 1) * (boxes[4 * j + 3] - boxes[4 * j + 1] + 1);
      return (w * h) / (ai + aj - w * h) <= thresh;
    });
  }
  return keep;
}

function randomBoxes(rng: Rng, n: number, size: number, maxSide: number, integer = false): Float32Array {
  const boxes = new Float32Array(4 * n);
  const r = (lo: number, hi: number): number => (integer ? Math.floor(rng.uniform(lo, hi)) : rng.uniform(lo, hi));
  for (let i = 0; i < n; i++) {
    const x = r(-20, size);
    const y = r(-20, size);
    boxes.set([x, y, x + r(0, maxSide), y + r(0, maxSide)], 4 * i);
  }
  return boxes;
}

/** Near-duplicates jittered around a few objects, as a trained RPN produces. */
function clusteredBoxes(rng: Rng, n: number): Float32Array {
  const centres = Array.from({ length: 5 }, () => [rng.uniform(50, 450), rng.uniform(50, 250), rng.uniform(20, 150), rng.uniform(20, 150)]);
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const [cx, cy, w, h] = centres[i % centres.length];
    const jw = w * rng.uniform(0.7, 1.4);
    const jh = h * rng.uniform(0.7, 1.4);
    const x = cx + rng.uniform(-0.2, 0.2) * w - jw / 2;
    const y = cy + rng.uniform(-0.2, 0.2) * h - jh / 2;
    boxes.set([x, y, x + jw, y + jh], 4 * i);
  }
  return boxes;
}

// Both forms: the native loop (nms.cc) when the addon is built, and the JavaScript one.
for (const form of NATIVE_FORMS) {
test(`NMS (${form.name}) agrees with a transcription of py_cpu_nms: uniform, integer, clustered boxes, score ties`, { skip: form.skip }, inForm(form.on, () => {
  const rng = new Rng(3);
  const cases: Array<[string, Float32Array]> = [
    ['uniform', randomBoxes(rng, 400, 200, 80)],
    ['integer', randomBoxes(rng, 400, 60, 30, true)],
    ['clustered', clusteredBoxes(rng, 400)],
    ['one-pixel', randomBoxes(rng, 200, 10, 2, true)],
  ];
  for (const [name, boxes] of cases) {
    for (const thresh of [0, 0.3, 0.5, 0.7, 1]) {
      const n = boxes.length / 4;
      const scores = new Float32Array(n).map(() => Math.floor(rng.uniform(0, 50)) / 50);
      assert.deepEqual(Array.from(nms(boxes, scores, thresh)), referenceNms(boxes, scores, thresh), `${name} @ ${thresh}`);
    }
  }
  assert.throws(() => nms(f32(0, 0, 9, 9), f32(1), 1.5), /iouThreshold/);
  assert.throws(() => nms(f32(0, 0, Infinity, 9), f32(1), 0.5), /boxes\[0\]/);
}));

test(`NMS (${form.name}) at proposal sizes: the same kept boxes as the other form (12000 proposal-like boxes, caps, thresholds 0 to 1)`, { skip: form.skip }, () => {
  const rng = new Rng(17);
  for (const [boxes, thresh, cap] of [
    [randomBoxes(rng, 12000, 1000, 400), 0.7, 2000],
    [randomBoxes(rng, 6000, 1000, 400), 0.7, 300],
    [clusteredBoxes(rng, 3000), 0.3, undefined],
    [randomBoxes(rng, 3000, 300, 60, true), 0, undefined],
    [randomBoxes(rng, 3000, 300, 60, true), 1, 100],
  ] as const) {
    const scores = new Float32Array(boxes.length / 4).map(() => rng.uniform(0, 1));
    const mine = inForm(form.on, () => nms(boxes, scores, thresh, cap))();
    const other = inForm(!form.on, () => nms(boxes, scores, thresh, cap))();
    assert.ok(mine.length > 0);
    assert.deepEqual(Array.from(mine), Array.from(other), `@ ${thresh} cap ${cap}`);
  }
});
}

test('batched NMS: classes never suppress each other; output by score', () => {
  const boxes = f32(0, 0, 9, 9, 0, 0, 9, 9, 1, 1, 9, 9, 50, 50, 59, 59);
  const scores = f32(0.6, 0.9, 0.8, 0.7);
  assert.deepEqual(Array.from(batchedNms(boxes, scores, Int32Array.from([1, 2, 1, 1]), 0.5)), [1, 2, 3]);
  assert.deepEqual(Array.from(batchedNms(boxes, scores, Int32Array.from([1, 2, 3, 1]), 0.5)), [1, 2, 3, 0]);
  assert.deepEqual(Array.from(batchedNms(boxes, scores, Int32Array.from([1, 2, 3, 1]), 0.5, 2)), [1, 2]);
  assert.deepEqual(Array.from(batchedNms(new Float32Array(0), new Float32Array(0), new Int32Array(0), 0.5)), []);
  assert.throws(() => batchedNms(boxes, scores, Int32Array.from([1]), 0.5), /classes/);
});

test('clipBoxes clips in place to [0, w−1] × [0, h−1]', () => {
  const boxes = f32(-5, -3, 20, 30, 2, 3, 4, 5, 16, 12, 18, 14);
  const out = clipBoxes(boxes, 10, 15);
  assert.equal(out, boxes);
  assert.deepEqual(Array.from(out), [0, 0, 14, 9, 2, 3, 4, 5, 14, 9, 14, 9]);
});

test('removeSmallBoxes keeps width and height (+1) ≥ minSize', () => {
  const boxes = f32(0, 0, 15, 15, 0, 0, 14, 30, 0, 0, 30, 14, 5, 5, 5, 5);
  assert.deepEqual(Array.from(removeSmallBoxes(boxes, 16)), [0]);
  assert.deepEqual(Array.from(removeSmallBoxes(boxes, 15)), [0, 1, 2]);
  assert.deepEqual(Array.from(removeSmallBoxes(boxes, 1)), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(removeSmallBoxes(boxes, 0)), [0, 1, 2, 3]);
});
