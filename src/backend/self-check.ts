/**
 * A start-up check that the active backend computes a convolution and a matrix product
 * correctly, against plain JavaScript loops. It exists for the threaded wasm build, whose
 * failure modes (a worker that never ran, a pool partitioned wrongly) give wrong numbers
 * rather than exceptions. Sizes are chosen so XNNPACK splits the work across threads;
 * about 5 M multiply-adds, a few milliseconds.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic values in [-1, 1) (no dependency on the seeded RNG's stream). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function conv2dSame(x: Float32Array, [n, h, w, ci]: number[], f: Float32Array, [kh, kw, , co]: number[]): Float32Array {
  const out = new Float32Array(n * h * w * co);
  const top = (kh - 1) >> 1;
  const left = (kw - 1) >> 1;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x0 = 0; x0 < w; x0++)
        for (let i = 0; i < kh; i++) {
          const yy = y + i - top;
          if (yy < 0 || yy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = x0 + j - left;
            if (xx < 0 || xx >= w) continue;
            const xo = ((b * h + yy) * w + xx) * ci;
            const fo = (i * kw + j) * ci * co;
            const oo = ((b * h + y) * w + x0) * co;
            for (let c = 0; c < ci; c++) {
              const xv = x[xo + c];
              for (let o = 0; o < co; o++) out[oo + o] += xv * f[fo + c * co + o];
            }
          }
        }
  return out;
}

function maxRelativeError(got: Float32Array | Int32Array | Uint8Array, want: Float32Array): number {
  let scale = 1e-6;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
  return Number.isNaN(err) || got.length !== want.length ? Infinity : err / scale;
}

/** Values of the tensor `f` makes, every tensor disposed. (Not returned through tidy, which walks a returned typed array element by element.) */
function read(f: () => tf.Tensor): Float32Array {
  let out: Float32Array | undefined;
  tf.tidy(() => {
    out = f().dataSync() as Float32Array;
  });
  return out!;
}

/** Returns a description of the first mismatch, or undefined when the backend agrees with the reference. */
export function selfCheck(tolerance = 1e-4): string | undefined {
  const xShape = [2, 24, 24, 16];
  const fShape = [3, 3, 16, 24];
  const x = values(xShape.reduce((a, b) => a * b), 1);
  const f = values(fShape.reduce((a, b) => a * b), 2);
  const convGot = read(() => tf.conv2d(tf.tensor4d(x, xShape as [number, number, number, number]), tf.tensor4d(f, fShape as [number, number, number, number]), 1, 'same'));
  const convErr = maxRelativeError(convGot, conv2dSame(x, xShape, f, fShape));
  if (!(convErr <= tolerance)) return `conv2d ${xShape}×${fShape} differs from the reference (max relative error ${convErr})`;

  const [m, k, n] = [64, 96, 80];
  const a = values(m * k, 3);
  const b = values(k * n, 4);
  const want = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) want[i * n + j] += a[i * k + p] * b[p * n + j];
  const mmGot = read(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  const mmErr = maxRelativeError(mmGot, want);
  if (!(mmErr <= tolerance)) return `matMul ${m}×${k}×${n} differs from the reference (max relative error ${mmErr})`;
  return undefined;
}
