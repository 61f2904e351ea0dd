/**
 * The addon's Winograd convolutions (native/src/winograd.cc: F(4×4, 3×3) forward and input
 * gradient, F(3×3, 4×4) filter gradient) for 3×3 stride-1 layers of ≥ 16 channels, and for
 * stride-2 layers of 4–6-tap kernels through the space-to-depth image (space-to-depth.cc): the
 * kernels against the cpu backend over paddings, odd sizes, batches and tile counts that split
 * over blocks and workers; the addon against its own im2col path; a hand-computed border case.
 * Skipped when the addon is not built, unless FRCNN_REQUIRE_NATIVE=1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../../src/backend/native/addon.ts';
import { assertKernelMatchesCpu, values } from './compare.ts';
import { dyShape, label, type ConvCase } from './conv-cases.ts';
import { nativeSkip as skip, nativeStatus as status, sendEveryOpToTheAddon } from './native-setup.ts';

const blas = (): NativeBlas => {
  assert.equal(status.kind, 'loaded');
  return (status as { blas: NativeBlas }).blas;
};
sendEveryOpToTheAddon();

// 3×3, stride 1, ≥ 16 channels each side: the geometries the addon sends to Winograd.
const CASES: ConvCase[] = [
  { x: [2, 11, 13, 16], k: [3, 3], co: 20, strides: 1, pad: 'same' }, // batch 2, partial tiles on both edges
  { x: [1, 10, 9, 17], k: [3, 3], co: 16, strides: 1, pad: 'valid' }, // padding 0, odd channel count
  { x: [1, 7, 9, 16], k: [3, 3], co: 16, strides: 1, pad: 2 }, // padding 2: output larger than the input
  { x: [1, 9, 8, 16], k: [3, 3], co: 18, strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] }, // uneven padding
  { x: [1, 41, 45, 24], k: [3, 3], co: 32, strides: 1, pad: 'same' }, // 120 tiles: several blocks, every worker
  { x: [1, 2, 3, 16], k: [3, 3], co: 16, strides: 1, pad: 'same' }, // smaller than one tile
  // Stride 2, kernels of 4–6 taps, ≥ 4 input channels: 3×3 Winograd on the space-to-depth image.
  { x: [1, 13, 15, 8], k: [5, 5], co: 16, strides: 2, pad: 2 }, // ZF's conv2 shape
  { x: [2, 12, 11, 6], k: [5, 5], co: 20, strides: 2, pad: 'same' },
  { x: [1, 16, 17, 5], k: [6, 6], co: 16, strides: 2, pad: 'valid' },
  { x: [1, 9, 10, 8], k: [4, 4], co: 16, strides: 2, pad: 1 },
  { x: [1, 14, 13, 8], k: [5, 4], co: 17, strides: 2, pad: [[0, 0], [3, 1], [0, 2], [0, 0]] },
];

for (const c of CASES) {
  const filterShape = [c.k[0], c.k[1], c.x[3], c.co];
  const conv = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
  test(`Winograd Conv2D and FusedConv2D (bias + relu) ${label(c)} match cpu`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2D', { x: { shape: c.x }, filter: { shape: filterShape } }, conv, label(c));
    await assertKernelMatchesCpu('FusedConv2D', { x: { shape: c.x }, filter: { shape: filterShape }, bias: { shape: [c.co] } }, { ...conv, activation: 'relu' }, label(c));
  });
  test(`Winograd Conv2DBackpropInput ${label(c)} matches cpu`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2DBackpropInput', { dy: { shape: dyShape(c) }, filter: { shape: filterShape } }, { ...conv, inputShape: c.x }, label(c));
  });
  test(`Winograd Conv2DBackpropFilter ${label(c)} matches cpu`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2DBackpropFilter', { x: { shape: c.x }, dy: { shape: dyShape(c) } }, { ...conv, filterShape }, label(c));
  });
}

/** [n,h,w,c,kh,kw,sh,sw,padTop,padLeft,outH,outW,cout] of a 3×3 stride-1 'same' conv. */
function same(n: number, h: number, w: number, c: number, cout: number): Int32Array {
  return Int32Array.of(n, h, w, c, 3, 3, 1, 1, 1, 1, h, w, cout);
}

type Pass = 'forward' | 'input' | 'filter';

function run(pass: Pass, g: Int32Array, winograd: boolean): Float32Array {
  const [n, h, w, c, kh, kw, , , , , oh, ow, k] = g;
  const x = values(n * h * w * c, 3);
  const f = values(kh * kw * c * k, 4);
  const dy = values(n * oh * ow * k, 5);
  const b = blas();
  const before = b.setWinograd(winograd);
  try {
    if (pass === 'forward') {
      const y = new Float32Array(n * oh * ow * k);
      b.convForward(g, x, f, y);
      return y;
    }
    if (pass === 'input') {
      const dx = new Float32Array(n * h * w * c);
      b.convInputGrad(g, dy, f, dx);
      return dx;
    }
    const dw = new Float32Array(kh * kw * c * k);
    b.convFilterGrad(g, x, dy, dw);
    return dw;
  } finally {
    b.setWinograd(before);
  }
}

