/**
 * Proposal recall, as py-faster-rcnn's `imdb.evaluate_recall` (the paper's Figure 4 and the
 * recall columns of Table 2): for the top N proposals of each image, each ground-truth box
 * is greedily paired one-to-one with a proposal (repeatedly take the best-covered remaining
 * box and its best remaining proposal), and recall at an IoU threshold is the fraction of
 * ground truths whose paired overlap reaches it. Average recall (AR) is the mean over the
 * thresholds 0.5:0.05:0.95. IoU uses the +1 pixel convention (`bbox_overlaps`).
 */
import { arange, npMean } from './numeric.ts';

/** Ground-truth boxes of one image: 4G numbers, x1 y1 x2 y2 inclusive pixels (0-based). */
export interface RecallImage {
  imageId: string;
  gtBoxes: Float64Array | Float32Array;
}

/** An image's proposals, best first: 4P numbers in the same coordinates as the ground truth. */
export type ProposalLookup = (imageId: string) => Float32Array | Float64Array | undefined;

export interface ProposalRecallOptions {
  /** Numbers of proposals per image to score (e.g. [300, 1000, 2000]); Infinity for all. */
  topN: number[];
  /** IoU thresholds; default `np.arange(0.5, 0.95 + 1e-5, 0.05)`. */
  thresholds?: Float64Array;
  /** Ground truths with area (w+1 convention) in [lo, hi] count; default all. */
  areaRange?: [number, number];
}

export interface ProposalRecallRow {
  topN: number;
  /** Recall at each threshold. */
  recalls: Float64Array;
  /** Mean of `recalls` (np.mean). */
  ar: number;
  /** Best one-to-one overlap of every counted ground truth, ascending (0 when unpaired). */
  gtOverlaps: Float64Array;
  /** Mean number of proposals used per image. */
  meanProposals: number;
}

export interface ProposalRecallResult {
  thresholds: Float64Array;
  numPos: number;
  numImages: number;
  rows: ProposalRecallRow[];
}

/** The default thresholds of `evaluate_recall`. */
export const RECALL_THRESHOLDS: Float64Array = arange(0.5, 0.95 + 1e-5, 0.05);

/** `bbox_overlaps(proposals[:P], gt)`: out[p*G + g]. */
function overlaps(prop: ArrayLike<number>, P: number, gt: ArrayLike<number>, G: number, out: Float64Array): void {
  for (let g = 0; g < G; g++) {
    const qx1 = gt[4 * g], qy1 = gt[4 * g + 1], qx2 = gt[4 * g + 2], qy2 = gt[4 * g + 3];
    const boxArea = (qx2 - qx1 + 1) * (qy2 - qy1 + 1);
    for (let p = 0; p < P; p++) {
      const bx1 = prop[4 * p], by1 = prop[4 * p + 1], bx2 = prop[4 * p + 2], by2 = prop[4 * p + 3];
      let v = 0;
      const iw = Math.min(bx2, qx2) - Math.max(bx1, qx1) + 1;
      if (iw > 0) {
        const ih = Math.min(by2, qy2) - Math.max(by1, qy1) + 1;
        if (ih > 0) {
          const ua = (bx2 - bx1 + 1) * (by2 - by1 + 1) + boxArea - iw * ih;
          v = (iw * ih) / ua;
        }
      }
      out[p * G + g] = v;
    }
  }
}

/**
 * The greedy one-to-one pairing of `evaluate_recall` on an overlap matrix (P×G, modified):
 * returns the paired overlap of each pick, in pick order (G values; 0 once proposals run out).
 * Column maxima are kept and recomputed only for columns whose best row was taken.
 */
function greedyPairs(ov: Float64Array, P: number, G: number, out: Float64Array, at: number): void {
  const colMax = new Float64Array(G);
  const colArg = new Int32Array(G);
  const rowGone = new Uint8Array(P);
  const rescan = (g: number) => {
    let best = -1;
    let arg = 0;
    for (let p = 0; p < P; p++) {
      const v = rowGone[p] ? -1 : ov[p * G + g];
      if (v > best) {
        best = v;
        arg = p;
      }
    }
    colMax[g] = best;
    colArg[g] = arg;
  };
  for (let g = 0; g < G; g++) rescan(g);
  for (let j = 0; j < G; j++) {
    let gi = 0;
    for (let g = 1; g < G; g++) if (colMax[g] > colMax[gi]) gi = g;
    const best = colMax[gi];
    out[at + j] = Math.max(best, 0); // no proposal left: py-faster-rcnn would assert; count as uncovered
    if (best < 0) continue;
    const pi = colArg[gi];
    rowGone[pi] = 1;
    colMax[gi] = -1;
    for (let g = 0; g < G; g++) if (colMax[g] >= 0 && colArg[g] === pi) rescan(g);
  }
}

export function proposalRecall(images: readonly RecallImage[], proposals: ProposalLookup, opts: ProposalRecallOptions): ProposalRecallResult {
  const thresholds = opts.thresholds ?? RECALL_THRESHOLDS;
  const [lo, hi] = opts.areaRange ?? [0, 1e5 ** 2];
  // Counted ground truths per image.
  const kept: Float64Array[] = images.map(({ gtBoxes }) => {
    const sel: number[] = [];
    for (let g = 0; g < gtBoxes.length / 4; g++) {
      const area = (gtBoxes[4 * g + 2] - gtBoxes[4 * g] + 1) * (gtBoxes[4 * g + 3] - gtBoxes[4 * g + 1] + 1);
      if (area >= lo && area <= hi) sel.push(gtBoxes[4 * g], gtBoxes[4 * g + 1], gtBoxes[4 * g + 2], gtBoxes[4 * g + 3]);
    }
    return Float64Array.from(sel);
  });
  const numPos = kept.reduce((s, b) => s + b.length / 4, 0);
  let ov = new Float64Array(1024);
  const rows = opts.topN.map((topN) => {
    const gtOverlaps = new Float64Array(numPos);
    let at = 0;
    let used = 0;
    images.forEach(({ imageId }, i) => {
      const gt = kept[i];
      const G = gt.length / 4;
      const prop = proposals(imageId);
      const P = prop ? Math.min(prop.length / 4, topN) : 0;
      used += P;
      if (G === 0) return;
      if (P === 0 || !prop) {
        at += G; // images without proposals: their ground truths stay uncovered
        return;
      }
      if (ov.length < P * G) ov = new Float64Array(2 * P * G);
      overlaps(prop, P, gt, G, ov);
      greedyPairs(ov, P, G, gtOverlaps, at);
      at += G;
    });
    gtOverlaps.sort();
    const recalls = new Float64Array(thresholds.length);
    thresholds.forEach((t, k) => {
      let n = 0;
      for (let j = 0; j < numPos; j++) if (gtOverlaps[j] >= t) n++;
      recalls[k] = n / numPos;
    });
    return { topN, recalls, ar: npMean(recalls), gtOverlaps, meanProposals: images.length ? used / images.length : 0 };
  });
  return { thresholds, numPos, numImages: images.length, rows };
}
