/** initBackend: option/env validation, explicit wasm on one thread, idempotency, backendInfo. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { backendInfo, initBackend } from '../../src/backend/index.ts';
import { isErrorNamed } from '../../src/util/errors.ts';

test('backendInfo() before initBackend throws', () => {
  assert.throws(() => backendInfo(), /await initBackend\(\) first/);
});

test('a bad FRCNN_BACKEND / FRCNN_THREADS is an InputError naming the variable, and does not stick', async () => {
  process.env.FRCNN_BACKEND = 'gpu';
  await assert.rejects(initBackend(), (e: unknown) => isErrorNamed(e, 'InputError') && /FRCNN_BACKEND: unknown backend "gpu"/.test((e as Error).message));
  delete process.env.FRCNN_BACKEND;
  process.env.FRCNN_THREADS = 'many';
  await assert.rejects(initBackend({ backend: 'cpu' }), /FRCNN_THREADS: expected a positive integer/);
  delete process.env.FRCNN_THREADS;
  await assert.rejects(initBackend({ backend: 'wasm', threads: 0 }), /initBackend\(\{threads\}\): expected a positive integer/);
});

test('initBackend({backend: "wasm", threads: 1}) starts single-threaded SIMD wasm, once', async () => {
  const info = await initBackend({ backend: 'wasm', threads: 1 });
  assert.equal(info.name, 'wasm');
  assert.equal(info.threads, 1);
  assert.equal(info.simd, true);
  assert.equal(info.tfjsVersion, tf.version_core);
  assert.match(info.package, /^@tensorflow\/tfjs-backend-wasm@\d+\.\d+\.\d+$/);
  assert.match(info.device, /^wasm simd, 1 thread, /);
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(backendInfo(), info);
  // Idempotent: the same info, even when asked for something else.
  assert.equal(await initBackend({ backend: 'cpu' }), info);
  assert.equal(tf.getBackend(), 'wasm');
});

test('after start, a changed FRCNN_BACKEND changes nothing', async () => {
  process.env.FRCNN_BACKEND = 'cpu';
  assert.equal((await initBackend()).name, 'wasm');
  delete process.env.FRCNN_BACKEND;
});
