/**
 * Momentum SGD against hand-computed Caffe updates, on the in-place path (wasm heap, cpu
 * arrays) and the tfjs-ops path, plus the in-place path's hazards: snapshots sharing storage,
 * XNNPACK's packed copies of conv filters and matmul weights, checkpoint round trips.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/index.ts';
import { hostView } from '../../../src/backend/host-memory.ts';
import { ParamStore, type ParamInfo } from '../../../src/detection/params.ts';
import { MomentumSgd, type SgdOptions } from '../../../src/detection/training/sgd.ts';
import { Rng } from '../../../src/util/rng.ts';
import { nativeBlas } from '../../../src/backend/native/addon.ts';
import { inForm } from '../../utils/native-forms.ts';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

const OPTS: SgdOptions = { lr: 0.1, momentum: 0.9, weightDecay: 0.01, biasLrMult: 2, steps: [], gamma: 0.1, warmupIters: 0, warmupFactor: 1 };

function params(): { store: ParamStore; w: ParamInfo; b: ParamInfo } {
  const store = new ParamStore();
  const init = tf.tensor([1, 2]);
  store.add('fc', 'weight', [2], { kind: 'zeros' }, new Rng(1)).assign(init);
  store.add('fc', 'bias', [2], { kind: 'zeros' }, new Rng(1)).assign(init);
  init.dispose(); // the parameters still share it: the first update gives each its own storage
  const [w, b] = store.list();
  return { store, w, b };
}

function close(actual: ArrayLike<number>, expected: number[], label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-6, `${label}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

for (const backend of ['wasm', 'cpu'] as const) {
  for (const mode of ['auto', 'ops'] as const) {
    test(`two Caffe steps by hand (${backend}, ${mode})`, async () => {
      await tf.setBackend(backend);
      const { store, w, b } = params();
      const sgd = new MomentumSgd(OPTS, mode);
      for (let step = 0; step < 2; step++) sgd.apply(store.list(), { 'fc/weight': tf.tensor([0.5, -1]), 'fc/bias': tf.tensor([0.5, -1]) }, 0.1);
      // weight: v1 = 0.1·(g + 0.01·w0) = [0.051, -0.098], w1 = [0.949, 2.098];
      //         v2 = 0.9·v1 + 0.1·(g + 0.01·w1) = [0.096849, -0.186102], w2 = [0.852151, 2.284102]
      close(w.variable.dataSync(), [0.852151, 2.284102], 'weight');
      // bias: rate 0.2, no decay: v1 = [0.1, -0.2], v2 = [0.19, -0.38]; b2 = [0.71, 2.58]
      close(b.variable.dataSync(), [0.71, 2.58], 'bias');
      const state = sgd.getState();
      close(state['momentum/fc/weight'].dataSync(), [0.096849, -0.186102], 'weight momentum');
      close(state['momentum/fc/bias'].dataSync(), [0.19, -0.38], 'bias momentum');
      // The slots restore into a new optimizer, which then takes the same third step.
      const other = params();
      other.w.variable.assign(w.variable);
      other.b.variable.assign(b.variable);
      const restored = new MomentumSgd(OPTS, mode);
      restored.setState(state, other.store.list());
      tf.dispose(state);
      sgd.apply(store.list(), { 'fc/weight': tf.tensor([1, 1]) }, 0.1);
      restored.apply(other.store.list(), { 'fc/weight': tf.tensor([1, 1]) }, 0.1);
      close(other.w.variable.dataSync(), Array.from(w.variable.dataSync()), 'restored');
      sgd.dispose();
      restored.dispose();
      store.dispose();
      other.store.dispose();
      await tf.setBackend('wasm');
    });
  }
}

test('a parameter whose storage is shared (a snapshot) gets new storage; the snapshot keeps its values', () => {
  const { store, w } = params();
  const snapshot = w.variable.clone();
  const sgd = new MomentumSgd(OPTS);
  sgd.apply([w], { 'fc/weight': tf.tensor([0.5, -1]) }, 0.1);
  close(snapshot.dataSync(), [1, 2], 'snapshot');
  close(w.variable.dataSync(), [0.949, 2.098], 'weight');
  snapshot.dispose();
  store.dispose();
});

test('in-place updates reach XNNPACK: a conv and a matmul after the update use the new weights', () => {
  const store = new ParamStore();
  const rng = new Rng(5);
  const filter = store.add('conv', 'weight', [3, 3, 4, 8], { kind: 'msra' }, rng);
  const fc = store.add('fc', 'weight', [8, 6], { kind: 'msra' }, rng);
  const x = tf.randomNormal([1, 7, 7, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
  const run = (f: tf.Tensor4D, m: tf.Tensor2D) => tf.tidy(() => tf.matMul(tf.reshape(tf.conv2d(x, f, 1, 'same'), [49, 8]), m).dataSync());
  const beforeUpdate = run(filter as tf.Tensor4D, fc as tf.Tensor2D); // packs the weights into XNNPACK's caches
  const sgd = new MomentumSgd({ ...OPTS, lr: 1 });
  sgd.apply(store.list(), { 'conv/weight': tf.onesLike(filter), 'fc/weight': tf.onesLike(fc) }, 1);
  assert.ok(hostView(filter), 'wasm storage is reachable from JS');
  const updated = run(filter as tf.Tensor4D, fc as tf.Tensor2D);
  const fresh = run(tf.tensor4d(filter.dataSync(), filter.shape as [number, number, number, number]), tf.tensor2d(fc.dataSync(), fc.shape as [number, number]));
  assert.notDeepEqual(Array.from(updated), Array.from(beforeUpdate));
  close(updated, Array.from(fresh), 'after update');
  sgd.dispose();
  store.dispose();
  x.dispose();
});

test('the native update gives the JavaScript loop\'s bits (weights, biases; big enough to split over threads)', { skip: nativeBlas() ? false : 'native addon not built' }, () => {
  const run = (on: boolean): Float32Array[] =>
    inForm(on, () => {
      const store = new ParamStore();
      const rng = new Rng(9);
      const w = store.add('fc', 'weight', [700, 1000], { kind: 'msra' }, rng);
      const b = store.add('fc', 'bias', [1000], { kind: 'gaussian', std: 0.1 }, rng);
      const sgd = new MomentumSgd(OPTS);
      const grads = new Rng(10);
      for (let step = 0; step < 3; step++) {
        const g = (t: tf.Tensor) => tf.tensor(Float32Array.from({ length: t.size }, () => grads.normal()), t.shape);
        sgd.apply(store.list(), { 'fc/weight': g(w), 'fc/bias': g(b) }, 0.01 * (step + 1));
      }
      const out = [w.dataSync() as Float32Array, b.dataSync() as Float32Array, ...sgd.stateArrays().map((s) => s.data.slice())];
      sgd.dispose();
      store.dispose();
      return out;
    })();
  const js = run(false);
  const native = run(true);
  assert.equal(native.length, js.length);
  for (let i = 0; i < js.length; i++) assert.ok(Buffer.from(native[i].buffer).equals(Buffer.from(js[i].buffer)), `array ${i} differs`);
});
