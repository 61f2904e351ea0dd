/**
 * The native BLAS kernels (src/backend/native) against the cpu backend: conv forward (plain,
 * with bias, with bias + ReLU), filter and input gradients over every geometry of the wasm
 * kernel tests, unbatched products with each transpose, and a large layer split into im2col
 * blocks. Run with the size threshold at 0 so every op goes to the addon. Skipped when the
 * addon is not built, unless FRCNN_REQUIRE_NATIVE=1 (CI sets it: a build that silently fell
 * back would otherwise pass unseen).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { backendInfo } from '../../src/backend/index.ts';
import { nativeKernelsRegistered } from '../../src/backend/native/index.ts';
import { isNativeKernel } from '../../src/backend/native/kernels.ts';
import { dense } from '../../src/detection/layers.ts';
import { assertKernelMatchesCpu, values } from './compare.ts';
import { CONV_CASES, dyShape, label } from './conv-cases.ts';
import { nativeSkip as skip, nativeStatus as status, sendEveryOpToTheAddon } from './native-setup.ts';

sendEveryOpToTheAddon();

test('the addon is loaded and reported by the backend', { skip }, () => {
  assert.equal(status.kind, 'loaded', status.kind === 'absent' ? status.reason : '');
  assert.equal(backendInfo().nativeBlas, 'openblas');
  assert.ok(nativeKernelsRegistered());
  // Idle OpenBLAS threads sleep almost at once instead of spinning (set before the addon loads, unless the user set it).
  assert.ok(process.env.OPENBLAS_THREAD_TIMEOUT !== undefined);
  for (const name of ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad']) assert.ok(isNativeKernel(tf.getKernel(name, 'wasm')), name);
});

for (const c of CONV_CASES) {
  const filterShape = [c.k[0], c.k[1], c.x[3], c.co];
  const conv = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: c.dimRoundingMode };
  test(`native Conv2D ${label(c)}`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2D', { x: { shape: c.x }, filter: { shape: filterShape } }, conv, label(c));
  });
  test(`native FusedConv2D bias + relu ${label(c)}`, { skip }, async () => {
    await assertKernelMatchesCpu('FusedConv2D', { x: { shape: c.x }, filter: { shape: filterShape }, bias: { shape: [c.co] } }, { ...conv, activation: 'relu' }, label(c));
  });
  test(`native Conv2DBackpropFilter ${label(c)}`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2DBackpropFilter', { x: { shape: c.x }, dy: { shape: dyShape(c) } }, { ...conv, filterShape }, label(c));
  });
  test(`native Conv2DBackpropInput ${label(c)}`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2DBackpropInput', { dy: { shape: dyShape(c) }, filter: { shape: filterShape } }, { ...conv, inputShape: c.x }, label(c));
  });
}

// Few input channels, filters a multiple of 8, windows of ≤ 36 taps: the direct AVX2 kernel
// (direct-conv.cc) on its padded copy of the image: odd widths (a last single pixel), 32 + 8
// filter blocks, strides, asymmetric and explicit padding, one channel, a batch.
const DIRECT_CASES: Array<{ x: [number, number, number, number]; k: [number, number]; co: number; strides: number | [number, number]; pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]] }> = [
  { x: [2, 9, 11, 3], k: [3, 3], co: 16, strides: 1, pad: 'same' },
  { x: [1, 10, 13, 3], k: [3, 3], co: 40, strides: 1, pad: 'valid' },
  { x: [1, 11, 9, 3], k: [3, 3], co: 8, strides: 2, pad: 'same' },
  { x: [1, 9, 8, 1], k: [3, 5], co: 24, strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 12, 10, 4], k: [3, 3], co: 64, strides: 1, pad: 2 },
];
for (const c of DIRECT_CASES) {
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
  const name = `x=${c.x} k=${c.k} co=${c.co} s=${c.strides} pad=${JSON.stringify(c.pad)}`;
  test(`native direct conv (few channels) ${name}: Conv2D and FusedConv2D bias + relu match cpu`, { skip }, async () => {
    await assertKernelMatchesCpu('Conv2D', { x: { shape: c.x }, filter: { shape: [c.k[0], c.k[1], c.x[3], c.co] } }, attrs, name);
    await assertKernelMatchesCpu('FusedConv2D', { x: { shape: c.x }, filter: { shape: [c.k[0], c.k[1], c.x[3], c.co] }, bias: { shape: [c.co] } }, { ...attrs, activation: 'relu' }, name);
  });
}

test('native FusedConv2D bias + relu on a map large enough for the epilogue to split over threads', { skip }, async () => {
  await assertKernelMatchesCpu('FusedConv2D', { x: { shape: [1, 90, 100, 3] }, filter: { shape: [3, 3, 3, 16] }, bias: { shape: [16] } }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' }, 'large relu');
});

test('native FusedConv2D with bias, no activation', { skip }, async () => {
  await assertKernelMatchesCpu('FusedConv2D', { x: { shape: [1, 7, 6, 4] }, filter: { shape: [3, 3, 4, 5] }, bias: { shape: [5] } }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'linear' }, 'linear');
});

test('native kernels fall back for dilations and other activations (same numbers as cpu)', { skip }, async () => {
  await assertKernelMatchesCpu('Conv2D', { x: { shape: [1, 9, 9, 3] }, filter: { shape: [3, 3, 3, 4] } }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 2 }, 'dilated');
  await assertKernelMatchesCpu('FusedConv2D', { x: { shape: [1, 7, 6, 4] }, filter: { shape: [3, 3, 4, 5] }, bias: { shape: [5] } }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'elu' }, 'elu');
});

// Larger than one im2col block (~4 MB of columns): several blocks, the filter gradient summed over them.
test('native conv kernels over many im2col blocks', { skip }, async () => {
  const c = { x: [2, 70, 90, 32] as [number, number, number, number], k: [3, 3] as [number, number], co: 16, strides: 1, pad: 'same' as const };
  const filterShape = [3, 3, 32, 16];
  const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
  await assertKernelMatchesCpu('Conv2D', { x: { shape: c.x }, filter: { shape: filterShape } }, conv, 'blocks fwd', 1e-5);
  await assertKernelMatchesCpu('Conv2DBackpropFilter', { x: { shape: c.x }, dy: { shape: dyShape(c) } }, { ...conv, filterShape }, 'blocks filter', 1e-5);
  await assertKernelMatchesCpu('Conv2DBackpropInput', { dy: { shape: dyShape(c) }, filter: { shape: filterShape } }, { ...conv, inputShape: c.x }, 'blocks input', 1e-5);
});

for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
  test(`native BatchMatMul transposeA=${transposeA} transposeB=${transposeB}`, { skip }, async () => {
    const [m, k, n] = [37, 53, 29];
    await assertKernelMatchesCpu('BatchMatMul', { a: { shape: transposeA ? [1, k, m] : [1, m, k] }, b: { shape: transposeB ? [1, n, k] : [1, k, n] } }, { transposeA, transposeB }, `matmul ${transposeA} ${transposeB}`);
  });
  // Short and wide (gemm.cc splits the columns over the threads; 2085 = not a multiple of the 16-column slices).
  test(`native BatchMatMul short and wide, columns split over threads: transposeA=${transposeA} transposeB=${transposeB}`, { skip }, async () => {
    const [m, k, n] = [19, 41, 2085];
    await assertKernelMatchesCpu('BatchMatMul', { a: { shape: transposeA ? [1, k, m] : [1, m, k] }, b: { shape: transposeB ? [1, n, k] : [1, k, n] } }, { transposeA, transposeB }, `wide matmul ${transposeA} ${transposeB}`);
  });
}

test('native BatchMatMul leaves batched products to the wasm kernel (same numbers as cpu)', { skip }, async () => {
  await assertKernelMatchesCpu('BatchMatMul', { a: { shape: [3, 8, 5] }, b: { shape: [3, 5, 4] } }, { transposeA: false, transposeB: false }, 'batched');
});

for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true]] as const) {
  for (const activation of ['relu', 'linear'] as const) {
    test(`native _FusedMatMul (inference fc layers) bias + ${activation}, transposeA=${transposeA} transposeB=${transposeB}`, { skip }, async () => {
      // Rank 3, as tf.fused.matMul hands them to the kernel.
      const a = { shape: transposeA ? [1, 40, 13] : [1, 13, 40] };
      const b = { shape: transposeB ? [1, 24, 40] : [1, 40, 24] };
      await assertKernelMatchesCpu('_FusedMatMul', { a, b, bias: { shape: [24] } }, { transposeA, transposeB, activation }, `${activation} ${transposeA} ${transposeB}`);
    });
  }
}

test('native _FusedMatMul without a bias, and the stock kernel for other activations (same numbers as cpu)', { skip }, async () => {
  await assertKernelMatchesCpu('_FusedMatMul', { a: { shape: [1, 13, 40] }, b: { shape: [1, 40, 24] } }, { transposeA: false, transposeB: false, activation: 'relu' }, 'no bias');
  await assertKernelMatchesCpu('_FusedMatMul', { a: { shape: [1, 13, 40] }, b: { shape: [1, 40, 24] }, bias: { shape: [24] } }, { transposeA: false, transposeB: false, activation: 'relu6' }, 'relu6');
});

test('dense in training on the addon (plain product, transposed operands in SGEMM) equals matMul on cpu, value and gradients', { skip }, async () => {
  const run = async (backend: 'wasm' | 'cpu', op: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => {
    await tf.setBackend(backend);
    const outs = tf.tidy(() => {
      const x = tf.tensor2d(values(6 * 96, 11), [6, 96]);
      const w = tf.tensor2d(values(96 * 8, 12), [96, 8]);
      const g = tf.tensor2d(values(6 * 8, 13), [6, 8]);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor2D, b as tf.Tensor2D), g)))([x, w]);
      return [op(x, w), dx, dw];
    });
    const vals = outs.map((t) => t.dataSync().slice());
    tf.dispose(outs);
    return vals;
  };
  const want = await run('cpu', (a, b) => tf.matMul(a, b));
  const got = await run('wasm', (a, b) => dense(a, b, { training: true }));
  await tf.setBackend('wasm');
  for (let i = 0; i < 3; i++) for (let j = 0; j < want[i].length; j++) assert.ok(Math.abs(got[i][j] - want[i][j]) < 1e-4, `output ${i}[${j}]: ${got[i][j]} vs ${want[i][j]}`);
});

test('a training-shaped chain on the addon: gradients of conv → relu → dense equal cpu', { skip }, async () => {
  const run = async (backend: 'wasm' | 'cpu') => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(values(2 * 12 * 10 * 6, 3), [2, 12, 10, 6]);
      const w = tf.tensor4d(values(3 * 3 * 6 * 8, 4), [3, 3, 6, 8]);
      const b = tf.tensor1d(values(8, 5));
      const d = tf.tensor2d(values(8 * 6 * 5 * 4, 6), [8 * 6 * 5, 4]);
      const f = (xx: tf.Tensor4D, ww: tf.Tensor4D, dd: tf.Tensor2D) => {
        const y = tf.relu(tf.fused.conv2d({ x: xx, filter: ww, bias: b, strides: 2, pad: 'same' }));
        return tf.sum(tf.square(tf.matMul(tf.reshape(y, [2, -1]), dd)));
      };
      const grads = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([x, w, d]);
      return grads.map((g) => g.dataSync().slice());
    });
  };
  const want = await run('cpu');
  const got = await run('wasm');
  await tf.setBackend('wasm');
  for (let i = 0; i < want.length; i++) {
    let scale = 1e-6;
    for (const v of want[i]) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < want[i].length; j++) assert.ok(Math.abs(got[i][j] - want[i][j]) <= 5e-5 * scale, `grad ${i}[${j}]: ${got[i][j]} vs ${want[i][j]}`);
  }
});
