/**
 * The detector's loss terms (py-faster-rcnn's SoftmaxWithLoss and SmoothL1Loss). Sampled
 * elements and class selections come in as constant masks and weights rather than gathered
 * indices: tfjs has no gradient for GatherNd, and masks keep the whole loss elementwise.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Smooth L1 with σ (Girshick's Fast R-CNN; σ = 3 for the RPN, 1 for the head):
 * 0.5 σ² x² where |x| < 1/σ², else |x| − 0.5/σ². Elementwise.
 * Written as 0.5 σ² m² + (|x| − m) with m = min(|x|, 1/σ²), which needs no comparison op
 * on the gradient path.
 */
export function smoothL1(x: tf.Tensor, sigma: number): tf.Tensor {
  return tf.tidy(() => {
    const s2 = sigma * sigma;
    const a = tf.abs(x);
    const m = tf.minimum(a, 1 / s2);
    return tf.add(tf.mul(tf.square(m), 0.5 * s2), tf.sub(a, m));
  });
}

/**
 * Binary log loss of two-class softmax scores given as the logit difference d = fg − bg
 * (softmax over {bg, fg} equals sigmoid(d)). `labels`: 1 fg, 0 bg; `weights`: per-element
 * weight (0 for ignored elements). Returns Σ w · (−log p_label).
 */
export function binaryLogLoss(logitDiff: tf.Tensor1D, labels: Float32Array, weights: Float32Array): tf.Scalar {
  return tf.tidy(() => {
    // −log σ(d) = softplus(−d); −log(1−σ(d)) = softplus(d). Sign per element: y=1 → −d.
    const sign = tf.tensor1d(labels.map((l) => (l > 0 ? -1 : 1)));
    return tf.sum(tf.mul(tf.softplus(tf.mul(logitDiff, sign)), tf.tensor1d(weights))) as tf.Scalar;
  });
}

/** Mean softmax cross-entropy of `logits` [N, K] against integer `labels` (0..K−1). */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const [n, k] = logits.shape;
    const oneHot = new Float32Array(n * k);
    for (let i = 0; i < n; i++) oneHot[i * k + labels[i]] = 1;
    const logp = tf.logSoftmax(logits);
    return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(oneHot, [n, k])))), Math.max(n, 1)) as tf.Scalar;
  });
}

/**
 * Σ inside · smoothL1(pred − target, σ), the caller divides by its normaliser.
 * `target` and `inside` have `pred`'s size; `inside` selects the coordinates that count.
 */
export function weightedSmoothL1(pred: tf.Tensor, target: Float32Array, inside: Float32Array, sigma: number): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.tensor(target, pred.shape);
    const w = tf.tensor(inside, pred.shape);
    return tf.sum(tf.mul(smoothL1(tf.mul(tf.sub(pred, t), w), sigma), w)) as tf.Scalar;
  });
}
