/**
 * NMS and the proposal layer at py-faster-rcnn's training sizes, against a naive baseline
 * measured in the same run.
 *
 *   npm run bench:nms [-- --boxes 12000 --repeats 5]
 *
 * Scenarios: a 600×1000 input; boxes shaped like an untrained RPN's proposals (centres
 * anywhere, sides 16–400 px, random scores), NMS 0.7 keeping at most 2000 (TRAIN) and without
 * a cap; and near-duplicates clustered around a few objects, as a trained RPN emits.
 * Baselines: py_cpu_nms transcribed literally (array filtering per kept box, areas and
 * intersections recomputed each time) — the obvious port; and the textbook loop (sort once,
 * precomputed areas, every kept box against every later unsuppressed box) — O(n·kept).
 */
import { parseArgs } from 'node:util';
import { generateAnchors, shiftAnchors } from '../src/detection/anchors.ts';
import { anchorTargets, DEFAULT_ANCHOR_TARGET_OPTIONS } from '../src/detection/anchor-targets.ts';
import { nms } from '../src/detection/ops/boxes.ts';
import { proposalLayer, TRAIN_PROPOSALS } from '../src/detection/proposal-layer.ts';
import { Rng } from '../src/util/rng.ts';
import { nativeBlas } from '../src/backend/native/addon.ts';

/** Which loop `nms` runs: the native addon's (nms.cc) when built, else JavaScript's (FRCNN_NATIVE_BLAS=off for that one). */
const FORM = nativeBlas() ? ', native' : ', JS';

const { values } = parseArgs({
  options: { boxes: { type: 'string', default: '12000' }, repeats: { type: 'string', default: '5' } },
});
const N = Number(values.boxes);
const REPEATS = Number(values.repeats);
const H = 600;
const W = 1000;

function proposalLikeBoxes(rng: Rng, n: number): Float32Array {
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = rng.uniform(16, 400);
    const h = rng.uniform(16, 400);
    const cx = rng.uniform(0, W);
    const cy = rng.uniform(0, H);
    boxes[4 * i] = Math.max(0, cx - w / 2);
    boxes[4 * i + 1] = Math.max(0, cy - h / 2);
    boxes[4 * i + 2] = Math.min(W - 1, cx + w / 2);
    boxes[4 * i + 3] = Math.min(H - 1, cy + h / 2);
  }
  return boxes;
}

/** py_cpu_nms, line by line: order = argsort desc; keep order[0]; order = order[ovr <= thresh]. */
function naiveNms(dets: Float32Array, scores: Float32Array, thresh: number, maxOutput = Infinity): number[] {
  let order = Array.from(scores.keys()).sort((i, j) => scores[j] - scores[i] || i - j);
  const keep: number[] = [];
  while (order.length > 0 && keep.length < maxOutput) {
    const i = order[0];
    keep.push(i);
    const rest = order.slice(1);
    order = rest.filter((j) => {
      const xx1 = Math.max(dets[4 * i], dets[4 * j]);
      const yy1 = Math.max(dets[4 * i + 1], dets[4 * j + 1]);
      const xx2 = Math.min(dets[4 * i + 2], dets[4 * j + 2]);
      const yy2 = Math.min(dets[4 * i + 3], dets[4 * j + 3]);
      const inter = Math.max(0, xx2 - xx1 + 1) * Math.max(0, yy2 - yy1 + 1);
      const ai = (dets[4 * i + 2] - dets[4 * i] + 1) * (dets[4 * i + 3] - dets[4 * i + 1] + 1);
      const aj = (dets[4 * j + 2] - dets[4 * j] + 1) * (dets[4 * j + 3] - dets[4 * j + 1] + 1);
      return inter / (ai + aj - inter) <= thresh;
    });
  }
  return keep;
}

/**
 * Sort once; coordinates and areas gathered in score order (sequential reads); suppressed
 * flags; each kept box tested against every later unsuppressed box.
 */
function textbookNms(b: Float32Array, scores: Float32Array, thresh: number, maxOutput = Infinity): Int32Array {
  const n = scores.length;
  const order = Int32Array.from(scores.keys()).sort((i, j) => scores[j] - scores[i] || i - j);
  const x1 = new Float64Array(n);
  const y1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y2 = new Float64Array(n);
  const area = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const o = 4 * order[k];
    x1[k] = b[o];
    y1[k] = b[o + 1];
    x2[k] = b[o + 2];
    y2[k] = b[o + 3];
    area[k] = (x2[k] - x1[k] + 1) * (y2[k] - y1[k] + 1);
  }
  const suppressed = new Uint8Array(n);
  const kept = new Int32Array(Math.min(n, maxOutput));
  let numKept = 0;
  for (let k = 0; k < n && numKept < kept.length; k++) {
    if (suppressed[k]) continue;
    kept[numKept++] = order[k];
    const ix1 = x1[k];
    const iy1 = y1[k];
    const ix2 = x2[k];
    const iy2 = y2[k];
    const iarea = area[k];
    for (let j = k + 1; j < n; j++) {
      if (suppressed[j]) continue;
      const w = Math.min(ix2, x2[j]) - Math.max(ix1, x1[j]) + 1;
      if (w <= 0) continue;
      const h = Math.min(iy2, y2[j]) - Math.max(iy1, y1[j]) + 1;
      if (h <= 0) continue;
      const inter = w * h;
      if (inter / (iarea + area[j] - inter) > thresh) suppressed[j] = 1;
    }
  }
  return kept.slice(0, numKept);
}

