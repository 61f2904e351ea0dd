/**
 * COCO bbox evaluation, equal to pycocotools' COCOeval (iouType 'bbox', default Params) on the
 * same input — the same IoU arithmetic (`maskApi.c` bbIou), the same greedy matching, the
 * same accumulation and the same float64 summation order — in typed arrays.
 *
 * Layout: detections are grouped by (category, image) in sorted-id order, each group sorted
 * by descending score (stable) and cut to maxDets[-1]; per area range, each kept detection
 * gets T bits "matched" and "ignored". Accumulation then walks each category's detections in
 * one stable score order (a stable sort of a subset is the subset of the stable sort, so one
 * sort per category serves every maxDets and area range).
 */
import { createProgress } from '../util/progress.ts';
import { formatFixed } from './format.ts';
import type { CocoDetections, CocoGroundTruth } from './coco-data.ts';
import { argsortDesc, linspace, npMean } from './numeric.ts';

export interface CocoParams {
  /** T IoU thresholds: np.linspace(.5, .95, 10). */
  iouThrs: Float64Array;
  /** R recall thresholds: np.linspace(0, 1, 101). */
  recThrs: Float64Array;
  /** M, ascending: [1, 10, 100]. */
  maxDets: number[];
  /** A inclusive area ranges: all, small, medium, large. */
  areaRng: [number, number][];
  areaRngLbl: string[];
}

