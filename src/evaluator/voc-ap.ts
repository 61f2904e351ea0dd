/**
 * Average precision from a precision/recall curve, as py-faster-rcnn's `voc_ap`:
 * the VOC2007 11-point interpolation and the VOC2010+ area under the precision envelope.
 */
import { VOC07_RECALL_THRESHOLDS, pairwiseSum } from './numeric.ts';

/**
 * VOC2007 11-point AP: mean over t in `np.arange(0, 1.1, 0.1)` of max precision at recall >= t
 * (0 when no point reaches t), accumulated as `ap = ap + p / 11.` in threshold order.
 */
export function vocAp07(rec: ArrayLike<number>, prec: ArrayLike<number>): number {
  let ap = 0;
  for (const t of VOC07_RECALL_THRESHOLDS) {
    let p = -Infinity;
    let any = false;
    for (let i = 0; i < rec.length; i++) {
      if (rec[i] >= t) {
        any = true;
        const v = prec[i];
        if (Number.isNaN(v)) {
          p = NaN; // np.max propagates NaN
          break;
        }
        if (v > p) p = v;
      }
    }
    ap = ap + (any ? p : 0) / 11;
  }
  return ap;
}

/**
 * VOC2010+ all-point AP: recall padded with 0 and 1, precision with 0 and 0, precision made
 * non-increasing from the right, then sum of (Δrecall × precision) where recall changes —
 * summed pairwise as `np.sum` does.
 */
export function vocApAllPoint(rec: ArrayLike<number>, prec: ArrayLike<number>): number {
  const n = rec.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  mrec[n + 1] = 1;
  for (let i = 0; i < n; i++) {
    mrec[i + 1] = rec[i];
    mpre[i + 1] = prec[i];
  }
  for (let i = n + 1; i > 0; i--) {
    // np.maximum: NaN wins
    const a = mpre[i - 1], b = mpre[i];
    mpre[i - 1] = Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
  }
  const terms: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1] - mrec[i]) * mpre[i + 1]);
  }
  return pairwiseSum(terms);
}
