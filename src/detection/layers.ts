/**
 * Fully connected layer with a gradient written for the wasm backend: its BatchMatMul takes
 * the fast XNNPACK path only without transpose flags, and tfjs's MatMul gradient uses both
 * flags (measured on fc6, 128×12544 · 12544×256: 1.2–1.7 GFLOP/s with flags, 10–17 GFLOP/s
 * after an explicit transpose). Same values as `tf.matMul`; any backend.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Weights above this many elements (64 MB) are never copied transposed. */
const BIG_WEIGHT = 16e6;

/** x [N, in] · w [in, out] → [N, out], differentiable w.r.t. both. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    // Saved, not captured: the caller's tidy may dispose its intermediates before backprop.
    save([a, b]);
    const value = tf.matMul(a, b) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      // dx = dy·wᵀ. For big weights (VGG16 fc6: 411 MB) a transposed copy of w would not fit
      // the wasm heap next to its gradient and momentum: compute (w·dyᵀ)ᵀ instead.
      const dx = sb.size > BIG_WEIGHT ? tf.transpose(tf.matMul(sb, tf.transpose(dy))) : tf.matMul(dy, tf.transpose(sb));
      return [dx, tf.matMul(tf.transpose(sa), dy)];
    };
    return { value, gradFunc };
  });
  return op(x, w) as tf.Tensor2D;
}
