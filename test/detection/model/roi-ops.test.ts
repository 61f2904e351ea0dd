import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerGradients } from '../../../src/detection/tf-gradients.ts';
import { roiAlign, roiPool, roiPoolBackward, roiPoolForward } from '../../../src/detection/roi-ops/index.ts';
import { Rng } from '../../../src/util/rng.ts';
import { inForm, NATIVE_FORMS as FORMS } from '../../utils/native-forms.ts';

await registerGradients();
await tf.setBackend('cpu');

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('RoI max pooling: hand-computed 2×2 pooling of a 4×4 ramp', () => {
  const f = tf.tensor4d(Float32Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
  const out = roiPool(f, Float32Array.of(0, 0, 3, 3), { pooledHeight: 2, pooledWidth: 2, spatialScale: 1 });
  assert.deepEqual(out.shape, [1, 2, 2, 1]);
  assert.deepEqual(Array.from(out.dataSync()), [5, 7, 13, 15]);
  // Stride-2 map: image box [2,2,7,7] → feature coords round(1)..round(3.5)=4 → clipped to the 4×4 map.
  const out2 = roiPool(f, Float32Array.of(2, 2, 7, 7), { pooledHeight: 1, pooledWidth: 1, spatialScale: 0.5 });
  assert.deepEqual(Array.from(out2.dataSync()), [15]);
  // A RoI entirely outside the map gives empty bins → 0.
  const out3 = roiPool(f, Float32Array.of(40, 40, 50, 50), { pooledHeight: 1, pooledWidth: 1, spatialScale: 1 });
  assert.deepEqual(Array.from(out3.dataSync()), [0]);
});

/** Direct per-bin max pooling, written independently of the implementation (py-faster-rcnn formulas). */
function directRoiPool(feat: Float32Array, H: number, W: number, C: number, roi: number[], P: number, scale: number): number[] {
  const r = roi.map((v) => Math.sign(v) * Math.round(Math.abs(v) * scale));
  const rh = Math.max(r[3] - r[1] + 1, 1);
  const rw = Math.max(r[2] - r[0] + 1, 1);
  const out: number[] = [];
  for (let py = 0; py < P; py++)
    for (let px = 0; px < P; px++)
      for (let c = 0; c < C; c++) {
        const clampH = (v: number) => Math.min(Math.max(v + r[1], 0), H);
        const clampW = (v: number) => Math.min(Math.max(v + r[0], 0), W);
        const hs = clampH(Math.floor((py * rh) / P));
        const he = clampH(Math.ceil(((py + 1) * rh) / P));
        const ws = clampW(Math.floor((px * rw) / P));
        const we = clampW(Math.ceil(((px + 1) * rw) / P));
        let m = he <= hs || we <= ws ? 0 : -Infinity;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) m = Math.max(m, feat[(h * W + w) * C + c]);
        out.push(m);
      }
  return out;
}

/** Bilinear sample of channel c at (y, x), torchvision's border rules, computed directly. */
function bilinear(feat: Float32Array, H: number, W: number, C: number, c: number, y: number, x: number): number {
  if (y < -1 || y > H || x < -1 || x > W) return 0;
  y = Math.min(Math.max(y, 0), H - 1);
  x = Math.min(Math.max(x, 0), W - 1);
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const y1 = Math.min(y0 + 1, H - 1);
  const x1 = Math.min(x0 + 1, W - 1);
  const ly = y - y0;
  const lx = x - x0;
  const at = (h: number, w: number) => feat[(h * W + w) * C + c];
  return (1 - ly) * (1 - lx) * at(y0, x0) + (1 - ly) * lx * at(y0, x1) + ly * (1 - lx) * at(y1, x0) + ly * lx * at(y1, x1);
}

