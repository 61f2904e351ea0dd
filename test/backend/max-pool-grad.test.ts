/**
 * Our wasm MaxPoolGrad, the JavaScript kernel and the native addon's: against cpu across window
 * sizes, strides and paddings, and on the case the package's kernel gets wrong (a window whose
 * values are all negative).
 */
import assert from 'node:assert/strict';
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.ts';
import { maxPoolGradConfig } from '../../src/backend/kernels/max-pool-grad.ts';
import { nativeBlas } from '../../src/backend/native/index.ts';
import { nativeMaxPoolGrad } from '../../src/backend/native/kernels.ts';
import { assertKernelMatchesCpu, values } from './compare.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

const blas = nativeBlas();
const IMPLS: Array<{ name: string; config: () => KernelConfig | undefined }> = [
  { name: 'wasm (JavaScript)', config: () => maxPoolGradConfig },
  { name: 'native', config: () => (blas ? nativeMaxPoolGrad(blas) : undefined) },
];

/** Runs `fn` with `config` as wasm's MaxPoolGrad, restoring the registered one after. */
async function withKernel(config: KernelConfig, fn: () => Promise<void>): Promise<void> {
  const previous = getKernel('MaxPoolGrad', 'wasm');
  if (previous) unregisterKernel('MaxPoolGrad', 'wasm');
  registerKernel(config);
  try {
    await fn();
  } finally {
    unregisterKernel('MaxPoolGrad', 'wasm');
    if (previous) registerKernel(previous);
  }
}

function pooled(shape: number[], k: number | [number, number], s: number | [number, number], pad: 'same' | 'valid' | number): number[] {
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const [sh, sw] = typeof s === 'number' ? [s, s] : s;
  const o = (n: number, kk: number, ss: number) => (pad === 'same' ? Math.ceil(n / ss) : pad === 'valid' ? Math.ceil((n - kk + 1) / ss) : Math.floor((n + 2 * pad - kk) / ss) + 1);
  return [shape[0], o(shape[1], kh, sh), o(shape[2], kw, sw), shape[3]];
}

const CASES: Array<{ x: number[]; k: number | [number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number }> = [
  { x: [2, 13, 11, 5], k: 3, s: 2, pad: 'same' }, // ZF pooling
  { x: [1, 12, 10, 6], k: 2, s: 2, pad: 'valid' }, // VGG pooling
  { x: [2, 13, 11, 4], k: 2, s: 2, pad: 'same' }, // VGG pooling on odd sizes (Caffe's ceil mode)
  { x: [1, 9, 7, 3], k: 2, s: 2, pad: 'valid' },
  { x: [1, 9, 9, 3], k: 3, s: 1, pad: 'same' },
  { x: [2, 10, 7, 4], k: [3, 2], s: [2, 1], pad: 'valid' },
  { x: [1, 8, 8, 7], k: 3, s: 2, pad: 1 },
  { x: [1, 46, 38, 40], k: 3, s: 2, pad: 1 }, // larger, channels not a multiple of the vector width
];

for (const impl of IMPLS) {
const skip = impl.config() ? false : 'native addon not built';
for (const c of CASES) {
  test(`MaxPoolGrad (${impl.name}) x=${c.x} k=${c.k} s=${c.s} pad=${c.pad} matches cpu`, { skip }, () => withKernel(impl.config()!, async () => {
    const x = { shape: c.x, values: values(c.x.reduce((a, b) => a * b), 21) };
    await tf.setBackend('cpu');
    const output = tf.maxPool(tf.tensor4d(x.values, c.x as [number, number, number, number]), c.k, c.s, c.pad);
    const outSpec = { shape: output.shape, values: output.dataSync() as Float32Array };
    assert.deepEqual(output.shape, pooled(c.x, c.k, c.s, c.pad));
    await assertKernelMatchesCpu(
      'MaxPoolGrad',
      { dy: { shape: output.shape }, input: x, output: outSpec },
      { filterSize: c.k, strides: c.s, pad: c.pad },
      `k=${c.k} s=${c.s} pad=${c.pad}`,
      1e-6,
    );
  }));
}

test(`MaxPoolGrad (${impl.name}) routes the gradient of an all-negative window to its maximum (hand-computed)`, { skip }, () => withKernel(impl.config()!, async () => {
  await tf.setBackend('wasm');
  // 2×2 windows, stride 2: maxima at (0,1)=0.7, (0,3)=-0.1, (3,0)=-0.2 and (2,3)=-0.3.
  const x = tf.tensor4d([-0.5, 0.7, -0.4, -0.1, -0.9, -0.8, -0.6, -0.7, -0.3, -0.6, -0.5, -0.3, -0.2, -0.4, -0.8, -0.9], [1, 4, 4, 1]);
  const y = tf.maxPool(x, 2, 2, 'valid');
  assert.deepEqual(Array.from(y.dataSync()).map((v) => +v.toFixed(4)), [0.7, -0.1, -0.2, -0.3]);
  const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
  assert.deepEqual(Array.from(dx.dataSync()), [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0]);
}));
}

test('MaxPoolGrad: the native kernel, split over threads by input rows, gives the serial JavaScript kernel\'s bits (overlapping 3×3/2 windows, ties)', { skip: IMPLS[1].config() ? false : 'native addon not built' }, async () => {
  await tf.setBackend('wasm');
  const shape: [number, number, number, number] = [2, 67, 41, 24];
  // Values on a coarse grid, so windows hold ties that straddle the row ranges.
  const xv = values(shape.reduce((a, b) => a * b), 5).map((v) => Math.round(v * 4) / 4);
  const run = async (config: KernelConfig) => {
    let out: Float32Array = new Float32Array(0);
    await withKernel(config, async () => {
      const x = tf.tensor4d(xv, shape);
      const y = tf.maxPool(x, 3, 2, 1);
      const dy = tf.tensor4d(values(y.size, 9), y.shape);
      const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 3, strides: 2, pad: 1 }) as tf.Tensor;
      out = dx.dataSync() as Float32Array;
      tf.dispose([x, y, dy, dx]);
    });
    return out;
  };
  const serial = await run(IMPLS[0].config()!);
  const native = await run(IMPLS[1].config()!);
  assert.equal(serial.length, shape.reduce((a, b) => a * b));
  assert.ok(serial.some((v) => v !== 0));
  assert.deepEqual(native, serial);
});
