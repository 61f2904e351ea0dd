/**
 * RPN training targets, as py-faster-rcnn `anchor_target_layer`: label every anchor
 * foreground / background / ignored, sample a minibatch of them, and encode the matched
 * ground truth of the foreground ones.
 */
import { encodeBoxes } from './box-coder.ts';
import { AnchorLabel, columnMax, rowMax, subsampleLabel } from './det-utils.ts';
import { assertImageSize, assertValidBoxes, boxCount, boxIouInto } from './ops/boxes.ts';
import { InputError } from '../util/errors.ts';
import type { Rng } from '../util/rng.ts';

export interface AnchorTargetOptions {
  /** IoU at or above which an anchor is foreground. @default 0.7 */
  positiveOverlap: number;
  /** Max IoU below which an anchor is background. @default 0.3 */
  negativeOverlap: number;
  /** Anchors sampled per image. @default 256 */
  batchSize: number;
  /** At most floor(fgFraction · batchSize) foreground anchors. @default 0.5 */
  fgFraction: number;
  /** Pixels an anchor may cross the image border by and still be used. @default 0 */
  allowedBorder: number;
  /** Let "negative" (max IoU < negativeOverlap) override "best anchor for a gt". @default false */
  clobberPositives: boolean;
}

/** py-faster-rcnn's RPN_* training settings (and the paper's). */
export const DEFAULT_ANCHOR_TARGET_OPTIONS: Readonly<AnchorTargetOptions> = Object.freeze({
  positiveOverlap: 0.7,
  negativeOverlap: 0.3,
  batchSize: 256,
  fgFraction: 0.5,
  allowedBorder: 0,
  clobberPositives: false,
});

export interface AnchorTargets {
  /** Per anchor: AnchorLabel.Foreground (1), Background (0) or Ignore (−1). */
  labels: Int8Array;
  /** Per anchor ·4: encoded targets (unit weights) against the matched gt; 0 unless foreground. */
  bboxTargets: Float32Array;
  /** Per anchor: index of the matched gt box (max IoU, lowest index on ties); −1 outside or without gt. */
  matchedGt: Int32Array;
  numFg: number;
  numBg: number;
}

