/** Test helper: run one kernel on wasm and on cpu (the reference) with the same inputs and compare. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';

export type InputSpec = { shape: number[]; dtype?: 'float32' | 'int32'; values?: Float32Array | Int32Array };

/** Deterministic values in [-1, 1). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function make(spec: InputSpec, seed: number): tf.Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const v = spec.values ?? values(n, seed);
  return tf.tensor(v, spec.shape, spec.dtype ?? 'float32');
}

/** Runs `kernel` on `backend` and returns the output's shape and values. */
export async function runOn(backend: 'wasm' | 'cpu', kernel: string, inputs: Record<string, InputSpec>, attrs: object): Promise<{ shape: number[]; data: Float32Array | Int32Array }> {
  await tf.setBackend(backend);
  let result: { shape: number[]; data: Float32Array | Int32Array } | undefined;
  // Nothing returned through tidy: it walks a returned typed array element by element.
  tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    let seed = 1;
    for (const [k, spec] of Object.entries(inputs)) ins[k] = make(spec, seed++);
    const out = tf.engine().runKernel(kernel, ins as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
    result = { shape: out.shape, data: out.dataSync() as Float32Array | Int32Array };
  });
  return result!;
}

/** Asserts wasm and cpu agree to `tol` relative to the largest reference magnitude. */
export async function assertKernelMatchesCpu(kernel: string, inputs: Record<string, InputSpec>, attrs: object, label: string, tol = 2e-5): Promise<void> {
  const want = await runOn('cpu', kernel, inputs, attrs);
  const got = await runOn('wasm', kernel, inputs, attrs);
  await tf.setBackend('wasm');
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  let scale = 1e-6;
  for (const v of want.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.data.length; i++) {
    const d = Math.abs(got.data[i] - want.data[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  assert.ok(worst / scale <= tol, `${label}: max |wasm − cpu| = ${worst} at ${at} (wasm ${got.data[at]}, cpu ${want.data[at]}), scale ${scale}`);
}