/** pycocotools' `Params.setDetParams()`. */
export function defaultCocoParams(): CocoParams {
  return {
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, 1e5 ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}

export interface CocoResult {
  params: CocoParams;
  /** The 12 summary numbers in pycocotools' order (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  stats: number[];
  /** [T, R, K, A, M]. */
  counts: [number, number, number, number, number];
  /** T×R×K×A×M, C order; -1 where a category has no ground truth in the area range. */
  precision: Float64Array;
  /** T×K×A×M, C order; -1 likewise. */
  recall: Float64Array;
  /** T×R×K×A×M: the score at each recall threshold (0 beyond the last reached recall). */
  scores: Float64Array;
  categoryIds: (number | string)[];
  categoryNames: string[];
}

export interface CocoEvalOptions {
  params?: CocoParams;
  /** Show progress on stderr (a bar on a TTY, else periodic lines). Default false. */
  progress?: boolean;
}

/** numpy's `np.spacing(1)`. */
const EPS = 2.220446049250313e-16;
const MATCHED = 1;
const IGNORED = 2;

/** Stable counting sort of n items by integer key in [0, nKeys): returns [offsets (nKeys+1), order]. */
function groupBy(keys: Int32Array, nKeys: number): [Int32Array, Int32Array] {
  const offsets = new Int32Array(nKeys + 1);
  for (let j = 0; j < keys.length; j++) offsets[keys[j] + 1]++;
  for (let k = 0; k < nKeys; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, nKeys);
  const order = new Int32Array(keys.length);
  for (let j = 0; j < keys.length; j++) order[fill[keys[j]]++] = j;
  return [offsets, order];
}

/**
 * The detections each (category, image) group keeps: sorted by score (stable), the first
 * maxDet. Each kept detection also has a slot: its position in its category's stable score
 * order across images (images in sorted-id order), the order `accumulate` walks — per-slot
 * arrays make that walk sequential in memory.
 */
interface Kept {
  /** Group g = category * I + image owns kept[off[g] .. off[g+1]). */
  off: Int32Array;
  /** Detection index of each kept position. */
  det: Int32Array;
  /** Position within its group's sorted list (what maxDets cuts). */
  rank: Int32Array;
  score: Float64Array;
  /** Slot of each kept position. */
  slot: Int32Array;
  /** Rank and score by slot. */
  slotRank: Int32Array;
  slotScore: Float64Array;
}

function keepTopDetections(dt: CocoDetections, nGroups: number, I: number, maxDet: number): Kept {
  const key = new Int32Array(dt.image.length);
  for (let j = 0; j < key.length; j++) key[j] = dt.category[j] * I + dt.image[j];
  const [dtOff, dtOrder] = groupBy(key, nGroups);
  const off = new Int32Array(nGroups + 1);
  for (let g = 0; g < nGroups; g++) off[g + 1] = off[g] + Math.min(dtOff[g + 1] - dtOff[g], maxDet);
  const N = off[nGroups];
  const det = new Int32Array(N);
  const rank = new Int32Array(N);
  const score = new Float64Array(N);
  let scratch = new Float64Array(16);
  let ordBuf = new Int32Array(16);
  for (let g = 0; g < nGroups; g++) {
    const lo = dtOff[g];
    const n = dtOff[g + 1] - lo;
    if (n === 0) continue;
    if (scratch.length < n) {
      scratch = new Float64Array(2 * n);
      ordBuf = new Int32Array(2 * n);
    }
    for (let k = 0; k < n; k++) scratch[k] = dt.score[dtOrder[lo + k]];
    const ord = argsortDesc(scratch, n, ordBuf);
    const base = off[g];
    const nk = off[g + 1] - base;
    for (let k = 0; k < nk; k++) {
      const d = dtOrder[lo + ord[k]];
      det[base + k] = d;
      rank[base + k] = k;
      score[base + k] = dt.score[d];
    }
  }
  const slot = new Int32Array(N);
  const slotRank = new Int32Array(N);
  const slotScore = new Float64Array(N);
  const K = nGroups / I;
  for (let k = 0; k < K; k++) {
    const lo = off[k * I];
    const hi = off[(k + 1) * I];
    const order = argsortDesc(score.subarray(lo, hi));
    for (let j = 0; j < order.length; j++) {
      const pos = lo + order[j];
      slot[pos] = lo + j;
      slotRank[lo + j] = rank[pos];
      slotScore[lo + j] = score[pos];
    }
  }
  return { off, det, rank, score, slot, slotRank, slotScore };
}

/**
 * IoU of D kept detections with G ground truths (maskApi.c `bbIou`): ious[d*G + q].
 * Crowd regions divide by the detection's area only.
 */
function boxIous(
  dtBox: Float64Array, det: Int32Array, p0: number, D: number,
  gtBox: Float64Array, crowd: Uint8Array, gtOrder: Int32Array, g0: number, G: number,
  ious: Float64Array,
): void {
  for (let d = 0; d < D; d++) {
    const b = 4 * det[p0 + d];
    const dx = dtBox[b], dy = dtBox[b + 1], dw = dtBox[b + 2], dh = dtBox[b + 3];
    const da = dw * dh;
    for (let q = 0; q < G; q++) {
      const o = gtOrder[g0 + q];
      const c = 4 * o;
      const gx = gtBox[c], gy = gtBox[c + 1], gw = gtBox[c + 2], gh = gtBox[c + 3];
      let v = 0;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w > 0) {
        const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
        if (h > 0) {
          const inter = w * h;
          v = inter / (crowd[o] ? da : da + gw * gh - inter);
        }
      }
      ious[d * G + q] = v;
    }
  }
}

/** Scratch buffers of the matching step, grown on demand. */
class MatchScratch {
  ious = new Float64Array(256);
  gtIg = new Uint8Array(16);
  gtCrowd = new Uint8Array(16);
  gtTruthy = new Uint8Array(16);
  gtSorted = new Int32Array(16);
  gtm = new Uint8Array(160);
  dtOutside = new Uint8Array(128);
  ensure(D: number, G: number, T: number): void {
    if (this.ious.length < D * G) this.ious = new Float64Array(2 * D * G);
    if (this.gtIg.length < G) {
      this.gtIg = new Uint8Array(2 * G);
      this.gtCrowd = new Uint8Array(2 * G);
      this.gtTruthy = new Uint8Array(2 * G);
      this.gtSorted = new Int32Array(2 * G);
    }
    if (this.gtm.length < G * T) this.gtm = new Uint8Array(2 * G * T);
    if (this.dtOutside.length < D) this.dtOutside = new Uint8Array(2 * D);
  }
}

