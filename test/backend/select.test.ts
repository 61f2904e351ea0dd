/**
 * Default selection with nothing requested: tensorflow is not installed on CPU machines, so
 * wasm wins; the threaded build under Node computes what the cpu backend computes, and
 * does not keep the process alive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { backendInfo, initBackend } from '../../src/backend/index.ts';
import { assertKernelMatchesCpu } from './compare.ts';

test('initBackend() picks wasm when tfjs-node is absent', async (t) => {
  delete process.env.FRCNN_BACKEND;
  delete process.env.FRCNN_THREADS;
  const info = await initBackend();
  let tfjsNode = true;
  try {
    await import(['@tensorflow', 'tfjs-node'].join('/'));
  } catch {
    tfjsNode = false;
  }
  if (tfjsNode) {
    assert.equal(info.name, 'tensorflow');
    t.skip('tfjs-node installed: tensorflow chosen');
    return;
  }
  assert.equal(info.name, 'wasm');
  // One per core not busy with other work (load-dependent; see threads.test.ts for the policy).
  assert.ok(info.threads >= 1 && info.threads <= availableParallelism(), `threads ${info.threads}`);
  assert.equal(tf.getBackend(), 'wasm');
});

test('threaded wasm: a conv large enough to be split across threads matches cpu', async (t) => {
  if (backendInfo().threads < 2) t.diagnostic('machine busy: default chose 1 thread; the threaded build is covered by the child-process test');
  await assertKernelMatchesCpu(
    'Conv2D',
    { x: { shape: [2, 40, 36, 24] }, filter: { shape: [3, 3, 24, 40] } },
    { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 },
    'conv 2×40×36×24 * 3×3×24×40',
    1e-5,
  );
  await assertKernelMatchesCpu('BatchMatMul', { a: { shape: [1, 300, 200] }, b: { shape: [1, 200, 150] } }, { transposeA: false, transposeB: false }, 'matmul', 1e-5);
});

test('a process that trained on threaded wasm exits by itself (the idle pool does not hold it)', () => {
  const fixture = new URL('./fixtures/threaded-exit.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, FRCNN_LOG_LEVEL: 'silent' },
  });
  assert.equal(r.signal, null, `killed after 30 s: the process did not exit (stderr: ${r.stderr})`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').at(-1), '2');
});
