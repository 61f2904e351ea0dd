/**
 * bench:backend — the wasm training kernels against their baselines, measured in one run:
 *   - GFLOP/s of the forward conv, our Conv2DBackpropFilter and Conv2DBackpropInput, the
 *     package's Conv2DBackpropInput (the package has no filter gradient at all), and the cpu
 *     backend's three kernels on a small layer;
 *   - an fc layer's three products (forward, input and weight gradients), ours vs the
 *     package's BatchMatMul (slow whenever an operand is transposed);
 *   - a small conv-net training step (forward + backward + SGD update), wasm on 1 and on 2
 *     threads, and the stock wasm backend (which cannot run it).
 * Each thread count runs in its own child process (a process starts one backend).
 *
 *   npm run bench:backend                 # full table
 *   npm run bench:backend -- --quick      # smaller layers, fewer repeats
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo } from '../src/backend/index.ts';
import { REPLACED_WASM_KERNELS } from '../src/backend/kernels/index.ts';
import { setFilterGradForm } from '../src/backend/kernels/conv2d-backprop-filter.ts';
import { registerGradients } from '../src/detection/tf-gradients.ts';
import { setNativeMinMacs } from '../src/backend/native/index.ts';
import { sgemmBaseline } from './sgemm-baseline.ts';

interface Layer {
  name: string;
  x: [number, number, number, number];
  k: number;
  co: number;
  stride: number;
}

interface Row {
  layer: string;
  kernel: string;
  impl: string;
  threads: number;
  ms: number;
  gflops: number;
}

interface ChildResult {
  info: BackendInfo;
  rows: Row[];
  stepMs?: number;
  /** The step with the native addon's kernels off (when it is built). */
  stepMsWasm?: number;
  stepError?: string;
}

const QUICK = process.argv.includes('--quick');
const LAYERS: Layer[] = QUICK
  ? [
      { name: '3×3 s1 64→64 @ 38×50', x: [1, 38, 50, 64], k: 3, co: 64, stride: 1 },
      { name: '5×5 s2 32→64 @ 76×100', x: [1, 76, 100, 32], k: 5, co: 64, stride: 2 },
    ]
  : [
      { name: '3×3 s1 256→256 @ 38×50 (VGG conv5)', x: [1, 38, 50, 256], k: 3, co: 256, stride: 1 },
      { name: '5×5 s2 96→256 @ 76×100 (ZF conv2)', x: [1, 76, 100, 96], k: 5, co: 256, stride: 2 },
      { name: '7×7 s2 3→96 @ 300×400 (ZF conv1)', x: [1, 300, 400, 3], k: 7, co: 96, stride: 2 },
      { name: '3×3 s1 3→16 @ 256×256 (small conv1)', x: [1, 256, 256, 3], k: 3, co: 16, stride: 1 },
      { name: '3×3 s1 128→128 @ 32×32 (small RPN conv)', x: [1, 32, 32, 128], k: 3, co: 128, stride: 1 },
    ];
const SMALL: Layer = { name: '3×3 s1 32→32 @ 24×32 (small, for cpu)', x: [1, 24, 32, 32], k: 3, co: 32, stride: 1 };
const REPEATS = QUICK ? 2 : 3;

function flops(l: Layer): number {
  const oh = Math.ceil(l.x[1] / l.stride);
  const ow = Math.ceil(l.x[2] / l.stride);
  return 2 * l.x[0] * oh * ow * l.k * l.k * l.x[3] * l.co;
}

/**
 * Median wall time of `f` (after one warm-up run), in ms. The tidy returns nothing: tfjs
 * walks whatever a tidy returns element by element, seconds for a large typed array.
 */
function time(f: () => tf.Tensor, repeats = REPEATS): number {
  const once = () => tf.tidy(() => void f().dataSync());
  once();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    once();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)];
}

/**
 * 'ours': the kernels registered for wasm, run twice when the native addon is built: the wasm
 * kernels (XNNPACK; addon off by size threshold) and the addon's (threshold 0).
 */