/**
 * `evaluateImg` for one group and one area range [lo, hi]: writes MATCHED/IGNORED bits of
 * the group's kept detections to st[slot*T + t]; returns the number of non-ignored gts.
 */
function matchGroup(
  gt: CocoGroundTruth, gtOrder: Int32Array, g0: number, G: number,
  dt: CocoDetections, kept: Kept, p0: number, D: number,
  lo: number, hi: number, iouThrs: Float64Array, st: Uint8Array, s: MatchScratch,
): number {
  const T = iouThrs.length;
  if (D === 0) {
    // nothing to match: only count the ground truths this range keeps
    let npig = 0;
    for (let q = 0; q < G; q++) {
      const o = gtOrder[g0 + q];
      const ar = gt.area[o];
      if (!(gt.iscrowd[o] || ar < lo || ar > hi)) npig++;
    }
    return npig;
  }
  if (G === 0) {
    // nothing to match against: unmatched everywhere, ignored when outside the range
    for (let d = 0; d < D; d++) {
      const b = 4 * kept.det[p0 + d];
      const ar = dt.bbox[b + 2] * dt.bbox[b + 3];
      st.fill(ar < lo || ar > hi ? IGNORED : 0, kept.slot[p0 + d] * T, kept.slot[p0 + d] * T + T);
    }
    return 0;
  }
  const { ious, gtIg, gtCrowd, gtTruthy, gtSorted, gtm, dtOutside } = s;
  // gt order: non-ignored first, each part in input order (np.argsort(kind='mergesort')).
  let n = 0;
  for (let q = 0; q < G; q++) {
    const o = gtOrder[g0 + q];
    const ar = gt.area[o];
    if (!(gt.iscrowd[o] || ar < lo || ar > hi)) gtSorted[n++] = q;
  }
  const npig = n;
  for (let q = 0; q < G; q++) {
    const o = gtOrder[g0 + q];
    const ar = gt.area[o];
    if (gt.iscrowd[o] || ar < lo || ar > hi) gtSorted[n++] = q;
  }
  for (let q = 0; q < G; q++) {
    const o = gtOrder[g0 + gtSorted[q]];
    gtIg[q] = q < npig ? 0 : 1;
    gtCrowd[q] = gt.iscrowd[o];
    // pycocotools stores the matched gt's id and tests it for truth: an id of 0 reads as "no match"
    gtTruthy[q] = gt.annId[o] !== 0 ? 1 : 0;
  }
  for (let d = 0; d < D; d++) {
    const b = 4 * kept.det[p0 + d];
    const ar = dt.bbox[b + 2] * dt.bbox[b + 3];
    dtOutside[d] = ar < lo || ar > hi ? 1 : 0;
  }
  gtm.fill(0, 0, G * T);
  for (let t = 0; t < T; t++) {
    const thr = Math.min(iouThrs[t], 1 - 1e-10);
    const mt = t * G;
    for (let d = 0; d < D; d++) {
      let iou = thr;
      let m = -1;
      const row = d * G;
      for (let q = 0; q < G; q++) {
        if (gtm[mt + q] && !gtCrowd[q]) continue; // matched, and not a crowd
        if (m > -1 && gtIg[m] === 0 && gtIg[q] === 1) break; // have a regular match; rest ignored
        const v = ious[row + gtSorted[q]];
        if (v < iou) continue;
        iou = v;
        m = q;
      }
      let bits = 0;
      if (m !== -1) {
        if (gtIg[m]) bits |= IGNORED;
        if (gtTruthy[m]) bits |= MATCHED;
        gtm[mt + m] = 1;
      }
      if (!(bits & MATCHED) && dtOutside[d]) bits |= IGNORED; // unmatched and outside the range
      st[kept.slot[p0 + d] * T + t] = bits;
    }
  }
  return npig;
}

