/**
 * Box math over flat typed arrays: IoU, NMS, clipping, small-box removal, validation.
 *
 * Every box list is a `Float32Array` of length 4N, row-major `x1 y1 x2 y2`, inclusive pixel
 * coordinates with the py-faster-rcnn "+1" convention: width = x2 − x1 + 1, so a box whose
 * x1 equals its x2 is one pixel wide, and two boxes sharing an edge pixel overlap by one
 * column. Nothing here allocates per box; arithmetic runs in float64 (JS numbers).
 *
 * Imported as a namespace by convention: `import * as boxOps from './ops/boxes.ts'`.
 */
import { nativeBlas } from '../../backend/native/addon.ts';
import { InputError } from '../../util/errors.ts';

/** Any flat numeric array a result can be written into. */
export type NumericArray = Float32Array | Float64Array;

/** Number of boxes in a 4N array; throws when the length is not a multiple of 4. */
export function boxCount(boxes: ArrayLike<number>, what = 'boxes'): number {
  if (boxes.length % 4 !== 0) {
    throw new InputError(what, `expected 4 numbers per box, got an array of length ${boxes.length}`);
  }
  return boxes.length / 4;
}

/**
 * Checks that every box is finite with x2 ≥ x1 and y2 ≥ y1 (a one-pixel box is valid under
 * the +1 convention); throws an InputError quoting the first bad box and its index.
 */
export function assertValidBoxes(boxes: ArrayLike<number>, what = 'boxes'): void {
  const n = boxCount(boxes, what);
  for (let i = 0; i < n; i++) {
    const x1 = boxes[4 * i];
    const y1 = boxes[4 * i + 1];
    const x2 = boxes[4 * i + 2];
    const y2 = boxes[4 * i + 3];
    const finite = Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2);
    if (!finite || x2 < x1 || y2 < y1) {
      throw new InputError(
        `${what}[${i}]`,
        `invalid box [${x1}, ${y1}, ${x2}, ${y2}] (need finite x1 <= x2 and y1 <= y2)`,
      );
    }
  }
}

/** Throws unless the image size is two positive integers (pixels). */
export function assertImageSize(height: number, width: number): void {
  for (const [name, v] of [['imHeight', height], ['imWidth', width]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(name, `expected a positive integer (pixels), got ${v}`);
  }
}

/** Areas (w+1)·(h+1) of N boxes, as float64. */
export function boxAreas(boxes: ArrayLike<number>): Float64Array {
  const n = boxCount(boxes);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (boxes[4 * i + 2] - boxes[4 * i] + 1) * (boxes[4 * i + 3] - boxes[4 * i + 1] + 1);
  }
  return out;
}

/**
 * Pairwise IoU written into `out` (N·M, row-major: out[i*M + j] = IoU(a_i, b_j)), as
 * py-faster-rcnn's `bbox_overlaps`: iw = min(x2) − max(x1) + 1 (likewise ih), 0 unless both
 * are positive, IoU = iw·ih / (area_a + area_b − iw·ih) with +1 areas. Pass a Float64Array when results are compared against thresholds or each other
 * (anchor and proposal targets do), so a float64 IoU of exactly 0.7 stays 0.7.
 */
export function boxIouInto<T extends NumericArray>(a: ArrayLike<number>, b: ArrayLike<number>, out: T): T {
  const n = boxCount(a, 'a');
  const m = boxCount(b, 'b');
  if (out.length < n * m) throw new RangeError(`boxIouInto: output holds ${out.length} values, need ${n * m}`);
  const areasB = boxAreas(b);
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i];
    const ay1 = a[4 * i + 1];
    const ax2 = a[4 * i + 2];
    const ay2 = a[4 * i + 3];
    const areaA = (ax2 - ax1 + 1) * (ay2 - ay1 + 1);
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const iw = Math.min(ax2, b[4 * j + 2]) - Math.max(ax1, b[4 * j]) + 1;
      if (iw <= 0) {
        out[row + j] = 0;
        continue;
      }
      const ih = Math.min(ay2, b[4 * j + 3]) - Math.max(ay1, b[4 * j + 1]) + 1;
      if (ih <= 0) {
        out[row + j] = 0;
        continue;
      }
      const inter = iw * ih;
      out[row + j] = inter / (areaA + areasB[j] - inter);
    }
  }
  return out;
}

