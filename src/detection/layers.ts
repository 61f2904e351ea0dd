/**
 * Fully connected layer with a gradient written for the wasm backend: its BatchMatMul takes
 * the fast XNNPACK path only without transpose flags, and tfjs's MatMul gradient uses both
 * flags (measured on fc6, 128×12544 · 12544×256: 1.2–1.7 GFLOP/s with flags, 10–17 GFLOP/s
 * after an explicit transpose). Same values as `tf.matMul`; any backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsRegistered } from '../backend/native/index.ts';

/**
 * How the forward product x·w runs on wasm in training, where w changes every step and
 * XNNPACK must repack it each time: its fully-connected op packs w [in, out] with strided
 * reads (45 ms for the small bench's 12544×256, though the product itself takes 16), and then
 * streams all of it once per few rows of x.
 * - 'transposed': x·w = (wᵀ·xᵀ)ᵀ, w the left operand, which XNNPACK reads as is; costs one
 *   transpose of w instead of the packing. Pays for VGG16's fc6 (25088×4096): region-wise
 *   forward 786 vs 1017 ms in the bench's training step; not for ZF's 9216×4096 (860 vs 739).
 * - 'conv': a 1×1 conv, whose filter is transposed then packed row by row, when the reduction
 *   is long against the output: 128×12544·12544×256 32 vs 61 ms.
 * - 'plain' otherwise, and always in inference, where the packed weights stay cached, and
 *   whenever wasm's products run on the native addon (SGEMM reads either layout as it is).
 */
type ForwardForm = 'plain' | 'transposed' | 'conv';

/** Weights above this many elements (200 MB: VGG16's fc6) take the transposed form. */
let hugeWeight = 50e6;

/** Sets the transposed form's threshold (exported for tests); returns the previous one. */
export function setHugeWeightThreshold(elements: number): number {
  const previous = hugeWeight;
  hugeWeight = elements;
  return previous;
}

/** Weights above this many elements stay off the conv form, which keeps two copies of its filter. */
const LARGE_WEIGHT = 8e6;

function forwardForm(w: tf.Tensor2D, training: boolean): ForwardForm {
  if (!training || tf.getBackend() !== 'wasm' || nativeKernelsRegistered()) return 'plain';
  if (w.size > hugeWeight) return 'transposed';
  return w.shape[0] >= 4 * w.shape[1] && w.size <= LARGE_WEIGHT ? 'conv' : 'plain';
}

function forward(a: tf.Tensor2D, b: tf.Tensor2D, form: ForwardForm): tf.Tensor2D {
  const [n, k] = a.shape;
  const m = b.shape[1];
  switch (form) {
    case 'plain':
      return tf.matMul(a, b);
    case 'transposed':
      return tf.tidy(() => tf.transpose(tf.matMul(tf.transpose(b), tf.transpose(a))) as tf.Tensor2D);
    case 'conv':
      return tf.tidy(() => tf.reshape(tf.conv2d(tf.reshape(a, [1, 1, n, k]) as tf.Tensor4D, tf.reshape(b, [1, 1, k, m]) as tf.Tensor4D, 1, 'valid'), [n, m]) as tf.Tensor2D);
  }
}

/**
 * x [N, in] · w [in, out] → [N, out], differentiable w.r.t. both. `training`: w changes
 * between calls (picks the forward form on wasm; the values are the same either way).
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, opts: { training?: boolean } = {}): tf.Tensor2D {
  const form = forwardForm(w, opts.training ?? false);
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    // Saved, not captured: the caller's tidy may dispose its intermediates before backprop.
    save([a, b]);
    const value = forward(a, b, form);
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      if (tf.getBackend() === 'wasm' && nativeKernelsRegistered()) return [tf.matMul(dy, sb, false, true), tf.matMul(sa, dy, true, false)];
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