/** Scratch of the accumulation step. */
class AccumScratch {
  sel = new Int32Array(16);
  candJ = new Int32Array(160);
  candPr = new Float64Array(160);
  tp = new Float64Array(0);
  fp = new Float64Array(0);
  nCand = new Int32Array(0);
  ensure(n: number, T: number): void {
    if (this.sel.length < n) this.sel = new Int32Array(2 * n);
    if (this.candJ.length < (n + 1) * T) {
      this.candJ = new Int32Array(2 * (n + 1) * T);
      this.candPr = new Float64Array(2 * (n + 1) * T);
    }
    if (this.tp.length < T) {
      this.tp = new Float64Array(T);
      this.fp = new Float64Array(T);
      this.nCand = new Int32Array(T);
    }
  }
}

/**
 * `accumulate` for category k, area a, maxDets index m over the nd selected slots
 * (sel, ascending = score order): fills precision, recall and scores (C order [T,R,K,A,M] / [T,K,A,M]).
 *
 * pycocotools computes rc and pr after every detection, takes the right-to-left max envelope
 * of pr, and reads it at `searchsorted(rc, recThrs, 'left')`. The same numbers with fewer
 * divisions: within a run of equal tp, pr only falls (fp grows), so the envelope is the
 * suffix max over run starts (index 0 and each tp increment); and rc[j] >= thr first holds
 * at the run start where tp reaches the least v with v / npig >= thr. Each candidate pr is
 * computed by the same expression, tp / (fp + tp + eps), so the values are bit-identical.
 */
function accumulateOne(
  st: Uint8Array, sel: Int32Array, nd: number, npig: number, slotScore: Float64Array,
  k: number, a: number, m: number, counts: [number, number, number, number, number], recThrs: Float64Array,
  sc: AccumScratch, precision: Float64Array, recall: Float64Array, scores: Float64Array,
): void {
  const [T, R, K, A, M] = counts;
  const cap = nd + 1;
  const { tp, fp, nCand, candJ, candPr } = sc;
  tp.fill(0, 0, T);
  fp.fill(0, 0, T);
  nCand.fill(0, 0, T);
  for (let j = 0; j < nd; j++) {
    const base = sel[j] * T;
    for (let t = 0; t < T; t++) {
      const bits = st[base + t];
      let inc = j === 0;
      if (!(bits & IGNORED)) {
        if (bits & MATCHED) {
          tp[t]++;
          inc = true;
        } else fp[t]++;
      }
      if (inc) {
        const c = t * cap + nCand[t]++;
        candJ[c] = j;
        candPr[c] = tp[t] / (fp[t] + tp[t] + EPS);
      }
    }
  }
  for (let t = 0; t < T; t++) {
    const off = t * cap;
    const n = nCand[t];
    recall[((t * K + k) * A + a) * M + m] = nd ? tp[t] / npig : 0;
    for (let c = n - 1; c > 0; c--) if (candPr[off + c] > candPr[off + c - 1]) candPr[off + c - 1] = candPr[off + c];
    // tp after the first detection: values v <= tp0 are first reached at index 0
    const tp0 = nd ? (st[sel[0] * T + t] & (MATCHED | IGNORED)) === MATCHED ? 1 : 0 : 0;
    const tpEnd = tp[t];
    let v = 0;
    for (let r = 0; r < R; r++) {
      const thr = recThrs[r];
      while (v <= tpEnd && v / npig < thr) v++;
      const at = (((t * R + r) * K + k) * A + a) * M + m;
      if (nd === 0 || v > tpEnd) {
        precision[at] = 0; // searchsorted ran past the end: pycocotools leaves 0
        scores[at] = 0;
      } else {
        const c = off + (v <= tp0 ? 0 : v - tp0);
        precision[at] = candPr[c];
        scores[at] = slotScore[sel[candJ[c]]];
      }
    }
  }
}

