/**
 * ZF's within-channel LRN (wasm, cpu): the op with its written-out gradient against a direct
 * computation of Caffe's definition and against the plain composition, and its gradient
 * against the composition's autodiff and finite differences.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/index.ts';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { lrnByOps, lrnComposed, lrnWithinChannel, type LrnParams } from '../../../src/detection/backbones/lrn.ts';
import { Rng } from '../../../src/util/rng.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
  await registerGradients();
});

const SHAPE: [number, number, number, number] = [2, 5, 6, 3];
// α large enough that the normalisation changes values visibly at this input scale.
const CASES: LrnParams[] = [
  { size: 3, alpha: 0.5, beta: 0.75 },
  { size: 5, alpha: 0.3, beta: 0.6 },
];

function input(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: SHAPE.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2));
}

/** Caffe's definition, element by element: window over zero padding, divided by n² always. */
function direct(x: Float32Array, p: LrnParams): Float32Array {
  const [n, h, w, c] = SHAPE;
  const r = p.size >> 1;
  const at = (b: number, y: number, xx: number, ch: number) => (y < 0 || y >= h || xx < 0 || xx >= w ? 0 : x[((b * h + y) * w + xx) * c + ch]);
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) s += at(b, y + dy, xx + dx, ch) ** 2;
          const i = ((b * h + y) * w + xx) * c + ch;
          out[i] = x[i] * Math.pow(1 + (p.alpha * s) / (p.size * p.size), -p.beta);
        }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// On wasm with the native addon lrnWithinChannel runs its kernel; lrnByOps is the tf-ops form.
const IMPLS = [
  { backend: 'wasm', name: 'wasm', lrn: lrnWithinChannel },
  { backend: 'wasm', name: 'wasm, tf ops', lrn: lrnByOps },
  { backend: 'cpu', name: 'cpu', lrn: lrnWithinChannel },
] as const;

for (const { backend, name, lrn } of IMPLS) {
  for (const p of CASES) {
    test(`LRN forward = Caffe's definition = the op composition (${name}, n=${p.size}, β=${p.beta})`, async () => {
      await tf.setBackend(backend);
      const xs = input(1);
      const x = tf.tensor4d(xs, SHAPE);
      const want = direct(xs, p);
      const op = lrn(x, p).dataSync();
      const composed = lrnComposed(x, p).dataSync();
      assert.ok(maxDiff(want, xs) > 0.1, 'the normalisation is visible at this scale');
      assert.ok(maxDiff(op, want) < 1e-5, `op vs direct: ${maxDiff(op, want)}`);
      assert.ok(maxDiff(composed, want) < 1e-5, `composed vs direct: ${maxDiff(composed, want)}`);
      tf.dispose(x);
      await tf.setBackend('wasm');
    });

    test(`LRN gradient = the composition's autodiff = finite differences (${name}, n=${p.size}, β=${p.beta})`, async () => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(input(2), SHAPE);
      const weights = tf.tensor4d(input(3), SHAPE);
      const loss = (f: (t: tf.Tensor4D) => tf.Tensor4D) => (t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor4D), weights));
      const op = tf.grad(loss((t) => lrn(t, p)))(x).dataSync();
      const composed = tf.grad(loss((t) => lrnComposed(t, p)))(x).dataSync();
      assert.ok(maxDiff(op, composed) < 1e-4, `op vs composed: ${maxDiff(op, composed)}`);
      // Central differences in float64 on the direct definition, at a few elements (borders included).
      const xs = input(2);
      const ws = input(3);
      const f64 = (v: Float32Array) => direct(v, p).reduce((s, y, i) => s + y * ws[i], 0);
      for (const i of [0, 7, 50, 101, xs.length - 1]) {
        const h = 1e-2;
        const up = xs.slice();
        up[i] += h;
        const down = xs.slice();
        down[i] -= h;
        const numeric = (f64(up) - f64(down)) / (2 * h);
        assert.ok(Math.abs(numeric - op[i]) < 2e-3 * Math.max(1, Math.abs(numeric)), `element ${i}: analytic ${op[i]} vs numeric ${numeric}`);
      }
      tf.dispose([x, weights]);
      await tf.setBackend('wasm');
    });
  }
}

test('LRN on a map tall enough to be split over threads (wasm; the addon\'s kernel when built) = the composition, value and gradient', async () => {
  await tf.setBackend('wasm');
  const shape: [number, number, number, number] = [2, 29, 11, 5];
  const rng = new Rng(4);
  const values = () => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2));
  const x = tf.tensor4d(values(), shape);
  const weights = tf.tensor4d(values(), shape);
  for (const p of CASES) {
    assert.ok(maxDiff(lrnWithinChannel(x, p).dataSync(), lrnComposed(x, p).dataSync()) < 1e-5, 'forward');
    const loss = (f: (t: tf.Tensor4D) => tf.Tensor4D) => (t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor4D), weights));
    const op = tf.grad(loss((t) => lrnWithinChannel(t, p)))(x).dataSync();
    const composed = tf.grad(loss((t) => lrnComposed(t, p)))(x).dataSync();
    assert.ok(maxDiff(op, composed) < 1e-4, `gradient: ${maxDiff(op, composed)}`);
  }
  tf.dispose([x, weights]);
});
