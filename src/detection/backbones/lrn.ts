/**
 * Caffe's LRN with norm_region WITHIN_CHANNEL (ZF's norm1 and norm2):
 *   y = x · s^−β,  s = 1 + (α/n²)·Σ_{n×n window} x²
 * with zeros outside the image and the window's sum always divided by n² (Caffe's AVE pooling
 * counts the padding). Gradient, with the window symmetric so the box sum is its own adjoint:
 *   dx = dy · s^−β − (2αβ/n²) · x · Σ_{n×n window} (dy · x · s^−β−1)
 *
 * Written out as one differentiable op: tfjs's autodiff of the composition saved six
 * image-sized tensors per layer and went through wasm's AvgPoolGrad (1.4 s of a 7 s ZF step)
 * and Pow (0.16 s per call); this saves only x, box-sums with pad + AvgPool both ways, and
 * takes s^−0.75 as rsqrt(s)·sqrt(rsqrt(s)) (0.05 s).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LRN_WITHIN_CHANNEL, LRN_WITHIN_CHANNEL_GRAD } from '../../backend/native/kernels.ts';

export interface LrnParams {
  /** Window side n (odd). */
  size: number;
  alpha: number;
  beta: number;
}

/** Σ over the n×n window (zeros outside) divided by n²: the window mean as Caffe computes it. */
function windowMean(t: tf.Tensor4D, size: number): tf.Tensor4D {
  const r = size >> 1;
  return tf.avgPool(
    tf.pad(t, [
      [0, 0],
      [r, r],
      [r, r],
      [0, 0],
    ]),
    size,
    1,
    'valid',
  );
}

/** s^−β, with β = 0.75 (ZF's) and 0.5 from square roots. */
function negPow(s: tf.Tensor4D, beta: number): tf.Tensor4D {
  if (beta === 0.5) return tf.rsqrt(s);
  if (beta === 0.75) {
    const r = tf.rsqrt(s);
    return tf.mul(r, tf.sqrt(r));
  }
  return tf.pow(s, -beta);
}

/** s = 1 + α·mean(x²) and s^−β. */
function scaleOf(x: tf.Tensor4D, p: LrnParams): { s: tf.Tensor4D; ps: tf.Tensor4D } {
  const s = tf.add(tf.mul(windowMean(tf.square(x), p.size), p.alpha), 1) as tf.Tensor4D;
  return { s, ps: negPow(s, p.beta) };
}

/** LRN within channel on NHWC `x`, differentiable w.r.t. `x`. */
export function lrnWithinChannel(x: tf.Tensor4D, p: LrnParams): tf.Tensor4D {
  return tf.getKernel(LRN_WITHIN_CHANNEL, tf.getBackend()) ? lrnByKernel(x, p) : lrnByOps(x, p);
}

/**
 * Where a backend has the op as a kernel (wasm with the native addon: one pass each way over
 * the map instead of ~15 element-wise kernels, 0.5 s of a ZF step).
 */
function lrnByKernel(x: tf.Tensor4D, p: LrnParams): tf.Tensor4D {
  const attrs = { size: p.size, alpha: p.alpha, beta: p.beta };
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = inputs as [tf.Tensor4D, tf.GradSaveFunc];
    save([input]);
    const value = tf.engine().runKernel(LRN_WITHIN_CHANNEL, { x: input }, attrs) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) => tf.engine().runKernel(LRN_WITHIN_CHANNEL_GRAD, { x: saved[0], dy }, attrs) as tf.Tensor4D;
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

/** The op from tf ops, with its gradient written out (any backend). */
export function lrnByOps(x: tf.Tensor4D, p: LrnParams): tf.Tensor4D {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = inputs as [tf.Tensor4D, tf.GradSaveFunc];
    save([input]);
    const value = tf.tidy(() => tf.mul(input, scaleOf(input, p).ps) as tf.Tensor4D);
    const gradFunc = (dy: tf.Tensor4D, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const xs = saved[0] as tf.Tensor4D;
        // Recomputed rather than saved: two element-wise passes beat keeping 2 × 57 MB per ZF layer.
        const { s, ps } = scaleOf(xs, p);
        const t = tf.div(tf.mul(tf.mul(dy, xs), ps), s) as tf.Tensor4D;
        // (2αβ/n²)·boxsum = 2αβ·mean
        return tf.sub(tf.mul(dy, ps), tf.mul(tf.mul(xs, windowMean(t, p.size)), 2 * p.alpha * p.beta));
      });
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

/** The same function left to tfjs's autodiff (the tests' reference). */
export function lrnComposed(x: tf.Tensor4D, p: LrnParams): tf.Tensor4D {
  return tf.tidy(() => tf.mul(x, tf.pow(tf.add(tf.mul(windowMean(tf.square(x), p.size), p.alpha), 1), -p.beta)));
}
