/**
 * Fast R-CNN training targets, as py-faster-rcnn `proposal_target_layer` / `_sample_rois`:
 * add the ground truths to the proposals, sample foreground and background RoIs, label them
 * with their matched gt's class, and encode normalised, class-specific regression targets.
 */
import { BoxWeights, encodeBoxes, weightsFromStds } from './box-coder.ts';
import { BACKGROUND_CLASS, roundHalfEven, rowMax } from './det-utils.ts';
import { assertValidBoxes, boxCount, boxIouInto } from './ops/boxes.ts';
import { InputError } from '../util/errors.ts';
import type { Rng } from '../util/rng.ts';

export interface ProposalTargetOptions {
  /** RoIs sampled per image (fewer when there are not enough candidates). @default 128 */
  batchSize: number;
  /** At most round(fgFraction · batchSize) foreground RoIs. @default 0.25 */
  fgFraction: number;
  /** Foreground: max IoU with a gt ≥ this. @default 0.5 */
  fgThreshold: number;
  /** Background: max IoU < this … @default 0.5 */
  bgThresholdHi: number;
  /** … and ≥ this. @default 0.1 (0.0 in the alternating-optimisation recipe) */
  bgThresholdLo: number;
  /** Targets are divided by these (means 0). @default [0.1, 0.1, 0.2, 0.2] */
  bboxStds: BoxWeights;
  /**
   * Part negatives: a RoI whose IoU is below bgThresholdLo is still a background candidate
   * when at least this fraction of it lies inside one gt box (intersection / RoI area), e.g.
   * one arm of a large cross. Without them the head never sees such parts as background and
   * may call them objects of another class. 0 (the default, py-faster-rcnn's rule) turns it off.
   */
  bgPartMinInside?: number;
}

/** py-faster-rcnn TRAIN.* defaults (end-to-end recipe: background from IoU 0.1). */
export const DEFAULT_PROPOSAL_TARGET_OPTIONS: Readonly<ProposalTargetOptions> = Object.freeze({
  batchSize: 128,
  fgFraction: 0.25,
  fgThreshold: 0.5,
  bgThresholdHi: 0.5,
  bgThresholdLo: 0.1,
  bboxStds: [0.1, 0.1, 0.2, 0.2] as const,
});

/** The alternating-optimisation recipe's background range, [0.0, 0.5). */
export const ALT_OPT_PROPOSAL_TARGET_OPTIONS: Readonly<ProposalTargetOptions> = Object.freeze({
  ...DEFAULT_PROPOSAL_TARGET_OPTIONS,
  bgThresholdLo: 0,
});

export interface ProposalTargets {
  /** R·4 sampled RoIs: the numFg foreground ones first, then background. */
  rois: Float32Array;
  /** R class labels: the matched gt's class (1..K) for foreground, 0 for background. */
  labels: Int32Array;
  /**
   * R·4 normalised targets for the RoI's own label's class (the loss scatters them into the
   * 4(K+1) class-specific layout); 0 for background.
   */
  bboxTargets: Float32Array;
  /** R indices into proposals ++ gtBoxes (P + g for gt g) of the sampled RoIs, distinct. */
  sampledIndices: Int32Array;
  /** R indices of the matched gt box (max IoU, lowest index on ties); −1 when there is no gt. */
  matchedGt: Int32Array;
  numFg: number;
  numBg: number;
}

function validate(opts: ProposalTargetOptions): void {
  const where = 'proposal target options';
  if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) {
    throw new InputError(`${where}.batchSize`, `expected a positive integer, got ${opts.batchSize}`);
  }
  if (!(opts.fgFraction >= 0 && opts.fgFraction <= 1)) {
    throw new InputError(`${where}.fgFraction`, `expected a fraction in [0, 1], got ${opts.fgFraction}`);
  }
  if (!(opts.bgThresholdLo >= 0 && opts.bgThresholdLo <= opts.bgThresholdHi && opts.bgThresholdHi <= 1)) {
    throw new InputError(
      where,
      `need 0 <= bgThresholdLo (${opts.bgThresholdLo}) <= bgThresholdHi (${opts.bgThresholdHi}) <= 1`,
    );
  }
  if (opts.bgPartMinInside !== undefined && !(opts.bgPartMinInside >= 0 && opts.bgPartMinInside <= 1)) {
    throw new InputError(`${where}.bgPartMinInside`, `expected a fraction in [0, 1], got ${opts.bgPartMinInside}`);
  }
  if (!(opts.fgThreshold >= 0 && opts.fgThreshold <= 1)) {
    throw new InputError(`${where}.fgThreshold`, `expected an IoU in [0, 1], got ${opts.fgThreshold}`);
  }
  opts.bboxStds.forEach((s, i) => {
    if (!(s > 0) || !Number.isFinite(s)) throw new InputError(`${where}.bboxStds[${i}]`, `expected a positive number, got ${s}`);
  });
}