function convKernels(l: Layer, impl: 'ours' | 'stock' | 'cpu' | 'native', threads: number, native = false): Row[] {
  if (impl === 'ours' && native) {
    const previous = setNativeMinMacs(0);
    const rows = convKernels(l, 'native', threads);
    setNativeMinMacs(Infinity);
    rows.push(...convKernels(l, impl, threads));
    setNativeMinMacs(previous);
    return rows;
  }
  const x = tf.randomNormal(l.x) as tf.Tensor4D;
  const w = tf.randomNormal([l.k, l.k, l.x[3], l.co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, l.stride, 'same');
  const dy = tf.randomNormal(y.shape);
  const attrs = { strides: l.stride, pad: 'same', dataFormat: 'NHWC' };
  const rows: Row[] = [];
  const add = (kernel: string, rowImpl: string, ms: number) => rows.push({ layer: l.name, kernel, impl: impl === 'native' ? 'native (OpenBLAS)' : rowImpl, threads, ms, gflops: flops(l) / ms / 1e6 });
  const be = impl === 'cpu' ? 'cpu' : 'wasm';
  if (impl !== 'stock') {
    add('Conv2D (forward)', be, time(() => tf.conv2d(x, w, l.stride, 'same')));
    const filterGrad = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape } as tf.NamedAttrMap) as tf.Tensor;
    add('Conv2DBackpropFilter', impl === 'cpu' ? 'cpu' : 'ours', time(filterGrad));
    if (impl === 'ours') {
      // The conv form (no patch matrix) that 'auto' no longer takes, for comparison.
      const previous = setFilterGradForm('conv');
      add('Conv2DBackpropFilter', 'ours, conv form', time(filterGrad));
      setFilterGradForm(previous);
    }
    add('Conv2DBackpropInput', impl === 'cpu' ? 'cpu' : 'ours', time(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape } as tf.NamedAttrMap) as tf.Tensor));
  } else {
    const stock = REPLACED_WASM_KERNELS.get('Conv2DBackpropInput');
    if (stock) {
      stock.setupFunc?.(tf.backend());
      const b = tf.backend();
      add('Conv2DBackpropInput', 'stock wasm', time(() => {
        const info = stock.kernelFunc({ inputs: { dy, filter: w }, backend: b, attrs: { ...attrs, inputShape: x.shape } as tf.NamedAttrMap }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info);
      }, 1));
    }
    rows.push({ layer: l.name, kernel: 'Conv2DBackpropFilter', impl: 'stock wasm', threads, ms: NaN, gflops: NaN });
  }
  tf.dispose([x, w, y, dy]);
  return rows;
}

/** The products of an fc layer's forward and backward (RoI head: 128 RoIs, 2048 → 1024), ours vs the package's kernel. */
function fcProducts(threads: number, withStock: boolean, native = false): Row[] {
  if (native) {
    const previous = setNativeMinMacs(0);
    const rows = fcProducts(threads, false).map((r) => ({ ...r, impl: 'native (OpenBLAS)' }));
    setNativeMinMacs(Infinity);
    rows.push(...fcProducts(threads, withStock));
    setNativeMinMacs(previous);
    return rows;
  }
  const [m, k, n] = [128, 2048, 1024];
  const x = tf.randomNormal([1, m, k]);
  const w = tf.randomNormal([1, k, n]);
  const dy = tf.randomNormal([1, m, n]);
  const layer = `fc ${m}×${k}→${n}`;
  const gflops = (2 * m * k * n) / 1e9;
  const cases: Array<[string, Record<string, tf.Tensor>, boolean, boolean]> = [
    ['x·W (forward)', { a: x, b: w }, false, false],
    ['dy·Wᵀ (input gradient)', { a: dy, b: w }, false, true],
    ['xᵀ·dy (weight gradient)', { a: x, b: dy }, true, false],
  ];
  const rows: Row[] = [];
  const stock = REPLACED_WASM_KERNELS.get('BatchMatMul');
  for (const [kernel, inputs, transposeA, transposeB] of cases) {
    const attrs = { transposeA, transposeB };
    const ms = time(() => tf.engine().runKernel('BatchMatMul', inputs, attrs) as tf.Tensor);
    rows.push({ layer, kernel, impl: 'ours', threads, ms, gflops: gflops / ms * 1e3 });
    if (withStock && stock) {
      const b = tf.backend();
      const msStock = time(() => tf.engine().makeTensorFromTensorInfo(stock.kernelFunc({ inputs, backend: b, attrs }) as tf.TensorInfo), 1);
      rows.push({ layer, kernel, impl: 'stock wasm', threads, ms: msStock, gflops: gflops / msStock * 1e3 });
    }
  }
  tf.dispose([x, w, dy]);
  return rows;
}

/** A small conv net (ZF-like, 4 convs + fc) on a 160×224 image: ms per SGD step. */
function trainingStepMs(steps: number): number {
  const shapes: Array<[number, number, number, number]> = [
    [7, 7, 3, 32],
    [5, 5, 32, 64],
    [3, 3, 64, 96],
    [3, 3, 96, 96],
  ];
  const ws = shapes.map((s) => tf.variable(tf.mul(tf.randomNormal(s), Math.sqrt(2 / (s[0] * s[1] * s[2])))));
  const fc = tf.variable(tf.mul(tf.randomNormal([96, 10]), 0.1));
  const image = tf.randomNormal([1, 160, 224, 3]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([3], 'int32'), 10);
  const loss = () =>
    tf.tidy(() => {
      let h: tf.Tensor4D = tf.relu(tf.conv2d(image, ws[0] as tf.Variable<tf.Rank.R4>, 2, 'same'));
      h = tf.maxPool(h, 3, 2, 'same');
      h = tf.relu(tf.conv2d(h, ws[1] as tf.Variable<tf.Rank.R4>, 2, 'same'));
      h = tf.maxPool(h, 3, 2, 'same');
      h = tf.relu(tf.conv2d(h, ws[2] as tf.Variable<tf.Rank.R4>, 1, 'same'));
      h = tf.relu(tf.conv2d(h, ws[3] as tf.Variable<tf.Rank.R4>, 1, 'same'));
      const logits = tf.matMul(tf.mean(h, [1, 2]), fc);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    });
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss);
      for (const v of [...ws, fc]) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.01)));
      value.dataSync();
    });
  step(); // warm-up (operator creation)
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (performance.now() - t0) / steps;
}