/** Pairwise IoU of N boxes `a` and M boxes `b`: N·M row-major, +1 convention. */
export function boxIou(a: Float32Array, b: Float32Array): Float32Array {
  return boxIouInto(a, b, new Float32Array(boxCount(a, 'a') * boxCount(b, 'b')));
}

/**
 * Sorts `indices` in place by descending `scores[index]`; ties keep the lower index first, so
 * results do not depend on the sort algorithm. Throws on a NaN score, which would make the
 * order undefined (a diverged network produces them; better to say so than to rank garbage).
 */
export function sortByScoreDescending(indices: Int32Array, scores: ArrayLike<number>, what = 'scores'): Int32Array {
  for (let k = 0; k < indices.length; k++) {
    if (Number.isNaN(scores[indices[k]])) throw new InputError(`${what}[${indices[k]}]`, 'score is NaN');
  }
  return indices.sort((i, j) => scores[j] - scores[i] || i - j);
}

/** Indices 0..N−1 by descending score, ties lower index first (see sortByScoreDescending). */
export function argsortDescending(scores: ArrayLike<number>, what = 'scores'): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return sortByScoreDescending(order, scores, what);
}

/** Throws unless 0 ≤ t ≤ 1 (NaN included), naming the parameter. */
function assertIouThreshold(t: number): void {
  if (!(t >= 0 && t <= 1)) throw new InputError('iouThreshold', `expected an IoU in [0, 1], got ${t}`);
}

/**
 * Greedy NMS over boxes visited in `order` (indices into `boxes`): a box is kept unless a kept
 * box overlaps it with IoU > iouThreshold — py-faster-rcnn's `py_cpu_nms` keeps `ovr <= thresh`
 * (its GPU kernel agrees). Returns the kept indices in visiting order, at most `maxOutput`.
 * Non-finite boxes throw (they would break the spatial index below).
 *
 * Same result as the textbook loop (each kept box against every later box), far fewer IoUs:
 * IoU ≤ iw / max(wi, wj) (the intersection is at most iw·hi, the union at least wi·hi), so a
 * kept box i can only suppress boxes with iw > t·wi and wj < wi/t, i.e. with x1 in
 * (x1i + t·wi − wi/t, x2i + 1 − t·wi), and likewise for y1. Boxes are bucketed once into
 * horizontal strips by y1, sorted by x1 inside a strip; a kept box scans the x-window of the
 * strips its y-window covers — about a box-sized patch of the image instead of all n boxes
 * (`npm run bench:nms` measures it against the textbook loop). The IoU itself is computed as
 * py_cpu_nms does, inter / union, here in float64.
 */
