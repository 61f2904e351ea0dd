/** RoI feature extraction: max pooling (Fast R-CNN) and RoIAlign, both differentiable w.r.t. the features. */
import type * as tf from '@tensorflow/tfjs-core';
import { roiAlign } from './roi-align.ts';
import { roiPool } from './roi-pool.ts';

export { roiAlign, roiAlignTaps, roiAlignForward, roiAlignBackward, type RoiAlignOptions } from './roi-align.ts';
export { roiPool, roiPoolForward, roiPoolBackward, type RoiPoolOptions } from './roi-pool.ts';

export type RoiOpKind = 'pool' | 'align';

/** Pools `rois` (4R image-pixel boxes) from `features` [1,H,W,C] into [R, size, size, C]. */
export function roiFeatures(
  kind: RoiOpKind,
  features: tf.Tensor4D,
  rois: Float32Array,
  size: number,
  spatialScale: number,
  samplingRatio: number,
): tf.Tensor4D {
  return kind === 'pool'
    ? roiPool(features, rois, { pooledHeight: size, pooledWidth: size, spatialScale })
    : roiAlign(features, rois, { pooledHeight: size, pooledWidth: size, spatialScale, samplingRatio });
}
