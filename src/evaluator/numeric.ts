/**
 * The numpy behaviours the reference evaluators depend on, reproduced bit for bit: pairwise
 * summation (`np.sum`/`np.mean` on a contiguous float64 array), `np.linspace`, `np.arange`,
 * and a stable descending sort by score (numpy's `argsort(kind='mergesort')` of `-score`).
 */

/** numpy's PW_BLOCKSIZE: below it, eight interleaved accumulators; above it, recursion. */
const PW_BLOCKSIZE = 128;

/**
 * numpy's pairwise sum of `a[lo, lo+n)` (`DOUBLE_pairwise_sum` in loops_utils.h.src).
 * Measured equal to `np.sum` on whole 1-D float64 arrays up to 10^5 elements (numpy 2.4).
 */
export function pairwiseSum(a: ArrayLike<number>, lo = 0, n = a.length - lo): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[lo], r1 = a[lo + 1], r2 = a[lo + 2], r3 = a[lo + 3];
    let r4 = a[lo + 4], r5 = a[lo + 5], r6 = a[lo + 6], r7 = a[lo + 7];
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const p = lo + i;
      r0 += a[p]; r1 += a[p + 1]; r2 += a[p + 2]; r3 += a[p + 3];
      r4 += a[p + 4]; r5 += a[p + 5]; r6 += a[p + 6]; r7 += a[p + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  // Split in two, the first half a multiple of the unroll factor 8.
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}

/** `np.mean` of a 1-D float64 array: pairwise sum divided by the count (NaN when empty). */
export function npMean(a: ArrayLike<number>): number {
  return pairwiseSum(a) / a.length;
}

/** `np.linspace(start, stop, num, endpoint=True)`: `i * step + start`, the last set to `stop`. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const step = (stop - start) / div;
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * `np.arange(start, stop, step)` for floats: length ceil((stop - start) / step), values
 * `start + i * delta` where delta = (start + step) - start, as numpy fills the buffer.
 */
export function arange(start: number, stop: number, step: number): Float64Array {
  const len = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(len);
  if (len === 0) return out;
  const delta = start + step - start;
  for (let i = 0; i < len; i++) out[i] = start + i * delta;
  return out;
}

/**
 * Indices 0..n-1 ordered by descending `scores`, ties in index order: numpy's
 * `argsort(-scores, kind='mergesort')` (stable). NaN scores are not supported (callers reject them).
 */
export function argsortDesc(scores: ArrayLike<number>, n: number = scores.length, out?: Int32Array): Int32Array {
  const idx = out && out.length >= n ? out.subarray(0, n) : new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    idx[i] = i;
    if (i > 0 && scores[i] > scores[i - 1]) sorted = false;
  }
  if (sorted) return idx; // already non-increasing: the stable order is the identity
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx;
}

/** The 11 recall thresholds of the VOC2007 metric: `np.arange(0., 1.1, 0.1)`. */
export const VOC07_RECALL_THRESHOLDS: Float64Array = arange(0, 1.1, 0.1);
