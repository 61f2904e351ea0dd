/**
 * The addon called from two JavaScript threads at once, as two data-parallel replicas do (each
 * on its own worker thread): every call's scratch memory (im2col blocks, Winograd's transformed
 * tiles and filters, the LRN gradient's intermediates) must be its thread's own. Each worker
 * repeats its convolutions on its own inputs and compares with the answers computed here alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { NATIVE_ADDON_PATH, type NativeBlas } from '../../src/backend/native/addon.ts';
import { values } from './compare.ts';
import { nativeSkip as skip, nativeStatus as status } from './native-setup.ts';

// im2col (7×7, stride 2, 3 channels: ZF's conv1), space-to-depth (5×5, stride 2) and Winograd (3×3, stride 1), each big enough for several blocks.
const GEOMETRIES = [
  Int32Array.of(1, 40, 44, 3, 7, 7, 2, 2, 3, 3, 20, 22, 16),
  Int32Array.of(1, 40, 44, 16, 5, 5, 2, 2, 2, 2, 20, 22, 24),
  Int32Array.of(1, 36, 40, 32, 3, 3, 1, 1, 1, 1, 36, 40, 48),
];
const LRN_SHAPE = Int32Array.of(1, 30, 40, 16, 3);

interface Answers {
  conv: Float32Array[][]; // per geometry: forward, filter gradient, input gradient
  lrnGrad: Float32Array;
}

function inputs(seed: number) {
  return GEOMETRIES.map((g) => {
    const [n, h, w, c, kh, kw, , , , , oh, ow, k] = g;
    return { x: values(n * h * w * c, seed), f: values(kh * kw * c * k, seed + 1), dy: values(n * oh * ow * k, seed + 2) };
  });
}

function compute(blas: NativeBlas, seed: number): Answers {
  const conv = GEOMETRIES.map((g, i) => {
    const { x, f, dy } = inputs(seed)[i];
    const y = new Float32Array(dy.length);
    const dw = new Float32Array(f.length);
    const dx = new Float32Array(x.length);
    blas.convForward(g, x, f, y);
    blas.convFilterGrad(g, x, dy, dw);
    blas.convInputGrad(g, dy, f, dx);
    return [y, dw, dx];
  });
  const size = LRN_SHAPE.slice(0, 4).reduce((a, b) => a * b, 1);
  const lrnGrad = new Float32Array(size);
  blas.lrnGrad(LRN_SHAPE, 1e-3, 0.75, values(size, seed + 3), values(size, seed + 4), lrnGrad);
  return { conv, lrnGrad };
}

// The worker runs the same `compute` (passed as source) on the addon it loads itself.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const blas = require(workerData.addon);
blas.setThreads(1);
${values.toString()}
const GEOMETRIES = workerData.geometries;
const LRN_SHAPE = workerData.lrnShape;
${inputs.toString()}
const compute = ${compute.toString()};
const runs = [];
for (let r = 0; r < workerData.repeats; r++) runs.push(compute(blas, workerData.seed));
parentPort.postMessage(runs);
`;

test('two threads calling the addon at once each get their own answers (scratch buffers are per thread)', { skip }, async () => {
  assert.equal(status.kind, 'loaded');
  const blas = (status as { blas: NativeBlas }).blas;
  const threads = blas.setThreads(1);
  const seeds = [11, 23];
  const want = seeds.map((seed) => compute(blas, seed));
  blas.setThreads(threads);
  const results = await Promise.all(
    seeds.map(
      (seed) =>
        new Promise<Answers[]>((resolve, reject) => {
          const worker = new Worker(WORKER, { eval: true, workerData: { addon: NATIVE_ADDON_PATH, seed, repeats: 6, geometries: GEOMETRIES, lrnShape: LRN_SHAPE } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  results.forEach((runs, s) =>
    runs.forEach((got, r) => {
      got.conv.forEach((passes, gi) => passes.forEach((a, p) => assert.deepEqual(a, want[s].conv[gi][p], `seed ${seeds[s]} run ${r} geometry ${gi} pass ${p}`)));
      assert.deepEqual(got.lrnGrad, want[s].lrnGrad, `seed ${seeds[s]} run ${r} LRN gradient`);
    }),
  );
});