/**
 * Median wall and CPU milliseconds of `repeats` runs, after three warm-ups. CPU time is the
 * steadier figure on a shared machine (other processes stretch the wall clock).
 */
function time<T>(fn: () => T, repeats = REPEATS): { ms: number; cpuMs: number; result: T } {
  let result = fn();
  for (let w = 0; w < 2; w++) result = fn(); // let the JIT settle
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    result = fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: median(wall), cpuMs: median(cpu), result };
}

/** Near-duplicates around a few objects, scored by closeness: what a trained RPN emits. */
function clusteredBoxes(rng: Rng, n: number): { boxes: Float32Array; scores: Float32Array } {
  const objects = Array.from({ length: 8 }, () => [rng.uniform(100, W - 100), rng.uniform(100, H - 100), rng.uniform(40, 300), rng.uniform(40, 300)]);
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [cx, cy, w, h] = objects[i % objects.length];
    const jitter = rng.uniform(0, 0.5);
    const bw = w * (1 + jitter * rng.uniform(-1, 1));
    const bh = h * (1 + jitter * rng.uniform(-1, 1));
    const x = cx + jitter * w * rng.uniform(-0.5, 0.5) - bw / 2;
    const y = cy + jitter * h * rng.uniform(-0.5, 0.5) - bh / 2;
    boxes.set([Math.max(0, x), Math.max(0, y), Math.min(W - 1, x + bw), Math.min(H - 1, y + bh)], 4 * i);
    scores[i] = 1 - jitter + 0.1 * rng.next();
  }
  return { boxes, scores };
}

const rng = new Rng(2024);
const fmt = (t: { ms: number; cpuMs: number }): string => `${t.ms.toFixed(1)} ms (cpu ${t.cpuMs.toFixed(1)})`;
const uniform = { boxes: proposalLikeBoxes(rng, N), scores: new Float32Array(N).map(() => rng.next()) };
const scenarios = [
  { name: 'proposal-like boxes (untrained RPN: anywhere, random scores)', ...uniform, caps: [2000, Infinity] },
  { name: 'clustered boxes (trained RPN: near-duplicates around 8 objects)', ...clusteredBoxes(rng, N), caps: [2000] },
];

console.log(`NMS on ${N} boxes in a ${H}×${W} image, IoU 0.7 (median of ${REPEATS})`);
for (const { name, boxes, scores, caps } of scenarios) {
  console.log(` ${name}`);
  for (const cap of caps) {
    const fast = time(() => nms(boxes, scores, 0.7, cap));
    const textbook = time(() => textbookNms(boxes, scores, 0.7, cap));
    const naive = time(() => naiveNms(boxes, scores, 0.7, cap), Math.min(REPEATS, 3));
    for (const other of [textbook.result, naive.result]) {
      if (other.length !== fast.result.length || !fast.result.every((v, k) => v === other[k])) {
        throw new Error('nms and a baseline disagree');
      }
    }
    console.log(`  ${cap === Infinity ? 'no cap' : `keep ≤ ${cap}`}: kept ${fast.result.length}`);
    console.log(`    nms (strip index${FORM})${' '.repeat(Math.max(1, 7 - FORM.length))}${fmt(fast)}`);
    console.log(`    textbook loop          ${fmt(textbook)}   ×${(textbook.cpuMs / fast.cpuMs).toFixed(1)} cpu`);
    console.log(`    py_cpu_nms port        ${fmt(naive)}   ×${(naive.cpuMs / fast.cpuMs).toFixed(1)} cpu`);
  }
}

// The whole per-image geometry of a training iteration at 600×1000 (38×63 feature map).
const anchors = shiftAnchors(generateAnchors(), Math.ceil(H / 16), Math.ceil(W / 16), 16);
const a = anchors.length / 4;
const fg = new Float32Array(a).map(() => rng.next());
const deltas = new Float32Array(4 * a).map(() => rng.normal() * 0.2);
const proposals = time(() => proposalLayer(anchors, fg, deltas, H, W, 1, TRAIN_PROPOSALS));
const gt = proposalLikeBoxes(rng, 5);
const targets = time(() => anchorTargets(anchors, gt, H, W, DEFAULT_ANCHOR_TARGET_OPTIONS, new Rng(1)));
console.log(`proposal layer (TRAIN: ${a} anchors → 12000 → NMS 0.7 → 2000): ${fmt(proposals)}, ${proposals.result.scores.length} proposals`);
console.log(`anchor targets (${a} anchors, 5 gt boxes): ${fmt(targets)}`);
