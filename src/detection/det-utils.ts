/**
 * Labelling helpers shared by the anchor and proposal target layers: named label values,
 * per-row and per-column maxima of an IoU matrix, and random subsampling of a label.
 * Imported as a namespace: `import * as detUtils from './det-utils.ts'`.
 */
import type { Rng } from '../util/rng.ts';

/** Anchor labels, as py-faster-rcnn `anchor_target_layer`: 1 foreground, 0 background, −1 ignored. */
export const AnchorLabel = {
  Foreground: 1,
  Background: 0,
  /** Not sampled: crosses the border, IoU between the thresholds, or subsampled away. */
  Ignore: -1,
} as const;
export type AnchorLabel = (typeof AnchorLabel)[keyof typeof AnchorLabel];

/** Class index of background RoIs in the detector; foreground classes are 1..K. */
export const BACKGROUND_CLASS = 0;

/** `np.round`: nearest integer, halves to even (np.round(11.5) = 12, np.round(12.5) = 12). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Per-row maximum of an N×M row-major matrix and the first column reaching it (np.argmax). */
export interface RowMax {
  /** Column of the maximum, lowest on ties; −1 when M = 0. */
  argmax: Int32Array;
  /** The maximum; 0 when M = 0 (no ground truth means no overlap). */
  max: Float64Array;
}

export function rowMax(matrix: ArrayLike<number>, n: number, m: number): RowMax {
  const argmax = new Int32Array(n).fill(-1);
  const max = new Float64Array(n);
  if (m === 0) return { argmax, max };
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let best = 0;
    let bestValue = matrix[row];
    for (let j = 1; j < m; j++) {
      if (matrix[row + j] > bestValue) {
        bestValue = matrix[row + j];
        best = j;
      }
    }
    argmax[i] = best;
    max[i] = bestValue;
  }
  return { argmax, max };
}

/** Per-column maximum of an N×M row-major matrix (−Infinity for a column when N = 0). */
export function columnMax(matrix: ArrayLike<number>, n: number, m: number): Float64Array {
  const max = new Float64Array(m).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) if (matrix[row + j] > max[j]) max[j] = matrix[row + j];
  }
  return max;
}

/** Indices i with labels[i] === value, ascending. */
export function indicesOf(labels: ArrayLike<number>, value: number): Int32Array {
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === value) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === value) out[k++] = i;
  return out;
}

/**
 * Keeps at most `maxCount` entries labelled `value`, chosen uniformly at random; the rest are
 * relabelled `disabledValue` (py-faster-rcnn: `labels[npr.choice(inds, len(inds) − max,
 * replace=False)] = −1`). Returns how many keep `value`.
 */
export function subsampleLabel(
  labels: Int8Array | Int32Array,
  value: number,
  maxCount: number,
  disabledValue: number,
  rng: Rng,
): number {
  const inds = indicesOf(labels, value);
  const excess = inds.length - Math.max(0, maxCount);
  if (excess <= 0) return inds.length;
  for (const i of rng.choice(inds, excess)) labels[i] = disabledValue;
  return inds.length - excess;
}