export function nmsInOrder(
  boxes: ArrayLike<number>,
  order: ArrayLike<number>,
  iouThreshold: number,
  maxOutput = Infinity,
): Int32Array {
  assertIouThreshold(iouThreshold);
  const t = iouThreshold;
  const n = order.length;
  if (n === 0) return new Int32Array(0);
  let minY = Infinity;
  let maxY = -Infinity;
  let sumH = 0;
  for (let k = 0; k < n; k++) {
    const o = 4 * order[k];
    const bx1 = boxes[o];
    const by1 = boxes[o + 1];
    const bx2 = boxes[o + 2];
    const by2 = boxes[o + 3];
    if (!Number.isFinite(bx1) || !Number.isFinite(by1) || !Number.isFinite(bx2) || !Number.isFinite(by2)) {
      throw new InputError(`boxes[${order[k]}]`, `non-finite box [${bx1}, ${by1}, ${bx2}, ${by2}]`);
    }
    if (by1 < minY) minY = by1;
    if (by1 > maxY) maxY = by1;
    sumH += Math.abs(by2 - by1 + 1);
  }
  const blas = nativeBlas();
  if (blas && boxes instanceof Float32Array) {
    // The same loop in C++ (nms.cc: same strips, same float64 arithmetic, so the same kept boxes): ~4× faster.
    const kept = new Int32Array(Math.min(n, maxOutput));
    const count = blas.nms(boxes, order instanceof Int32Array ? order : Int32Array.from(order), t, kept.length, kept);
    return kept.slice(0, count);
  }
  // Strips a quarter of the mean box height: a y-window (≈ 1.03 h at t = 0.7) spans ~5 of them.
  const stripHeight = Math.max(sumH / n / 4, (maxY - minY) / n, 1e-6);
  const numStrips = Math.floor((maxY - minY) / stripHeight) + 1;
  const stripOf = (y: number): number => Math.min(numStrips - 1, Math.max(0, Math.floor((y - minY) / stripHeight)));

  // Slots: visiting positions sorted by (strip, x1, position).
  const strip = new Int32Array(n);
  const keyX = new Float64Array(n);
  const bySlot = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    strip[k] = stripOf(boxes[4 * order[k] + 1]);
    keyX[k] = boxes[4 * order[k]];
    bySlot[k] = k;
  }
  bySlot.sort((a, b) => strip[a] - strip[b] || keyX[a] - keyX[b] || a - b);
  const stripStart = new Int32Array(numStrips + 1);
  for (let k = 0; k < n; k++) stripStart[strip[k] + 1]++;
  for (let i = 0; i < numStrips; i++) stripStart[i + 1] += stripStart[i];

  // Coordinates and areas in slot order, so window scans read memory sequentially.
  const x1 = new Float64Array(n);
  const y1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y2 = new Float64Array(n);
  const area = new Float64Array(n);
  const slotOf = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const k = bySlot[p];
    const o = 4 * order[k];
    x1[p] = boxes[o];
    y1[p] = boxes[o + 1];
    x2[p] = boxes[o + 2];
    y2[p] = boxes[o + 3];
    area[p] = (x2[p] - x1[p] + 1) * (y2[p] - y1[p] + 1);
    slotOf[k] = p;
  }
  // done: suppressed, or visited already (and kept) — no longer a candidate either way.
  const done = new Uint8Array(n);
  const limit = Math.min(n, maxOutput);
  const kept = new Int32Array(limit);
  let numKept = 0;
  for (let k = 0; k < n && numKept < limit; k++) {
    const s = slotOf[k];
    if (done[s]) continue;
    done[s] = 1;
    kept[numKept++] = order[k];
    const ix1 = x1[s];
    const iy1 = y1[s];
    const ix2 = x2[s];
    const iy2 = y2[s];
    const iarea = area[s];
    const xlo = windowStart(ix1, ix2, t);
    const xhi = windowEnd(ix1, ix2, t);
    const lastStrip = stripOf(windowEnd(iy1, iy2, t));
    for (let st = stripOf(windowStart(iy1, iy2, t)); st <= lastStrip; st++) {
      const end = stripStart[st + 1];
      for (let p = lowerBound(x1, xlo, stripStart[st], end); p < end && x1[p] < xhi; p++) {
        if (done[p]) continue;
        const iw = Math.min(ix2, x2[p]) - Math.max(ix1, x1[p]) + 1;
        if (iw <= 0) continue;
        const ih = Math.min(iy2, y2[p]) - Math.max(iy1, y1[p]) + 1;
        if (ih <= 0) continue;
        const inter = iw * ih;
        if (inter / (iarea + area[p] - inter) > t) done[p] = 1;
      }
    }
  }
  return kept.slice(0, numKept);
}

// The open range of a start coordinate (x1 or y1) that can reach IoU > t with the span [a1, a2],
// widened by a hair so rounding never excludes a box the exact IoU test would take.
const windowSlack = (a1: number, a2: number): number => 1e-7 * (Math.abs(a1) + Math.abs(a2) + 1);
function windowStart(a1: number, a2: number, t: number): number {
  const w = a2 - a1 + 1;
  return t > 0 ? a1 + t * w - w / t - windowSlack(a1, a2) : -Infinity;
}
function windowEnd(a1: number, a2: number, t: number): number {
  return a2 + 1 - t * (a2 - a1 + 1) + windowSlack(a1, a2);
}