function validate(opts: AnchorTargetOptions): void {
  const { positiveOverlap, negativeOverlap, batchSize, fgFraction, allowedBorder } = opts;
  if (!(negativeOverlap >= 0 && negativeOverlap <= positiveOverlap && positiveOverlap <= 1)) {
    throw new InputError(
      'anchor target options',
      `need 0 <= negativeOverlap (${negativeOverlap}) <= positiveOverlap (${positiveOverlap}) <= 1`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new InputError('anchor target options.batchSize', `expected a positive integer, got ${batchSize}`);
  }
  if (!(fgFraction >= 0 && fgFraction <= 1)) {
    throw new InputError('anchor target options.fgFraction', `expected a fraction in [0, 1], got ${fgFraction}`);
  }
  if (!Number.isFinite(allowedBorder)) {
    throw new InputError('anchor target options.allowedBorder', `expected a number, got ${allowedBorder}`);
  }
}

/**
 * Labels and regression targets for `anchors` (A·4, e.g. from shiftAnchors) given the image's
 * ground-truth boxes (G·4, network pixels) on an imHeight × imWidth input.
 *
 * - Anchors not inside the image (x1 ≥ −border, y1 ≥ −border, x2 < W + border, y2 < H + border)
 *   are ignored and get no targets.
 * - Each inside anchor is matched to its max-IoU gt (the lowest gt index on equal IoU).
 * - Background: max IoU < negativeOverlap. Foreground: max IoU ≥ positiveOverlap, or the anchor
 *   reaches some gt's best IoU — every anchor tied at that best value is foreground, as
 *   py-faster-rcnn's `np.where(overlaps == gt_max_overlaps)`. A gt whose best IoU is 0 (it lies
 *   where no inside anchor reaches) makes no anchor foreground; py-faster-rcnn would mark
 *   every anchor with IoU 0 to it. Unless clobberPositives, foreground wins over background.
 * - Sampling: if more than floor(fgFraction·batchSize) foreground, a random subset is kept
 *   and the rest ignored; background likewise down to batchSize − numFg.
 * - No gt boxes: every inside anchor is a background candidate.
 */
export function anchorTargets(
  anchors: Float32Array,
  gtBoxes: Float32Array,
  imHeight: number,
  imWidth: number,
  opts: AnchorTargetOptions,
  rng: Rng,
): AnchorTargets {
  validate(opts);
  assertImageSize(imHeight, imWidth);
  const numAnchors = boxCount(anchors, 'anchors');
  assertValidBoxes(gtBoxes, 'gtBoxes');
  const numGt = gtBoxes.length / 4;
  const border = opts.allowedBorder;

  const labels = new Int8Array(numAnchors).fill(AnchorLabel.Ignore);
  const matchedGt = new Int32Array(numAnchors).fill(-1);
  const bboxTargets = new Float32Array(4 * numAnchors);

  // Gather the inside anchors contiguously: the IoU matrix only covers them.
  const insideIdx = new Int32Array(numAnchors);
  let numInside = 0;
  for (let i = 0; i < numAnchors; i++) {
    const o = 4 * i;
    if (
      anchors[o] >= -border &&
      anchors[o + 1] >= -border &&
      anchors[o + 2] < imWidth + border &&
      anchors[o + 3] < imHeight + border
    ) {
      insideIdx[numInside++] = i;
    }
  }
  const inside = new Float32Array(4 * numInside);
  for (let k = 0; k < numInside; k++) inside.set(anchors.subarray(4 * insideIdx[k], 4 * insideIdx[k] + 4), 4 * k);

  // Float64 IoU so equality with a gt's best value and the thresholds are exact.
  const overlaps = boxIouInto(inside, gtBoxes, new Float64Array(numInside * numGt));
  const { argmax, max } = rowMax(overlaps, numInside, numGt);
  const gtMax = columnMax(overlaps, numInside, numGt);

  const insideLabels = new Int8Array(numInside).fill(AnchorLabel.Ignore);
  const markNegatives = (): void => {
    for (let k = 0; k < numInside; k++) if (max[k] < opts.negativeOverlap) insideLabels[k] = AnchorLabel.Background;
  };
  if (!opts.clobberPositives) markNegatives();
  for (let k = 0; k < numInside; k++) {
    const row = k * numGt;
    for (let j = 0; j < numGt; j++) {
      if (gtMax[j] > 0 && overlaps[row + j] === gtMax[j]) {
        insideLabels[k] = AnchorLabel.Foreground;
        break;
      }
    }
    if (max[k] >= opts.positiveOverlap) insideLabels[k] = AnchorLabel.Foreground;
  }
  if (opts.clobberPositives) markNegatives();

  const maxFg = Math.floor(opts.fgFraction * opts.batchSize);
  const numFg = subsampleLabel(insideLabels, AnchorLabel.Foreground, maxFg, AnchorLabel.Ignore, rng);
  const numBg = subsampleLabel(insideLabels, AnchorLabel.Background, opts.batchSize - numFg, AnchorLabel.Ignore, rng);

  const fgAnchors = new Float32Array(4 * numFg);
  const fgGt = new Float32Array(4 * numFg);
  const fgRows = new Int32Array(numFg);
  let f = 0;
  for (let k = 0; k < numInside; k++) {
    const i = insideIdx[k];
    labels[i] = insideLabels[k];
    matchedGt[i] = argmax[k];
    if (insideLabels[k] !== AnchorLabel.Foreground) continue;
    fgAnchors.set(inside.subarray(4 * k, 4 * k + 4), 4 * f);
    fgGt.set(gtBoxes.subarray(4 * argmax[k], 4 * argmax[k] + 4), 4 * f);
    fgRows[f++] = i;
  }
  const encoded = encodeBoxes(fgAnchors, fgGt);
  for (let k = 0; k < numFg; k++) bboxTargets.set(encoded.subarray(4 * k, 4 * k + 4), 4 * fgRows[k]);
  return { labels, bboxTargets, matchedGt, numFg, numBg };
}