function directRoiAlign(feat: Float32Array, H: number, W: number, C: number, roi: number[], P: number, scale: number, S: number): number[] {
  const [x1, y1, x2, y2] = roi.map((v) => v * scale);
  const bw = Math.max(x2 - x1, 1) / P;
  const bh = Math.max(y2 - y1, 1) / P;
  const out: number[] = [];
  for (let py = 0; py < P; py++)
    for (let px = 0; px < P; px++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let iy = 0; iy < S; iy++)
          for (let ix = 0; ix < S; ix++)
            s += bilinear(feat, H, W, C, c, y1 + py * bh + ((iy + 0.5) * bh) / S, x1 + px * bw + ((ix + 0.5) * bw) / S);
        out.push(s / (S * S));
      }
  return out;
}

function randomCase(seed: number) {
  const rng = new Rng(seed);
  const H = 9;
  const W = 11;
  const C = 3;
  const feat = Float32Array.from({ length: H * W * C }, () => rng.normal());
  const rois: number[] = [];
  for (let i = 0; i < 6; i++) {
    const x1 = rng.uniform(-10, 80);
    const y1 = rng.uniform(-10, 60);
    rois.push(x1, y1, x1 + rng.uniform(0, 60), y1 + rng.uniform(0, 50));
  }
  return { rng, H, W, C, feat, rois: Float32Array.from(rois) };
}

for (const form of FORMS) {
test(`RoI max pooling and RoIAlign match a direct per-bin computation (${form.name})`, { skip: form.skip }, inForm(form.on, () => {
  const { H, W, C, feat, rois } = randomCase(3);
  const f = tf.tensor4d(feat, [1, H, W, C]);
  const pooled = roiPool(f, rois, { pooledHeight: 3, pooledWidth: 3, spatialScale: 1 / 8 }).dataSync();
  const aligned = roiAlign(f, rois, { pooledHeight: 3, pooledWidth: 3, spatialScale: 1 / 8, samplingRatio: 2 }).dataSync();
  for (let r = 0; r < rois.length / 4; r++) {
    const roi = Array.from(rois.subarray(4 * r, 4 * r + 4));
    const n = 9 * C;
    close(pooled.subarray(r * n, (r + 1) * n), directRoiPool(feat, H, W, C, roi, 3, 1 / 8), 1e-6, `pool roi ${r}`);
    close(aligned.subarray(r * n, (r + 1) * n), directRoiAlign(feat, H, W, C, roi, 3, 1 / 8, 2), 1e-5, `align roi ${r}`);
  }
}));

test(`RoIAlign of a linear ramp equals the ramp at the bin centres (hand values, ${form.name})`, { skip: form.skip }, inForm(form.on, () => {
  // f(y, x) = 2y + x is reproduced exactly by bilinear interpolation inside the map.
  const H = 6;
  const W = 6;
  const f = tf.tensor4d(Float32Array.from({ length: H * W }, (_, i) => 2 * Math.floor(i / W) + (i % W)), [1, H, W, 1]);
  // RoI [1,1,3,3] at scale 1, 2×2 bins of size 1: centres at (1.5,1.5) (1.5,2.5) (2.5,1.5) (2.5,2.5).
  const out = roiAlign(f, Float32Array.of(1, 1, 3, 3), { pooledHeight: 2, pooledWidth: 2, spatialScale: 1, samplingRatio: 2 });
  close(out.dataSync(), [4.5, 5.5, 6.5, 7.5], 1e-6, 'ramp');
}));
}

/** Finite-difference check of d/dfeat sum(op(feat) * g) against the custom gradient. */
function checkGradient(op: (f: tf.Tensor4D) => tf.Tensor4D, H: number, W: number, C: number, feat: Float32Array, rng: Rng) {
  const outShape = op(tf.tensor4d(feat, [1, H, W, C])).shape;
  const g = tf.tensor(Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => rng.normal()), outShape);
  const loss = (f: tf.Tensor4D) => tf.sum(tf.mul(op(f), g)) as tf.Scalar;
  const analytic = tf.grad((f: tf.Tensor) => loss(f as tf.Tensor4D))(tf.tensor4d(feat, [1, H, W, C])).dataSync();
  const eps = 1e-2;
  for (let i = 0; i < feat.length; i++) {
    const plus = Float32Array.from(feat);
    const minus = Float32Array.from(feat);
    plus[i] += eps;
    minus[i] -= eps;
    const numeric = (loss(tf.tensor4d(plus, [1, H, W, C])).dataSync()[0] - loss(tf.tensor4d(minus, [1, H, W, C])).dataSync()[0]) / (2 * eps);
    assert.ok(Math.abs(numeric - analytic[i]) < 2e-3 * Math.max(1, Math.abs(numeric)), `grad[${i}]: analytic ${analytic[i]} numeric ${numeric}`);
  }
}