function relativeError(got: Float32Array, want: Float32Array): number {
  let worst = 0;
  let scale = 1e-12;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return worst / scale;
}

for (const pass of ['forward', 'input', 'filter'] as const) {
  test(`Winograd ${pass} on a VGG-like layer (64 → 96 channels, several blocks of tiles) is within 2e-5 of im2col, and is a different computation`, { skip }, () => {
    const g = same(1, 37, 50, 64, 96);
    const fast = run(pass, g, true);
    const direct = run(pass, g, false);
    assert.ok(relativeError(fast, direct) < 2e-5, `relative error ${relativeError(fast, direct)}`);
    // Same bits would mean the switch did nothing (the transforms round differently from im2col).
    assert.ok(fast.some((v, i) => v !== direct[i]), 'the Winograd path was not taken');
  });
}

test('a ZF-conv2-like layer (5×5, stride 2, 24 → 40 channels) through space-to-depth is within 2e-5 of im2col, and is a different computation', { skip }, () => {
  const g = Int32Array.of(1, 41, 47, 24, 5, 5, 2, 2, 2, 2, 21, 24, 40);
  for (const pass of ['forward', 'input', 'filter'] as const) {
    const fast = run(pass, g, true);
    const direct = run(pass, g, false);
    assert.ok(relativeError(fast, direct) < 2e-5, `${pass}: relative error ${relativeError(fast, direct)}`);
    assert.ok(fast.some((v, i) => v !== direct[i]), `${pass}: the space-to-depth path was not taken`);
  }
});

test('below 16 channels the addon keeps im2col (Winograd on or off gives the same bits)', { skip }, () => {
  const g = same(1, 12, 10, 8, 16);
  for (const pass of ['forward', 'input', 'filter'] as const) assert.deepEqual(run(pass, g, true), run(pass, g, false), pass);
});

test('one worker and two give the same numbers (to rounding: the filter gradient sums tiles in another order)', { skip }, () => {
  const b = blas();
  const g = same(2, 29, 31, 32, 16);
  const threads = b.setThreads(2);
  const two = (['forward', 'input', 'filter'] as const).map((p) => run(p, g, true));
  b.setThreads(1);
  const one = (['forward', 'input', 'filter'] as const).map((p) => run(p, g, true));
  b.setThreads(threads);
  for (let i = 0; i < 3; i++) assert.ok(relativeError(one[i], two[i]) < 1e-6, `pass ${i}: ${relativeError(one[i], two[i])}`);
});

test('hand-computed: ones ∗ ones counts the taps inside the image (16 per tap and channel pair)', { skip }, () => {
  // 5×6 image, 16 → 16 channels, padding 1: corners see 4 taps, edges 6, the inside 9; × 16 input channels.
  const g = same(1, 5, 6, 16, 16);
  const x = new Float32Array(5 * 6 * 16).fill(1);
  const f = new Float32Array(9 * 16 * 16).fill(1);
  const y = new Float32Array(5 * 6 * 16);
  blas().convForward(g, x, f, y);
  for (let oy = 0; oy < 5; oy++)
    for (let ox = 0; ox < 6; ox++) {
      const rows = oy === 0 || oy === 4 ? 2 : 3;
      const cols = ox === 0 || ox === 5 ? 2 : 3;
      for (let k = 0; k < 16; k++) {
        const got = y[(oy * 6 + ox) * 16 + k];
        assert.ok(Math.abs(got - 16 * rows * cols) < 1e-3, `y[${oy}, ${ox}, ${k}] = ${got}, want ${16 * rows * cols}`);
      }
    }
  // Its filter gradient with dy = ones: dw[ky, kx] counts the output pixels whose tap (ky, kx) is inside.
  const dw = new Float32Array(9 * 16 * 16);
  blas().convFilterGrad(g, x, new Float32Array(5 * 6 * 16).fill(1), dw);
  for (let ky = 0; ky < 3; ky++)
    for (let kx = 0; kx < 3; kx++) {
      const want = (ky === 1 ? 5 : 4) * (kx === 1 ? 6 : 5);
      const got = dw[(ky * 3 + kx) * 256];
      assert.ok(Math.abs(got - want) < 1e-3, `dw[${ky}, ${kx}] = ${got}, want ${want}`);
    }
});

test('the Winograd kernels run inside a training-shaped gradient: conv → relu → sum, both gradients against cpu', { skip }, async () => {
  const grads = async (backend: 'wasm' | 'cpu') => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(values(1 * 14 * 15 * 16, 7), [1, 14, 15, 16]);
      const w = tf.tensor4d(values(9 * 16 * 24, 8), [3, 3, 16, 24]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 0.5)))([x, w]);
      return [gx.dataSync() as Float32Array, gw.dataSync() as Float32Array];
    });
  };
  const want = await grads('cpu');
  const got = await grads('wasm');
  await tf.setBackend('wasm');
  assert.ok(relativeError(got[0], want[0]) < 2e-5, `dx: ${relativeError(got[0], want[0])}`);
  assert.ok(relativeError(got[1], want[1]) < 2e-5, `dw: ${relativeError(got[1], want[1])}`);
});
