/**
 * Box coding as py-faster-rcnn `bbox_transform` / `bbox_transform_inv`, +1 convention:
 * w = x2 − x1 + 1, centre = x1 + 0.5·w, and
 *   t = ((gx − px)/pw, (gy − py)/ph, log(gw/pw), log(gh/ph)) · weights.
 * Weights are the reciprocal of py-faster-rcnn's target stds: the detector's normalised targets
 * (stds 0.1, 0.1, 0.2, 0.2) use weights (10, 10, 5, 5); the RPN uses (1, 1, 1, 1).
 */
import { boxCount } from './ops/boxes.ts';
import { InputError } from '../util/errors.ts';

export type BoxWeights = readonly [number, number, number, number];

/** RPN targets are not normalised. */
export const UNIT_BOX_WEIGHTS: BoxWeights = [1, 1, 1, 1];

/**
 * Decoded dw, dh are clamped here so exp() cannot blow up on an untrained network: a box at
 * most 1000/16 times its reference. From Detectron (`BBOX_XFORM_CLIP`); py-faster-rcnn has none.
 */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

/** The weights equivalent to dividing targets by `stds` (means 0). */
export function weightsFromStds(stds: BoxWeights): BoxWeights {
  return [1 / stds[0], 1 / stds[1], 1 / stds[2], 1 / stds[3]];
}

/**
 * Regression targets of N boxes `gt` relative to N reference boxes `ref` (anchors or RoIs),
 * pairwise: row i encodes gt_i against ref_i. Returns N·4 (dx, dy, dw, dh), times `weights`.
 */
export function encodeBoxes(ref: Float32Array, gt: Float32Array, weights: BoxWeights = UNIT_BOX_WEIGHTS): Float32Array {
  const n = boxCount(ref, 'ref');
  if (gt.length !== ref.length) throw new InputError('gt', `expected ${n} boxes (one per reference), got ${gt.length / 4}`);
  const [wx, wy, ww, wh] = weights;
  const out = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const pw = ref[o + 2] - ref[o] + 1;
    const ph = ref[o + 3] - ref[o + 1] + 1;
    const px = ref[o] + 0.5 * pw;
    const py = ref[o + 1] + 0.5 * ph;
    const gw = gt[o + 2] - gt[o] + 1;
    const gh = gt[o + 3] - gt[o + 1] + 1;
    const gx = gt[o] + 0.5 * gw;
    const gy = gt[o + 1] + 0.5 * gh;
    out[o] = (wx * (gx - px)) / pw;
    out[o + 1] = (wy * (gy - py)) / ph;
    out[o + 2] = ww * Math.log(gw / pw);
    out[o + 3] = wh * Math.log(gh / ph);
  }
  return out;
}

/**
 * Applies deltas to N reference boxes. `deltas` is N·4K (K ≥ 1 sets per box, e.g. one per class
 * for the detector's class-specific regression); returns N·4K boxes in the same layout.
 * Deltas are divided by `weights`, dw and dh clamped at BBOX_XFORM_CLIP, then
 * x1 = cx − 0.5·w, x2 = cx + 0.5·w − 1 — the exact inverse of encodeBoxes. (This is Detectron's
 * form; the original py-faster-rcnn `bbox_transform_inv` omits the −1, making decoded boxes one
 * pixel wider than the encoded ones.) Boxes are not clipped: see `clipBoxes`.
 */
export function decodeBoxes(ref: Float32Array, deltas: Float32Array, weights: BoxWeights = UNIT_BOX_WEIGHTS): Float32Array {
  const n = boxCount(ref, 'ref');
  if (n === 0) {
    if (deltas.length !== 0) throw new InputError('deltas', `expected no deltas for 0 boxes, got ${deltas.length}`);
    return new Float32Array(0);
  }
  if (deltas.length % (4 * n) !== 0) {
    throw new InputError('deltas', `expected a multiple of ${4 * n} values (4 per box per set) for ${n} boxes, got ${deltas.length}`);
  }
  const k = deltas.length / (4 * n);
  const [wx, wy, ww, wh] = weights;
  const out = new Float32Array(deltas.length);
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    const pw = ref[o + 2] - ref[o] + 1;
    const ph = ref[o + 3] - ref[o + 1] + 1;
    const px = ref[o] + 0.5 * pw;
    const py = ref[o + 1] + 0.5 * ph;
    for (let c = 0; c < k; c++) {
      const d = 4 * (i * k + c);
      const cx = (deltas[d] / wx) * pw + px;
      const cy = (deltas[d + 1] / wy) * ph + py;
      const w = Math.exp(Math.min(deltas[d + 2] / ww, BBOX_XFORM_CLIP)) * pw;
      const h = Math.exp(Math.min(deltas[d + 3] / wh, BBOX_XFORM_CLIP)) * ph;
      out[d] = cx - 0.5 * w;
      out[d + 1] = cy - 0.5 * h;
      out[d + 2] = cx + 0.5 * w - 1;
      out[d + 3] = cy + 0.5 * h - 1;
    }
  }
  return out;
}
