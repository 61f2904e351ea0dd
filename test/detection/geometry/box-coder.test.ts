import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BBOX_XFORM_CLIP, decodeBoxes, encodeBoxes, weightsFromStds } from '../../../src/detection/box-coder.ts';
import { Rng } from '../../../src/util/rng.ts';

const f32 = (...v: number[]): Float32Array => Float32Array.from(v);
const approx = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('encode: hand-computed targets with w = x2 − x1 + 1 and centre x1 + w/2', () => {
  // ref [0,0,9,9]: w = h = 10, centre (5, 5). gt [5,5,24,14]: w 20, h 10, centre (15, 10).
  const ref = f32(0, 0, 9, 9, 10, 20, 10, 20);
  const gt = f32(5, 5, 24, 14, 10, 20, 10, 20);
  approx(encodeBoxes(ref, gt), [1, 0.5, Math.LN2, 0, 0, 0, 0, 0]);
  // Detector normalisation: divided by stds (0.1, 0.1, 0.2, 0.2).
  approx(encodeBoxes(ref, gt, weightsFromStds([0.1, 0.1, 0.2, 0.2])), [10, 5, 5 * Math.LN2, 0, 0, 0, 0, 0]);
});

test('decode inverts encode exactly (x2 = cx + w/2 − 1), with and without weights', () => {
  const rng = new Rng(11);
  const n = 200;
  const ref = new Float32Array(4 * n);
  const gt = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x = rng.uniform(0, 500);
    const y = rng.uniform(0, 500);
    ref.set([x, y, x + rng.uniform(20, 200), y + rng.uniform(20, 200)], 4 * i); // ratios stay under the clamp
    gt.set([x + rng.uniform(-50, 50), y + rng.uniform(-50, 50), x + rng.uniform(60, 300), y + rng.uniform(60, 300)], 4 * i);
  }
  approx(decodeBoxes(ref, encodeBoxes(ref, gt)), gt, 1e-3);
  const w = weightsFromStds([0.1, 0.1, 0.2, 0.2]);
  approx(decodeBoxes(ref, encodeBoxes(ref, gt, w), w), gt, 1e-3);
  // Zero deltas give back the reference box.
  approx(decodeBoxes(f32(0, 0, 9, 9), new Float32Array(4)), [0, 0, 9, 9]);
});

test('decode clamps dw and dh at log(1000/16)', () => {
  assert.equal(BBOX_XFORM_CLIP, Math.log(62.5));
  // ref [0,0,9,9], centre 5: w = 62.5 · 10 = 625 → x1 = 5 − 312.5, x2 = 5 + 312.5 − 1.
  const out = decodeBoxes(f32(0, 0, 9, 9), f32(0, 0, 10, 100));
  approx(out, [-307.5, -307.5, 316.5, 316.5]);
  // Below the clamp nothing changes; large negative deltas are not clamped (boxes shrink).
  approx(decodeBoxes(f32(0, 0, 9, 9), f32(0, 0, Math.log(2), -Math.log(2))), [-5, 2.5, 14, 6.5]);
});

test('decode takes K delta sets per box (class-specific) in an N·4K layout', () => {
  const ref = f32(0, 0, 9, 9, 100, 100, 119, 109);
  const deltas = f32(0, 0, 0, 0, 1, 0.5, Math.LN2, 0, 0, 0, 0, 0, -0.5, 0, 0, 0);
  approx(decodeBoxes(ref, deltas), [0, 0, 9, 9, 5, 5, 24, 14, 100, 100, 119, 109, 90, 100, 109, 109]);
  assert.throws(() => decodeBoxes(ref, new Float32Array(12)), /deltas/);
  assert.throws(() => encodeBoxes(ref, f32(0, 0, 1, 1)), /gt/);
  assert.equal(decodeBoxes(new Float32Array(0), new Float32Array(0)).length, 0);
});
