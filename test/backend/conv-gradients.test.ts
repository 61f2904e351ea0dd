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
import { CONV_CASES as CASES, dyShape, label, type ConvCase as Case } from './conv-cases.ts';

before(async () => {
  process.env.FRCNN_NATIVE_BLAS = 'off'; // these are the wasm kernels; native-kernels.test.ts has the addon's
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