async function child(threads: number, withStock: boolean): Promise<ChildResult> {
  await registerGradients();
  const info = await initBackend({ backend: 'wasm', threads });
  const native = info.nativeBlas === 'openblas';
  const rows: Row[] = [];
  for (const l of LAYERS) rows.push(...convKernels(l, 'ours', info.threads, native));
  if (withStock) for (const l of LAYERS) rows.push(...convKernels(l, 'stock', info.threads));
  rows.push(...convKernels(SMALL, 'ours', info.threads, native));
  rows.push(...fcProducts(info.threads, withStock, native));
  if (withStock) {
    await tf.setBackend('cpu');
    rows.push(...convKernels(SMALL, 'cpu', 1));
    await tf.setBackend('wasm');
  }
  const result: ChildResult = { info, rows, stepMs: trainingStepMs(QUICK ? 2 : 5) };
  if (native) {
    const previous = setNativeMinMacs(Infinity);
    result.stepMsWasm = trainingStepMs(QUICK ? 2 : 5);
    setNativeMinMacs(previous);
  }
  if (withStock) {
    // The package's wasm backend as shipped: no Conv2DBackpropFilter.
    const config = REPLACED_WASM_KERNELS.get('Conv2DBackpropInput');
    try {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      if (config) {
        tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
        tf.registerKernel(config);
      }
      trainingStepMs(1);
    } catch (e) {
      result.stepError = (e as Error).message.split('\n')[0];
    }
  }
  return result;
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

async function main(): Promise<void> {
  const threadIdx = process.argv.indexOf('--child-threads');
  if (threadIdx > 0) {
    const threads = Number(process.argv[threadIdx + 1]);
    process.stdout.write(JSON.stringify(await child(threads, threads === 1)) + '\n');
    return;
  }
  const counts = [...new Set([1, Math.min(2, availableParallelism())])];
  const results: ChildResult[] = [];
  for (const threads of counts) {
    process.stderr.write(`bench:backend: measuring wasm with ${threads} thread(s)...\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child-threads', String(threads), ...(QUICK ? ['--quick'] : [])], {
      encoding: 'utf8',
      env: { ...process.env, FRCNN_LOG_LEVEL: process.env.FRCNN_LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`child with ${threads} threads failed (status ${r.status})`);
    results.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildResult);
  }

  console.log(`backend: ${results.map((r) => r.info.device).join(' | ')}; tfjs ${results[0].info.tfjsVersion}${QUICK ? ' (quick)' : ''}`);
  console.log('');
  console.log('| layer | kernel | implementation | threads | ms | GFLOP/s |');
  console.log('|---|---|---|---:|---:|---:|');
  const rows = results.flatMap((r) => r.rows);
  rows.sort((a, b) => a.layer.localeCompare(b.layer) || a.kernel.localeCompare(b.kernel) || a.impl.localeCompare(b.impl) || a.threads - b.threads);
  for (const r of rows) console.log(`| ${r.layer} | ${r.kernel} | ${r.impl} | ${r.threads} | ${Number.isFinite(r.ms) ? fmt(r.ms) : 'missing'} | ${fmt(r.gflops)} |`);
  console.log('');
  console.log('| training step (4 convs + fc, 160×224, fwd+bwd+SGD) | ms/step |');
  console.log('|---|---:|');
  const stock = results.find((r) => r.stepError);
  if (stock) console.log(`| stock wasm | fails: ${stock.stepError} |`);
  for (const r of results) {
    if (r.stepMsWasm !== undefined) console.log(`| wasm + our wasm kernels, ${r.info.threads} thread(s) | ${fmt(r.stepMsWasm, 0)} |`);
    console.log(`| wasm + ${r.info.nativeBlas === 'openblas' ? 'native (OpenBLAS) kernels' : 'our kernels'}, ${r.info.threads} thread(s) | ${fmt(r.stepMs ?? NaN, 0)} |`);
  }
  for (const r of results) {
    const sgemm = sgemmBaseline(r.info.threads);
    console.log(typeof sgemm === 'number' ? `numpy float32 matmul 2048², ${r.info.threads} thread(s), same run: ${sgemm.toFixed(1)} GFLOP/s (the conv kernels' reference)` : `SGEMM baseline: ${sgemm}`);
  }
  if (results.length > 1 && results[0].stepMs && results[1].stepMs) {
    console.log('');
    console.log(`threads speed-up on the training step: ${(results[0].stepMs / results[1].stepMs).toFixed(2)}×`);
  }
}

await main();