/** Largest fraction of box i of `boxes` inside any of `gt` (intersection / its own area; inclusive pixels as the IoU). */
function maxInside(boxes: Float32Array, i: number, gt: Float32Array): number {
  const [x1, y1, x2, y2] = [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]];
  const area = (x2 - x1 + 1) * (y2 - y1 + 1);
  let best = 0;
  for (let g = 0; g < gt.length; g += 4) {
    const w = Math.min(x2, gt[g + 2]) - Math.max(x1, gt[g]) + 1;
    const h = Math.min(y2, gt[g + 3]) - Math.max(y1, gt[g + 1]) + 1;
    if (w > 0 && h > 0) best = Math.max(best, (w * h) / area);
  }
  return best;
}

/**
 * Samples the detector's training RoIs for one image. `proposals` is P·4 (network pixels),
 * `gtBoxes` G·4 and `gtClasses` G labels in 1..K. The gt boxes are appended to the proposals
 * before matching, so every gt is a foreground candidate of itself.
 *
 * Foreground: max IoU ≥ fgThreshold; at most round(fgFraction·batchSize) drawn without
 * replacement. Background: max IoU in [bgThresholdLo, bgThresholdHi) (or below, for part
 * negatives, see bgPartMinInside); drawn to fill batchSize. R = numFg + numBg may fall short of batchSize (py-faster-rcnn does not pad).
 * Without gt boxes every candidate has IoU 0: background only when bgThresholdLo is 0.
 */
export function proposalTargets(
  proposals: Float32Array,
  gtBoxes: Float32Array,
  gtClasses: Int32Array,
  opts: ProposalTargetOptions,
  rng: Rng,
): ProposalTargets {
  validate(opts);
  const numProposals = boxCount(proposals, 'proposals');
  assertValidBoxes(gtBoxes, 'gtBoxes');
  const numGt = gtBoxes.length / 4;
  if (gtClasses.length !== numGt) {
    throw new InputError('gtClasses', `expected ${numGt} classes (one per gt box), got ${gtClasses.length}`);
  }
  gtClasses.forEach((c, i) => {
    if (c <= BACKGROUND_CLASS) throw new InputError(`gtClasses[${i}]`, `expected a foreground class >= 1, got ${c}`);
  });

  const numAll = numProposals + numGt;
  const all = new Float32Array(4 * numAll);
  all.set(proposals, 0);
  all.set(gtBoxes, 4 * numProposals);

  const overlaps = boxIouInto(all, gtBoxes, new Float64Array(numAll * numGt));
  const { argmax, max } = rowMax(overlaps, numAll, numGt);

  const fgCandidates: number[] = [];
  const bgCandidates: number[] = [];
  const partInside = opts.bgPartMinInside ?? 0;
  for (let i = 0; i < numAll; i++) {
    if (numGt > 0 && max[i] >= opts.fgThreshold) fgCandidates.push(i);
    else if (max[i] < opts.bgThresholdHi && (max[i] >= opts.bgThresholdLo || (partInside > 0 && maxInside(all, i, gtBoxes) >= partInside))) bgCandidates.push(i);
  }
  // np.round(FG_FRACTION * BATCH_SIZE): 32 of 128.
  const fgPerImage = roundHalfEven(opts.fgFraction * opts.batchSize);
  const fg = rng.choice(fgCandidates, Math.min(fgPerImage, fgCandidates.length));
  const bg = rng.choice(bgCandidates, Math.min(opts.batchSize - fg.length, bgCandidates.length));

  const r = fg.length + bg.length;
  const rois = new Float32Array(4 * r);
  const labels = new Int32Array(r); // background = 0 unless set below
  const matchedGt = new Int32Array(r).fill(-1);
  const sampledIndices = new Int32Array(r);
  const fgGt = new Float32Array(4 * fg.length);
  for (let k = 0; k < r; k++) {
    const i = k < fg.length ? fg[k] : bg[k - fg.length];
    sampledIndices[k] = i;
    rois.set(all.subarray(4 * i, 4 * i + 4), 4 * k);
    matchedGt[k] = argmax[i];
    if (k < fg.length) {
      labels[k] = gtClasses[argmax[i]];
      fgGt.set(gtBoxes.subarray(4 * argmax[i], 4 * argmax[i] + 4), 4 * k);
    }
  }
  const bboxTargets = new Float32Array(4 * r);
  bboxTargets.set(encodeBoxes(rois.subarray(0, 4 * fg.length), fgGt, weightsFromStds(opts.bboxStds)));
  return { rois, labels, bboxTargets, sampledIndices, matchedGt, numFg: fg.length, numBg: bg.length };
}
