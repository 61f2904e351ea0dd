/** Convolution geometries the conv kernel tests run on wasm and on cpu: kernel sizes 1…11, strides, every padding form, batch > 1. */
export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
export interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const CONV_CASES: ConvCase[] = [
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

export function label(c: ConvCase): string {
  return `x=${c.x} k=${c.k} co=${c.co} s=${c.strides} pad=${JSON.stringify(c.pad)}`;
}

function outSize(n: number, k: number, s: number, pad: ConvCase['pad'], axis: 1 | 2, mode?: ConvCase['dimRoundingMode']): number {
  if (pad === 'same') return Math.ceil(n / s);
  if (pad === 'valid') return Math.ceil((n - k + 1) / s);
  const [a, b] = typeof pad === 'number' ? [pad, pad] : pad[axis];
  const v = (n + a + b - k) / s + 1;
  return mode === 'ceil' ? Math.ceil(v) : mode === 'round' ? Math.round(v) : Math.floor(v);
}

export function dyShape(c: ConvCase): [number, number, number, number] {
  const [sh, sw] = typeof c.strides === 'number' ? [c.strides, c.strides] : c.strides;
  return [c.x[0], outSize(c.x[1], c.k[0], sh, c.pad, 1, c.dimRoundingMode), outSize(c.x[2], c.k[1], sw, c.pad, 2, c.dimRoundingMode), c.co];
}
