/**
 * The RPN proposal layer, as py-faster-rcnn `proposal_layer`: decode the RPN's deltas onto the
 * anchors, clip to the image, drop boxes smaller than minSize (in original-image pixels), rank
 * by foreground score, keep the top preNmsTopN, NMS, keep the top postNmsTopN.
 *
 * The paper's Table 2 ablations are options: `useNms: false` (top-N by score, no NMS),
 * `useScores: false` ("no cls": a random sample instead of a ranking), `useDeltas: false`
 * ("no reg": the anchors themselves are the proposals).
 */
import { decodeBoxes } from './box-coder.ts';
import { assertImageSize, boxCount, clipBoxes, gatherBoxes, gatherValues, nmsInOrder, removeSmallBoxes, sortByScoreDescending } from './ops/boxes.ts';
import { InputError } from '../util/errors.ts';
import type { Rng } from '../util/rng.ts';

export interface ProposalOptions {
  /** Boxes kept after ranking, before NMS; ≤ 0 keeps all (py-faster-rcnn). */
  preNmsTopN: number;
  /** Boxes kept after NMS; ≤ 0 keeps all. */
  postNmsTopN: number;
  /** A box is suppressed by a better one with IoU strictly above this. */
  nmsThreshold: number;
  /** Minimum width and height in original-image pixels (scaled by imScale). */
  minSize: number;
  /** false: skip NMS, keep the top postNmsTopN by score. */
  useNms: boolean;
  /** false ("no cls"): visit boxes in a random order (needs an rng) instead of by score. */
  useScores: boolean;
  /** false ("no reg"): use the anchors, clipped, instead of decoded boxes. */
  useDeltas: boolean;
}

/** py-faster-rcnn TRAIN.RPN_*: 12000 → NMS 0.7 → 2000, min size 16. */
export const TRAIN_PROPOSALS: Readonly<ProposalOptions> = Object.freeze({
  preNmsTopN: 12000,
  postNmsTopN: 2000,
  nmsThreshold: 0.7,
  minSize: 16,
  useNms: true,
  useScores: true,
  useDeltas: true,
});

/** py-faster-rcnn TEST.RPN_*: 6000 → NMS 0.7 → 300, min size 16. */
export const TEST_PROPOSALS: Readonly<ProposalOptions> = Object.freeze({
  preNmsTopN: 6000,
  postNmsTopN: 300,
  nmsThreshold: 0.7,
  minSize: 16,
  useNms: true,
  useScores: true,
  useDeltas: true,
});

export interface Proposals {
  /** P·4 proposals, clipped, in network pixels, best first (random order under useScores: false). */
  boxes: Float32Array;
  /** P foreground scores of those boxes. */
  scores: Float32Array;
  /** P indices of the anchor each proposal came from. */
  anchorIndices: Int32Array;
}

const limitOf = (topN: number): number => (topN > 0 ? topN : Infinity);

function validate(opts: ProposalOptions): void {
  const where = 'proposal options';
  for (const key of ['preNmsTopN', 'postNmsTopN'] as const) {
    if (!Number.isInteger(opts[key])) throw new InputError(`${where}.${key}`, `expected an integer, got ${opts[key]}`);
  }
  if (!(opts.nmsThreshold >= 0 && opts.nmsThreshold <= 1)) {
    throw new InputError(`${where}.nmsThreshold`, `expected an IoU in [0, 1], got ${opts.nmsThreshold}`);
  }
  if (!(opts.minSize >= 0) || !Number.isFinite(opts.minSize)) {
    throw new InputError(`${where}.minSize`, `expected a non-negative size, got ${opts.minSize}`);
  }
}

/**
 * Proposals for one image. `anchors` is N·4 (shiftAnchors order), `fgScores` N foreground
 * probabilities and `deltas` N·4 RPN deltas, all flattened (h, w, a) with a fastest.
 * imHeight × imWidth is the network input; imScale the resize factor from the original image.
 */
export function proposalLayer(
  anchors: Float32Array,
  fgScores: Float32Array,
  deltas: Float32Array,
  imHeight: number,
  imWidth: number,
  imScale: number,
  opts: ProposalOptions,
  rng?: Rng,
): Proposals {
  const n = boxCount(anchors, 'anchors');
  if (fgScores.length !== n) throw new InputError('fgScores', `expected ${n} scores (one per anchor), got ${fgScores.length}`);
  if (deltas.length !== 4 * n) throw new InputError('deltas', `expected ${4 * n} deltas (4 per anchor), got ${deltas.length}`);
  assertImageSize(imHeight, imWidth);
  if (!(imScale > 0) || !Number.isFinite(imScale)) throw new InputError('imScale', `expected a positive scale, got ${imScale}`);
  validate(opts);
  if (!opts.useScores && !rng) {
    // Anchor order would silently pick the image's top rows: refuse instead.
    throw new InputError('proposal options.useScores', 'false ("no cls") samples proposals at random and needs an rng');
  }

  const boxes = clipBoxes(opts.useDeltas ? decodeBoxes(anchors, deltas) : anchors.slice(), imHeight, imWidth);
  const keep = removeSmallBoxes(boxes, opts.minSize * imScale);

  let order: Int32Array;
  if (opts.useScores) {
    order = sortByScoreDescending(keep, fgScores, 'fgScores');
  } else {
    order = (rng as Rng).shuffle(keep);
  }
  order = order.subarray(0, Math.min(order.length, limitOf(opts.preNmsTopN)));

  const post = limitOf(opts.postNmsTopN);
  const chosen = opts.useNms
    ? nmsInOrder(boxes, order, opts.nmsThreshold, post)
    : order.slice(0, Math.min(order.length, post));
  return { boxes: gatherBoxes(boxes, chosen), scores: gatherValues(fgScores, chosen), anchorIndices: chosen };
}
