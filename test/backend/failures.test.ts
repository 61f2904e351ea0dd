/**
 * Failures that the stock wasm backend lets through silently: a tensor allocation beyond the
 * 4 GiB heap (malloc returns 0 and the tensor would alias address 0), and an XNNPACK
 * operator that cannot get its buffers (status 6, output left as garbage). The heap is
 * filled with untouched allocations, so the process's resident memory stays small.
 */
import assert from 'node:assert/strict';
import { test, before } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, WasmOutOfMemoryError, XnnpackError } from '../../src/backend/index.ts';
import { isErrorNamed } from '../../src/util/errors.ts';

interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object): void;
}

before(async () => {
  // XNNPACK's own failures: with the native addon the conv below would not run on XNNPACK.
  process.env.FRCNN_NATIVE_BLAS = 'off';
  await initBackend({ backend: 'wasm', threads: 1 });
});

test('heap exhaustion and XNNPACK out-of-memory throw, and the backend recovers once memory is freed', () => {
  const backend = tf.backend() as unknown as HeapBackend;
  const held: tf.TensorInfo[] = [];
  const chunk = 16 * 2 ** 20; // 64 MiB of float32
  try {
    let error: unknown;
    while (held.length < 80) {
      try {
        held.push(backend.makeOutput([chunk], 'float32'));
      } catch (e) {
        error = e;
        break;
      }
    }
    assert.ok(error instanceof WasmOutOfMemoryError, `expected WasmOutOfMemoryError after ${held.length} × 64 MiB, got ${String(error)}`);
    assert.equal(error.bytes, chunk * 4);
    assert.match(error.message, /wasm heap exhausted: cannot allocate 64\.0 MiB/);
    assert.ok(held.length >= 50 && held.length < 64, `${held.length} chunks before exhaustion`);

    // Room for the conv's input and output, not for its 1000·1000·121 pointer indirection buffer.
    backend.disposeData(held.pop()!.dataId);
    const x = tf.ones([1, 1000, 1000, 1]) as tf.Tensor4D;
    const w = tf.ones([11, 11, 1, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    assert.throws(
      () => tf.conv2d(x, w, 1, 'same'),
      (e: unknown) => {
        assert.ok(isErrorNamed(e, 'WasmOutOfMemoryError'), String(e));
        const cause = (e as Error).cause;
        assert.ok(cause instanceof XnnpackError);
        assert.equal(cause.status, 6);
        assert.equal(cause.kernel, 'Conv2D');
        assert.match(cause.xnnFunction, /^xnn_(create|setup)_convolution2d_nhwc_f32$/);
        return true;
      },
    );
    assert.equal(tf.memory().numTensors, before, 'the failed output was disposed');

    for (const h of held.splice(0)) backend.disposeData(h.dataId);
    const y = tf.conv2d(x, w, 1, 'same');
    // Corner of an all-ones 11×11 'same' conv sees 6×6 inputs; the centre sees 121.
    assert.deepEqual(Array.from(y.dataSync().slice(0, 3)), [36, 42, 48]);
    assert.equal(y.dataSync()[500 * 1000 + 500], 121);
    tf.dispose([x, w, y]);
  } finally {
    for (const h of held) backend.disposeData(h.dataId);
  }
});
