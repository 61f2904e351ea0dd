/**
 * Fully connected layer with a gradient written for the wasm backend: its BatchMatMul takes
 * the fast XNNPACK path only without transpose flags, and tfjs's MatMul gradient uses both
 * flags (measured on fc6, 128×12544 · 12544×256: 1.2–1.7 GFLOP/s with flags, 10–17 GFLOP/s
 * after an explicit transpose). Same values as `tf.matMul`; any backend.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Weights above this many elements (64 MB) always take the plain product: XNNPACK's conv
 * keeps a transposed and a packed copy of its filter, too much beside VGG16's fc6 (411 MB).
 */
const BIG_WEIGHT = 16e6;

/**
 * x·w as XNNPACK's 1×1 conv instead of its fully-connected op, on wasm when the reduction is
 * long against the output (in ≥ 4·out): measured 2 threads, 128×12544·12544×256 32 vs 61 ms,
 * ·12544×2048 329 vs 461, ·25088×4096 1447 vs 1873; but ·9216×4096 686 vs 562, ·4096×4096
 * 298 vs 240.
 */
function forwardAsConv(x: tf.Tensor2D, w: tf.Tensor2D): boolean {
  return tf.getBackend() === 'wasm' && w.shape[0] >= 4 * w.shape[1] && w.size <= BIG_WEIGHT;
}

/** x [N, in] · w [in, out] → [N, out], differentiable w.r.t. both. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    // Saved, not captured: the caller's tidy may dispose its intermediates before backprop.
    save([a, b]);
    const [n, k] = a.shape;
    const m = b.shape[1];
    const value = forwardAsConv(a, b)
      ? tf.tidy(() => tf.reshape(tf.conv2d(tf.reshape(a, [1, 1, n, k]) as tf.Tensor4D, tf.reshape(b, [1, 1, k, m]) as tf.Tensor4D, 1, 'valid'), [n, m]) as tf.Tensor2D)
      : (tf.matMul(a, b) as tf.Tensor2D);
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      // dx = dy·wᵀ computed as (w·dyᵀ)ᵀ: XNNPACK streams its right operand once per few rows
      // of the left, so the big weight belongs on the left (fc6 of the small bench, 17 vs 36 ms
      // with a transposed copy; ZF's 170 vs 869 ms), and no transposed copy of w is made.
      const dx = tf.transpose(tf.matMul(sb, tf.transpose(dy)));
      return [dx, tf.matMul(tf.transpose(sa), dy)];
    };
    return { value, gradFunc };
  });
  return op(x, w) as tf.Tensor2D;
}