for (const form of FORMS) {
  test(`RoIAlign gradient w.r.t. the features matches finite differences (${form.name})`, { skip: form.skip }, inForm(form.on, () => {
    const { rng, H, W, C, feat, rois } = randomCase(5);
    checkGradient((f) => roiAlign(f, rois, { pooledHeight: 2, pooledWidth: 2, spatialScale: 1 / 8, samplingRatio: 2 }), H, W, C, feat, rng);
  }));
}

for (const form of FORMS) {
test(`RoI max pooling gradient w.r.t. the features matches finite differences (${form.name})`, { skip: form.skip }, inForm(form.on, () => {
  // Distinct, well-separated values so ±eps never changes an argmax.
  const { rng, H, W, C, rois } = randomCase(7);
  const order = rng.shuffle(Array.from({ length: H * W * C }, (_, i) => i));
  const feat = Float32Array.from(order, (v) => v * 0.1);
  checkGradient((f) => roiPool(f, rois, { pooledHeight: 2, pooledWidth: 2, spatialScale: 1 / 8 }), H, W, C, feat, rng);
  // Every output cell routes its gradient to exactly one input (or none for an empty bin).
  const { argmax } = roiPoolForward(feat, H, W, C, rois, { pooledHeight: 2, pooledWidth: 2, spatialScale: 1 / 8 });
  assert.ok(argmax.every((j) => j >= -1 && j < feat.length));
}));
}

test('RoI max pooling: the native loops give the JavaScript ones\' values and argmax exactly (ties, NaN, empty and malformed RoIs, half-pixel corners)', { skip: FORMS[0].skip }, () => {
  const rng = new Rng(11);
  const [H, W, C] = [9, 13, 37];
  // Few distinct values, so bins hold ties (the first maximum in scan order wins), and some NaN.
  const feat = Float32Array.from({ length: H * W * C }, () => (rng.uniform(0, 1) < 0.03 ? Number.NaN : Math.floor(rng.uniform(0, 4))));
  const nanBin = (4 * W + 6) * C;
  for (let c = 0; c < C; c++) feat[nanBin + c] = Number.NaN; // a 1×1 bin of only NaN
  const rois: number[] = [6 * 8, 4 * 8, 6 * 8, 4 * 8, 200, 200, 300, 300, 40, 40, 10, 10, 3.9999, 4, 60.5, 36.5, -20, -12, 12, 20];
  for (let r = 0; r < 40; r++) {
    const x1 = rng.uniform(-16, 100);
    const y1 = rng.uniform(-16, 70);
    rois.push(x1, y1, x1 + rng.uniform(0, 90), y1 + rng.uniform(0, 60));
  }
  const opts = { pooledHeight: 3, pooledWidth: 4, spatialScale: 1 / 8 };
  const js = inForm(false, () => roiPoolForward(feat, H, W, C, Float32Array.from(rois), opts))();
  const native = inForm(true, () => roiPoolForward(feat, H, W, C, Float32Array.from(rois), opts))();
  assert.deepEqual(Array.from(native.argmax), Array.from(js.argmax));
  assert.deepEqual(Array.from(native.values), Array.from(js.values)); // deepEqual treats NaN as equal to NaN
  assert.ok(Number.isNaN(native.values[(0 * 12) * C]), 'the NaN-only bin is NaN');
  const dy = Float32Array.from({ length: js.values.length }, () => rng.normal());
  const jsDx = inForm(false, () => roiPoolBackward(dy, js.argmax, H * W * C))();
  const nativeDx = inForm(true, () => roiPoolBackward(dy, js.argmax, H * W * C))();
  assert.deepEqual(Array.from(nativeDx), Array.from(jsDx));
});
