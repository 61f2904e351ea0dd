/**
 * Anchors as py-faster-rcnn `generate_anchors.py`: a square base box [0, 0, base−1, base−1],
 * enumerated over aspect ratios (area kept, sides rounded half-to-even like `np.round`), then
 * over scales; and their copies shifted over a feature map.
 */
import { roundHalfEven } from './det-utils.ts';
import { InputError } from '../util/errors.ts';

/** The paper's anchor settings: 3 ratios × 3 scales on a 16-pixel base (128², 256², 512²). */
export const DEFAULT_ANCHOR_BASE_SIZE = 16;
export const DEFAULT_ANCHOR_RATIOS: readonly number[] = [0.5, 1, 2];
export const DEFAULT_ANCHOR_SCALES: readonly number[] = [8, 16, 32];

function assertPositive(values: readonly number[], what: string): void {
  if (values.length === 0) throw new InputError(what, 'expected at least one value');
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v <= 0) throw new InputError(`${what}[${i}]`, `expected a positive number, got ${v}`);
  });
}

/**
 * The A = ratios × scales base anchors (A·4, x1 y1 x2 y2), in py-faster-rcnn order: ratio-major,
 * scale fastest. With the defaults this is exactly
 * [-84,-40,99,55] [-176,-88,191,103] [-360,-184,375,199] [-56,-56,71,71] [-120,-120,135,135]
 * [-248,-248,263,263] [-36,-80,51,95] [-80,-168,95,183] [-168,-344,183,359].
 * Ratio r means height / width = r.
 */
export function generateAnchors(
  baseSize = DEFAULT_ANCHOR_BASE_SIZE,
  ratios: readonly number[] = DEFAULT_ANCHOR_RATIOS,
  scales: readonly number[] = DEFAULT_ANCHOR_SCALES,
): Float32Array {
  if (!Number.isFinite(baseSize) || baseSize <= 0) throw new InputError('baseSize', `expected a positive number, got ${baseSize}`);
  assertPositive(ratios, 'ratios');
  assertPositive(scales, 'scales');
  // _whctrs of the base anchor [0, 0, base−1, base−1]: w = h = base, centre (base−1)/2.
  const size = baseSize * baseSize;
  const ctr = 0.5 * (baseSize - 1);
  const out = new Float32Array(ratios.length * scales.length * 4);
  let o = 0;
  for (const ratio of ratios) {
    // _ratio_enum then _mkanchors; the ratio anchor keeps the centre, so _scale_enum's
    // _whctrs recovers exactly these ws, hs and the same centre.
    const ws = roundHalfEven(Math.sqrt(size / ratio));
    const hs = roundHalfEven(ws * ratio);
    for (const scale of scales) {
      const w = ws * scale;
      const h = hs * scale;
      out[o++] = ctr - 0.5 * (w - 1);
      out[o++] = ctr - 0.5 * (h - 1);
      out[o++] = ctr + 0.5 * (w - 1);
      out[o++] = ctr + 0.5 * (h - 1);
    }
  }
  return out;
}

/**
 * All anchors of a featHeight × featWidth map: base anchor a shifted by (x·stride, y·stride)
 * for cell (y, x). Returns (H·W·A)·4, flattened (h, w, a) with a fastest — the order of
 * py-faster-rcnn's `anchors.reshape(1, A, 4) + shifts.reshape(K, 1, 4)`, and the order RPN
 * scores and deltas must be flattened in to line up with it.
 */
export function shiftAnchors(base: Float32Array, featHeight: number, featWidth: number, stride: number): Float32Array {
  if (base.length % 4 !== 0) throw new InputError('base', `expected 4 numbers per anchor, got length ${base.length}`);
  for (const [name, v] of [['featHeight', featHeight], ['featWidth', featWidth]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new InputError(name, `expected a non-negative integer, got ${v}`);
  }
  if (!Number.isFinite(stride) || stride <= 0) throw new InputError('stride', `expected a positive number, got ${stride}`);
  const a = base.length / 4;
  const out = new Float32Array(featHeight * featWidth * a * 4);
  let o = 0;
  for (let y = 0; y < featHeight; y++) {
    const sy = y * stride;
    for (let x = 0; x < featWidth; x++) {
      const sx = x * stride;
      for (let k = 0; k < a; k++) {
        out[o++] = base[4 * k] + sx;
        out[o++] = base[4 * k + 1] + sy;
        out[o++] = base[4 * k + 2] + sx;
        out[o++] = base[4 * k + 3] + sy;
      }
    }
  }
  return out;
}
