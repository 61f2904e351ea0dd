/**
 * Our BatchMatMul wrapper (transposes materialised, plain XNNPACK product) against cpu: all
 * four transpose combinations, both evaluation orders, batched and broadcast operands.
 */
import { test, before } from 'node:test';
import { initBackend } from '../../src/backend/index.ts';
import { assertKernelMatchesCpu } from './compare.ts';

before(async () => {
  process.env.FRCNN_NATIVE_BLAS = 'off'; // the wasm kernel; native-kernels.test.ts has the addon's
  await initBackend({ backend: 'wasm' });
});

const CASES: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean; note: string }> = [
  { a: [7, 50], b: [50, 9], tA: false, tB: false, note: 'plain' },
  { a: [50, 7], b: [50, 9], tA: true, tB: false, note: 'transposeA, direct (copies a)' },
  { a: [400, 3], b: [400, 300], tA: true, tB: false, note: 'transposeA, big a' },
  { a: [6, 400], b: [300, 400], tA: false, tB: true, note: 'transposeB, swapped (fc input gradient: never copies the weights)' },
  { a: [30, 40], b: [20, 40], tA: false, tB: true, note: 'transposeB, direct' },
  { a: [40, 30], b: [20, 40], tA: true, tB: true, note: 'both transposed' },
  { a: [3, 13, 5], b: [3, 11, 13], tA: true, tB: true, note: 'batched, both transposed' },
  { a: [1, 5, 13], b: [4, 11, 13], tA: false, tB: true, note: 'broadcast batch, transposeB' },
  { a: [4, 13, 5], b: [1, 13, 11], tA: true, tB: false, note: 'broadcast batch, transposeA' },
];

for (const c of CASES) {
  test(`BatchMatMul a=${c.a} b=${c.b} tA=${c.tA} tB=${c.tB} (${c.note})`, async () => {
    const rank3 = (s: number[]) => (s.length === 3 ? s : [1, ...s]);
    await assertKernelMatchesCpu('BatchMatMul', { a: { shape: rank3(c.a) }, b: { shape: rank3(c.b) } }, { transposeA: c.tA, transposeB: c.tB }, c.note, 1e-5);
  });
}