export function evaluateCoco(gt: CocoGroundTruth, dt: CocoDetections, opts: CocoEvalOptions = {}): CocoResult {
  const p = opts.params ?? defaultCocoParams();
  const I = gt.imageIds.length;
  const K = gt.categoryIds.length;
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const counts: [number, number, number, number, number] = [T, R, K, A, M];
  const progress = createProgress({ label: 'coco eval', total: 2 * K, unit: 'cat', mode: opts.progress ? undefined : 'silent' });

  // Ground truth grouped by (category, image), input order kept; detections sorted and cut.
  const gtKey = new Int32Array(gt.image.length);
  for (let j = 0; j < gtKey.length; j++) gtKey[j] = gt.category[j] * I + gt.image[j];
  const [gtOff, gtOrder] = groupBy(gtKey, K * I);
  const kept = keepTopDetections(dt, K * I, I, p.maxDets[M - 1]);
  const N = kept.det.length;

  // Matching. state[a][slot*T + t]: MATCHED | IGNORED bits of the kept detection in slot at threshold t.
  const state = Array.from({ length: A }, () => new Uint8Array(N * T));
  const npig = new Int32Array(K * A); // non-ignored ground truths per (category, area range)
  const ms = new MatchScratch();
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < I; i++) {
      const g = k * I + i;
      const g0 = gtOff[g];
      const G = gtOff[g + 1] - g0;
      const p0 = kept.off[g];
      const D = kept.off[g + 1] - p0;
      if (G === 0 && D === 0) continue;
      ms.ensure(D, G, T);
      if (D > 0 && G > 0) boxIous(dt.bbox, kept.det, p0, D, gt.bbox, gt.iscrowd, gtOrder, g0, G, ms.ious);
      for (let a = 0; a < A; a++) {
        const [lo, hi] = p.areaRng[a];
        npig[k * A + a] += matchGroup(gt, gtOrder, g0, G, dt, kept, p0, D, lo, hi, p.iouThrs, state[a], ms);
      }
    }
    progress.update(k + 1);
  }

  // Accumulation: slots are in each category's stable score order, for every maxDets and area range.
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const as = new AccumScratch();
  for (let k = 0; k < K; k++) {
    const kLo = kept.off[k * I];
    const nK = kept.off[(k + 1) * I] - kLo;
    as.ensure(nK, T);
    const sel = as.sel;
    for (let m = 0; m < M; m++) {
      const maxDet = p.maxDets[m];
      let nd = 0;
      for (let j = kLo; j < kLo + nK; j++) if (kept.slotRank[j] < maxDet) sel[nd++] = j;
      for (let a = 0; a < A; a++) {
        const np = npig[k * A + a];
        if (np === 0) continue; // no ground truth: precision and recall stay -1
        accumulateOne(state[a], sel, nd, np, kept.slotScore, k, a, m, counts, p.recThrs, as, precision, recall, scores);
      }
    }
    progress.update(K + k + 1);
  }
  progress.stop();
  const result: CocoResult = {
    params: p,
    stats: [],
    counts,
    precision,
    recall,
    scores,
    categoryIds: gt.categoryIds,
    categoryNames: gt.categoryNames,
  };
  result.stats = summarizeCoco(result);
  return result;
}

/**
 * pycocotools' `_summarize`: the mean of the entries > -1 of precision (ap) or recall at an
 * IoU threshold (or all), an area range label and a maxDets value; -1 when none. Entries are
 * taken in C order (t, r, k) and summed pairwise as `np.mean` does.
 */
