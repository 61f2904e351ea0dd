/**
 * RoI max pooling (Fast R-CNN, py-faster-rcnn `roi_pooling_layer`), differentiable with respect
 * to the feature map. The forward pass runs as plain loops over the feature map's data (NHWC,
 * channels innermost, so the inner loop is contiguous); the gradient routes `dy` to the argmax
 * position of each output cell. RoI coordinates are constants: Faster R-CNN does not
 * backpropagate into the proposals (approximate joint training).
 */
import * as tf from '@tensorflow/tfjs-core';
import { hostValues, tensorFilledBy } from '../../backend/host-memory.ts';
import { nativeBlas } from '../../backend/native/addon.ts';
import { recordingGradients } from '../tf-scope.ts';
import { FrcnnError } from '../../util/errors.ts';

export interface RoiPoolOptions {
  /** Output cells per side (7 for VGG16, 6 for ZF). */
  pooledHeight: number;
  pooledWidth: number;
  /** Feature-map pixels per image pixel: 1 / stride (1/16 for VGG16). */
  spatialScale: number;
}

/** C's `round` (half away from zero), as Caffe uses for RoI coordinates. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** The output values and, for each of them, the flat feature index (h*W + w)*C + c it came from (-1 for empty bins). */
export interface RoiPoolForward {
  values: Float32Array;
  argmax: Int32Array;
}

/**
 * Forward pass on raw arrays. `features`: one image's map, H×W×C (NHWC without the batch);
 * `rois`: 4R image-pixel boxes x1 y1 x2 y2. Returns R×PH×PW×C values.
 */
export function roiPoolForward(
  features: Float32Array,
  height: number,
  width: number,
  channels: number,
  rois: Float32Array,
  opts: RoiPoolOptions,
): RoiPoolForward {
  const values = new Float32Array((rois.length / 4) * opts.pooledHeight * opts.pooledWidth * channels);
  const argmax = new Int32Array(values.length);
  roiPoolInto({ features, height, width, channels }, rois, opts, values, argmax);
  return { values, argmax };
}

/** One image's feature map, H×W×C. */
interface FeatureMap {
  features: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** `roiPoolForward` into given arrays (`values` R×PH×PW×C); `argmax` only where a gradient needs it. */
function roiPoolInto(map: FeatureMap, rois: Float32Array, opts: RoiPoolOptions, values: Float32Array, argmaxOut: Int32Array | undefined): void {
  const { features, height, width, channels } = map;
  const { pooledHeight: ph, pooledWidth: pw, spatialScale } = opts;
  const numRois = rois.length / 4;
  const blas = nativeBlas();
  if (blas) {
    blas.roiPool(Int32Array.of(height, width, channels, numRois, ph, pw), spatialScale, features, rois, values, argmaxOut ?? null);
    return;
  }
  const argmax = argmaxOut ?? new Int32Array(values.length);
  argmax.fill(-1);
  values.fill(0);
  for (let r = 0; r < numRois; r++) {
    const startW = roundHalfAway(rois[4 * r] * spatialScale);
    const startH = roundHalfAway(rois[4 * r + 1] * spatialScale);
    const endW = roundHalfAway(rois[4 * r + 2] * spatialScale);
    const endH = roundHalfAway(rois[4 * r + 3] * spatialScale);
    // Malformed RoIs are forced to 1×1 (as Caffe does).
    const roiH = Math.max(endH - startH + 1, 1);
    const roiW = Math.max(endW - startW + 1, 1);
    const binH = roiH / ph;
    const binW = roiW / pw;
    for (let py = 0; py < ph; py++) {
      const hs = Math.min(Math.max(Math.floor(py * binH) + startH, 0), height);
      const he = Math.min(Math.max(Math.ceil((py + 1) * binH) + startH, 0), height);
      for (let px = 0; px < pw; px++) {
        const ws = Math.min(Math.max(Math.floor(px * binW) + startW, 0), width);
        const we = Math.min(Math.max(Math.ceil((px + 1) * binW) + startW, 0), width);
        const out = ((r * ph + py) * pw + px) * channels;
        // Empty bins (RoI outside the map) output 0 with no argmax.
        if (he <= hs || we <= ws) continue;
        for (let c = 0; c < channels; c++) values[out + c] = -Infinity;
        for (let h = hs; h < he; h++) {
          for (let w = ws; w < we; w++) {
            const base = (h * width + w) * channels;
            for (let c = 0; c < channels; c++) {
              const v = features[base + c];
              // Strict ">" keeps the first maximum in scan order, like Caffe.
              if (v > values[out + c]) {
                values[out + c] = v;
                argmax[out + c] = base + c;
              }
            }
          }
        }
        // A NaN-only bin would leave -Infinity; surface it as NaN so the loss check catches it.
        for (let c = 0; c < channels; c++) if (argmax[out + c] < 0) values[out + c] = Number.NaN;
      }
    }
  }
}

/** Gradient of `roiPoolForward` w.r.t. the features: scatter-add `dy` to the argmax positions. */
export function roiPoolBackward(dy: Float32Array, argmax: Int32Array, featureSize: number): Float32Array {
  const dx = new Float32Array(featureSize);
  roiPoolBackwardInto(dy, argmax, dx);
  return dx;
}

/** `roiPoolBackward` into `dx` (overwritten). */
function roiPoolBackwardInto(dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const blas = nativeBlas();
  if (blas) {
    blas.roiPoolGrad(dy, argmax, dx);
    return;
  }
  dx.fill(0);
  for (let i = 0; i < dy.length; i++) {
    const j = argmax[i];
    if (j >= 0) dx[j] += dy[i];
  }
}

/**
 * RoI max pooling as a tfjs op. `features`: [1, H, W, C]; `rois`: 4R image-pixel boxes.
 * Returns [R, PH, PW, C]; the gradient flows to `features` only.
 */
export function roiPool(features: tf.Tensor4D, rois: Float32Array, opts: RoiPoolOptions): tf.Tensor4D {
  const [n, height, width, channels] = features.shape;
  if (n !== 1) throw new FrcnnError(`roiPool: expected a batch of 1 feature map, got ${n}`);
  if (rois.length % 4 !== 0) throw new FrcnnError(`roiPool: rois length ${rois.length} is not a multiple of 4`);
  const numRois = rois.length / 4;
  // Outputs written into the backend's storage (views of inputs taken after each allocation);
  // the argmax indices only under a gradient tape (inference needs none: 7.5 MB for ZF's 300 RoIs).
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = inputs[0] as tf.Tensor4D;
    const shape = [numRois, opts.pooledHeight, opts.pooledWidth, channels];
    const argmax = recordingGradients() ? new Int32Array(tf.util.sizeFromShape(shape)) : undefined;
    const value = tensorFilledBy(shape, (values) => roiPoolInto({ features: hostValues(x), height, width, channels }, rois, opts, values, argmax)) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor4D) => {
      if (!argmax) throw new FrcnnError('roiPool: no gradient (the forward pass ran outside a gradient tape)');
      return tensorFilledBy([1, height, width, channels], (dx) => roiPoolBackwardInto(hostValues(dy), argmax, dx)) as tf.Tensor4D;
    };
    return { value, gradFunc };
  });
  return op(features) as tf.Tensor4D;
}