/** First position p in [lo, hi) with xs[p] >= v, xs ascending there. */
function lowerBound(xs: Float64Array, v: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Non-maximum suppression. Returns the indices of the kept boxes by descending score (ties:
 * lower index first), at most `maxOutput`. A box is suppressed by a higher-scoring kept box
 * when their IoU is strictly greater than `iouThreshold` (IoU exactly at the threshold keeps
 * both, as py-faster-rcnn).
 */
export function nms(boxes: Float32Array, scores: Float32Array, iouThreshold: number, maxOutput?: number): Int32Array {
  const n = boxCount(boxes);
  if (scores.length !== n) throw new InputError('scores', `expected ${n} scores (one per box), got ${scores.length}`);
  return nmsInOrder(boxes, argsortDescending(scores), iouThreshold, maxOutput ?? Infinity);
}

/**
 * NMS done independently per class: boxes of different classes never suppress each other.
 * Returns kept indices by descending score across classes (ties: lower index first), at most
 * `maxOutput` in total. Grouping by class, rather than torchvision's coordinate-offset trick,
 * keeps the float64 arithmetic exact whatever the coordinates' range.
 */
export function batchedNms(
  boxes: Float32Array,
  scores: Float32Array,
  classes: Int32Array,
  iouThreshold: number,
  maxOutput?: number,
): Int32Array {
  const n = boxCount(boxes);
  if (scores.length !== n) throw new InputError('scores', `expected ${n} scores (one per box), got ${scores.length}`);
  if (classes.length !== n) throw new InputError('classes', `expected ${n} classes (one per box), got ${classes.length}`);
  const order = argsortDescending(scores);
  // Split the global order by class; each group stays in descending-score order.
  const groups = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const g = groups.get(classes[i]);
    if (g) g.push(i);
    else groups.set(classes[i], [i]);
  }
  const keep = new Uint8Array(n);
  for (const group of groups.values()) {
    for (const i of nmsInOrder(boxes, group, iouThreshold)) keep[i] = 1;
  }
  const limit = Math.min(n, maxOutput ?? Infinity);
  const out = new Int32Array(limit);
  let count = 0;
  for (let k = 0; k < n && count < limit; k++) if (keep[order[k]]) out[count++] = order[k];
  return out.slice(0, count);
}

/**
 * Clips boxes in place to the image: x to [0, width − 1], y to [0, height − 1], as
 * py-faster-rcnn `clip_boxes`. Returns the same array.
 */
export function clipBoxes<T extends NumericArray>(boxes: T, height: number, width: number): T {
  const n = boxCount(boxes);
  const xmax = width - 1;
  const ymax = height - 1;
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    boxes[o] = Math.max(Math.min(boxes[o], xmax), 0);
    boxes[o + 1] = Math.max(Math.min(boxes[o + 1], ymax), 0);
    boxes[o + 2] = Math.max(Math.min(boxes[o + 2], xmax), 0);
    boxes[o + 3] = Math.max(Math.min(boxes[o + 3], ymax), 0);
  }
  return boxes;
}

/**
 * Indices of boxes whose width and height (x2 − x1 + 1, y2 − y1 + 1) are both ≥ minSize,
 * ascending. A box with a NaN coordinate fails the comparison and is dropped.
 */
export function removeSmallBoxes(boxes: Float32Array, minSize: number): Int32Array {
  const n = boxCount(boxes);
  const keep = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    if (boxes[o + 2] - boxes[o] + 1 >= minSize && boxes[o + 3] - boxes[o + 1] + 1 >= minSize) keep[count++] = i;
  }
  return keep.slice(0, count);
}

/** The boxes at `indices`, in that order (4 numbers each). */
export function gatherBoxes(boxes: Float32Array, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(4 * indices.length);
  for (let k = 0; k < indices.length; k++) {
    const o = 4 * indices[k];
    out[4 * k] = boxes[o];
    out[4 * k + 1] = boxes[o + 1];
    out[4 * k + 2] = boxes[o + 2];
    out[4 * k + 3] = boxes[o + 3];
  }
  return out;
}

/** The values at `indices`, in that order. */
export function gatherValues(values: Float32Array, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k]];
  return out;
}
