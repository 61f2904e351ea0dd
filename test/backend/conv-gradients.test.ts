/**
 * Our wasm Conv2DBackpropFilter (its GEMM form, whole and in chunks of output rows, and its
 * conv form) and Conv2DBackpropInput against the cpu backend's, across kernel sizes (1…11, ZF's 7×7/s2 first layer), strides,
 * 'same'/'valid'/explicit/numeric padding, batch > 1 and channel counts that are not
 * multiples of 4.
 */
import { test, before } from 'node:test';
import { initBackend } from '../../src/backend/index.ts';
import { setFilterGradForm, setPatchBudgetBytes } from '../../src/backend/kernels/conv2d-backprop-filter.ts';
import { assertKernelMatchesCpu } from './compare.ts';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: Case[] = [
  { x: [2, 9, 11, 5], k: [3, 3], co: 7, strides: 1, pad: 'same' },
  { x: [2, 9, 11, 5], k: [3, 3], co: 7, strides: 1, pad: 'valid' },
  { x: [1, 10, 9, 3], k: [3, 3], co: 6, strides: 2, pad: 'same' },
  { x: [1, 10, 9, 3], k: [3, 3], co: 6, strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 6], k: [1, 1], co: 5, strides: 1, pad: 'valid' },
  { x: [1, 8, 7, 6], k: [1, 1], co: 5, strides: 2, pad: 'same' },
  { x: [1, 13, 12, 3], k: [5, 5], co: 4, strides: 2, pad: 'same' },
  { x: [1, 13, 12, 3], k: [5, 5], co: 4, strides: 1, pad: 'valid' },
  { x: [1, 19, 17, 3], k: [7, 7], co: 5, strides: 2, pad: 'same' }, // ZF conv1
  { x: [1, 19, 17, 3], k: [7, 7], co: 5, strides: 2, pad: 'valid' },
  { x: [1, 27, 23, 3], k: [11, 11], co: 4, strides: 4, pad: 'valid' },
  { x: [1, 27, 23, 3], k: [11, 11], co: 4, strides: 4, pad: 'same' },
  { x: [2, 11, 10, 5], k: [3, 5], co: 3, strides: [1, 2], pad: 'same' },
  { x: [2, 11, 10, 5], k: [3, 3], co: 3, strides: 3, pad: 'valid' },
  { x: [1, 9, 8, 5], k: [3, 3], co: 6, strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 9, 8, 5], k: [3, 3], co: 6, strides: 2, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [1, 9, 8, 5], k: [3, 3], co: 6, strides: 2, pad: 1, dimRoundingMode: 'floor' },
  { x: [1, 12, 12, 4], k: [3, 3], co: 8, strides: 2, pad: 0 },
];

function label(c: Case): string {
  return `x=${c.x} k=${c.k} co=${c.co} s=${c.strides} pad=${JSON.stringify(c.pad)}`;
}

function outSize(n: number, k: number, s: number, pad: Case['pad'], axis: 1 | 2, mode?: Case['dimRoundingMode']): number {
  if (pad === 'same') return Math.ceil(n / s);
  if (pad === 'valid') return Math.ceil((n - k + 1) / s);
  const [a, b] = typeof pad === 'number' ? [pad, pad] : pad[axis];
  const v = (n + a + b - k) / s + 1;
  return mode === 'ceil' ? Math.ceil(v) : mode === 'round' ? Math.round(v) : Math.floor(v);
}

function dyShape(c: Case): [number, number, number, number] {
  const [sh, sw] = typeof c.strides === 'number' ? [c.strides, c.strides] : c.strides;
  return [c.x[0], outSize(c.x[1], c.k[0], sh, c.pad, 1, c.dimRoundingMode), outSize(c.x[2], c.k[1], sw, c.pad, 2, c.dimRoundingMode), c.co];
}

before(async () => {
  await initBackend({ backend: 'wasm' });
});

function filterGradMatchesCpu(c: Case): Promise<void> {
  return assertKernelMatchesCpu(
    'Conv2DBackpropFilter',
    { x: { shape: c.x }, dy: { shape: dyShape(c) } },
    { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: [c.k[0], c.k[1], c.x[3], c.co] },
    label(c),
  );
}

for (const c of CASES) {
  const filterShape = [c.k[0], c.k[1], c.x[3], c.co];
  for (const form of ['gemm', 'conv'] as const) {
    test(`Conv2DBackpropFilter (${form} form) ${label(c)}`, async () => {
      const previous = setFilterGradForm(form);
      try {
        await filterGradMatchesCpu(c);
      } finally {
        setFilterGradForm(previous);
      }
    });
  }
  // A patch budget of ~one output row: the GEMM form sums many chunks' products.
  test(`Conv2DBackpropFilter (gemm form, chunked) ${label(c)}`, async () => {
    const previous = setPatchBudgetBytes(4 * c.k[0] * c.k[1] * c.x[3] * dyShape(c)[2]);
    try {
      await filterGradMatchesCpu(c);
    } finally {
      setPatchBudgetBytes(previous);
    }
  });
  test(`Conv2DBackpropInput ${label(c)}`, async () => {
    await assertKernelMatchesCpu(
      'Conv2DBackpropInput',
      { dy: { shape: dyShape(c) }, filter: { shape: filterShape } },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x },
      label(c),
    );
  });
}
