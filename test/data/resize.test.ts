import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeScale, resizeBilinear, roundHalfEven, scaledSize } from '../../src/data/resize.ts';

const close = (a: ArrayLike<number>, b: number[], eps = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= eps, `index ${i}: ${a[i]} vs ${b[i]}`);
};

test('roundHalfEven rounds ties to even like numpy and cvRound', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 4, -0, -2, -2, 2, 3]);
});

test('computeScale follows prep_im_for_blob: shorter side to target, longer side capped', () => {
  // VOC-typical 500x375 at (600, 1000): 600/375 = 1.6, long side 800 <= 1000.
  assert.equal(computeScale(500, 375, 600, 1000), 1.6);
  assert.equal(computeScale(375, 500, 600, 1000), 1.6);
  // 1000x300: 600/300 = 2 would make the long side 2000 > 1000, so 1000/1000 = 1.
  assert.equal(computeScale(1000, 300, 600, 1000), 1);
  // 400x200 at (600, 1000): 3x would give 1200 > 1000 → 1000/400 = 2.5.
  assert.equal(computeScale(400, 200, 600, 1000), 2.5);
  // The cap compares the rounded long side: 1001.5 rounds to 1002 > 1000 → capped.
  assert.equal(computeScale(2003, 1200, 600, 1000), 1000 / 2003);
  assert.throws(() => computeScale(0, 10, 600, 1000), /positive/);
});

test('scaledSize rounds each side half to even like cv2 with fx/fy', () => {
  assert.deepEqual(scaledSize(500, 375, 1.6), { width: 800, height: 600 });
  assert.deepEqual(scaledSize(5, 3, 0.5), { width: 2, height: 2 }); // 2.5 → 2, 1.5 → 2
});

test('resizeBilinear 2→4 upsampling matches hand-computed half-pixel values', () => {
  // dst x = 0..3 maps to src (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 → clamp, 2.5, 7.5, clamp.
  close(resizeBilinear(Float32Array.from([0, 10]), 2, 1, 4, 1, { channels: 1 }), [0, 2.5, 7.5, 10]);
});

test('resizeBilinear 4→2 downsampling averages neighbour pairs', () => {
  close(resizeBilinear([0, 10, 20, 30], 4, 1, 2, 1, { channels: 1 }), [5, 25]);
});

test('resizeBilinear in 2-D with interleaved channels', () => {
  // 2x2, two channels: channel 0 = 0,10 / 20,30 ; channel 1 = 100 + that.
  const src = [0, 100, 10, 110, 20, 120, 30, 130];
  const out = resizeBilinear(src, 2, 2, 3, 3, { channels: 2 });
  // Axis taps for 2→3 (inv 2/3): dst 0 → -1/6 → 0 (w 0), dst 1 → 0.5, dst 2 → 7/6 → 1 (w 0).
  const ch0 = [0, 5, 10, 10, 15, 20, 20, 25, 30];
  close(
    Array.from({ length: 9 }, (_, i) => out[2 * i]),
    ch0,
  );
  close(
    Array.from({ length: 9 }, (_, i) => out[2 * i + 1]),
    ch0.map((v) => v + 100),
  );
});

test('resizeBilinear uses the cv2 fx factor when given, not dst/src', () => {
  // 3 → round(1.5) = 2 pixels. With fx = 0.5 cv2 maps dst 0 → 0.5, dst 1 → 2.5 (clamped to 2).
  close(resizeBilinear([0, 10, 20], 3, 1, 2, 1, { channels: 1, scaleX: 0.5, scaleY: 1 }), [5, 20]);
  // With dst/src = 2/3: dst 0 → 0.25, dst 1 → 1.75.
  close(resizeBilinear([0, 10, 20], 3, 1, 2, 1, { channels: 1 }), [2.5, 17.5]);
});

test('resizeBilinear is the identity at scale 1 and rejects a wrong length', () => {
  const src = Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 255);
  assert.deepEqual(resizeBilinear(src, 5, 4, 5, 4), src);
  assert.throws(() => resizeBilinear(src, 5, 5, 2, 2), /expected 75 values/);
});

test('resizeBilinear and scaledSize match OpenCV 4.6 cv2.resize(INTER_LINEAR) on float32 images', async () => {
  const { readFile } = await import('node:fs/promises');
  const ref = JSON.parse(await readFile(new URL('../fixtures/data/cv2-resize.json', import.meta.url), 'utf8')) as {
    cases: Array<{ srcW: number; srcH: number; fx: number | null; fy: number | null; dstW: number; dstH: number; out: number[] }>;
  };
  assert.equal(ref.cases.length, 4);
  for (const c of ref.cases) {
    const src = Float32Array.from({ length: c.srcW * c.srcH * 3 }, (_, i) => ((i * 37) % 251) - 100.5);
    if (c.fx !== null) assert.deepEqual(scaledSize(c.srcW, c.srcH, c.fx), { width: c.dstW, height: c.dstH });
    const out = resizeBilinear(src, c.srcW, c.srcH, c.dstW, c.dstH, c.fx === null ? {} : { scaleX: c.fx, scaleY: c.fy! });
    close(out, c.out, 1e-4);
  }
});