export function summarizeOne(
  res: CocoResult,
  kind: 'ap' | 'ar',
  iouThr: number | undefined,
  areaLbl: string,
  maxDets: number,
): number {
  const p = res.params;
  const [T, R, K, A, M] = res.counts;
  const ts = iouThr === undefined ? [...Array(T).keys()] : [...Array(T).keys()].filter((t) => p.iouThrs[t] === iouThr);
  const as = p.areaRngLbl.flatMap((l, i) => (l === areaLbl ? [i] : []));
  const ms = p.maxDets.flatMap((d, i) => (d === maxDets ? [i] : []));
  const vals: number[] = [];
  for (const t of ts) {
    if (kind === 'ap') {
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K; k++) {
          for (let z = 0; z < Math.min(as.length, ms.length); z++) {
            const v = res.precision[(((t * R + r) * K + k) * A + as[z]) * M + ms[z]];
            if (v > -1) vals.push(v);
          }
        }
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let z = 0; z < Math.min(as.length, ms.length); z++) {
          const v = res.recall[((t * K + k) * A + as[z]) * M + ms[z]];
          if (v > -1) vals.push(v);
        }
      }
    }
  }
  return vals.length === 0 ? -1 : npMean(vals);
}

/** The 12 numbers of `COCOeval.summarize()` for bbox. */
export function summarizeCoco(res: CocoResult): number[] {
  const md = res.params.maxDets;
  return [
    summarizeOne(res, 'ap', undefined, 'all', 100),
    summarizeOne(res, 'ap', 0.5, 'all', md[2]),
    summarizeOne(res, 'ap', 0.75, 'all', md[2]),
    summarizeOne(res, 'ap', undefined, 'small', md[2]),
    summarizeOne(res, 'ap', undefined, 'medium', md[2]),
    summarizeOne(res, 'ap', undefined, 'large', md[2]),
    summarizeOne(res, 'ar', undefined, 'all', md[0]),
    summarizeOne(res, 'ar', undefined, 'all', md[1]),
    summarizeOne(res, 'ar', undefined, 'all', md[2]),
    summarizeOne(res, 'ar', undefined, 'small', md[2]),
    summarizeOne(res, 'ar', undefined, 'medium', md[2]),
    summarizeOne(res, 'ar', undefined, 'large', md[2]),
  ];
}

/** The 12 summary lines pycocotools prints, e.g. ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.372`. */
export function formatCocoSummary(res: CocoResult): string {
  const p = res.params;
  const md = p.maxDets;
  const f2 = (v: number) => v.toFixed(2);
  const rows: [boolean, number | undefined, string, number][] = [
    [true, undefined, 'all', 100],
    [true, 0.5, 'all', md[2]],
    [true, 0.75, 'all', md[2]],
    [true, undefined, 'small', md[2]],
    [true, undefined, 'medium', md[2]],
    [true, undefined, 'large', md[2]],
    [false, undefined, 'all', md[0]],
    [false, undefined, 'all', md[1]],
    [false, undefined, 'all', md[2]],
    [false, undefined, 'small', md[2]],
    [false, undefined, 'medium', md[2]],
    [false, undefined, 'large', md[2]],
  ];
  return rows
    .map(([ap, iou, area, m], i) => {
      const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
      const type = ap ? '(AP)' : '(AR)';
      const iouStr = (iou === undefined ? `${f2(p.iouThrs[0])}:${f2(p.iouThrs[p.iouThrs.length - 1])}` : f2(iou)).padEnd(9);
      return ` ${title} ${type} @[ IoU=${iouStr} | area=${area.padStart(6)} | maxDets=${String(m).padStart(3)} ] = ${formatFixed(res.stats[i], 3)}`;
    })
    .join('\n');
}

/** Per-category AP@[.5:.95] (area all, maxDets 100): the mean of the category's precision entries > -1. */
export function perCategoryAp(res: CocoResult, iouThr?: number): number[] {
  const [T, R, K, A, M] = res.counts;
  const p = res.params;
  const out: number[] = [];
  for (let k = 0; k < K; k++) {
    const vals: number[] = [];
    for (let t = 0; t < T; t++) {
      if (iouThr !== undefined && p.iouThrs[t] !== iouThr) continue;
      for (let r = 0; r < R; r++) {
        const v = res.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
        if (v > -1) vals.push(v);
      }
    }
    out.push(vals.length ? npMean(vals) : -1);
  }
  return out;
}
