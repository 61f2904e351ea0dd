/**
 * Preparing training images at py-faster-rcnn's sizes, with the baselines measured in the
 * same run.
 *
 *   npm run bench:data-blob [-- --images 40 --epochs 3]
 *
 * Scenario: VOC-sized 500×375 JPEGs (generated shapes), `prepareImageBlob` at (600, 1000) →
 * 800×600 float blobs, alternating flips, for several epochs.
 * Figures: ms per image without a cache (decode + flip + means + resize), with the image
 * cache (epochs after the first), and the resize alone against a naive baseline that
 * recomputes both axes' taps for every output value (the obvious port of the formula).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareImageBlob } from '../src/data/blob.ts';
import { ImageCache } from '../src/data/image-cache.ts';
import { decodeImage } from '../src/data/image-io.ts';
import { resizeBilinear } from '../src/data/resize.ts';
import { generateShapesDataset } from '../src/data/shapes-dataset.ts';
import { loadVocDataset } from '../src/data/voc.ts';

const { values } = parseArgs({ options: { images: { type: 'string', default: '40' }, epochs: { type: 'string', default: '3' } } });
const N = Number(values.images);
const EPOCHS = Number(values.epochs);

/** The formula applied per output value: taps and weights recomputed every time. */
function naiveResize(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh * 3);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      for (let c = 0; c < 3; c++) {
        const fy = Math.min(Math.max((y + 0.5) * (sh / dh) - 0.5, 0), sh - 1);
        const fx = Math.min(Math.max((x + 0.5) * (sw / dw) - 0.5, 0), sw - 1);
        const y0 = Math.floor(fy);
        const x0 = Math.floor(fx);
        const y1 = Math.min(y0 + 1, sh - 1);
        const x1 = Math.min(x0 + 1, sw - 1);
        const wy = fy - y0;
        const wx = fx - x0;
        const at = (yy: number, xx: number) => src[(yy * sw + xx) * 3 + c];
        out[(y * dw + x) * 3 + c] = (at(y0, x0) * (1 - wx) + at(y0, x1) * wx) * (1 - wy) + (at(y1, x0) * (1 - wx) + at(y1, x1) * wx) * wy;
      }
    }
  }
  return out;
}

const dir = await mkdtemp(join(tmpdir(), 'frcnn-bench-data-'));
try {
  await generateShapesDataset({ out: dir, train: N, test: 0, width: 500, height: 375, seed: 1 });
  const entries = (await loadVocDataset(dir)).split('train');
  const classes = ['circle', 'square', 'triangle', 'cross'];
  const opts = { targetSize: 600, maxSize: 1000 };

  // One untimed pass so JIT warm-up is not billed to the first figure.
  for (const entry of entries.slice(0, 5)) await prepareImageBlob(entry, classes, { ...opts, flip: false });
  resizeBilinear(new Float32Array(500 * 375 * 3), 500, 375, 800, 600);
  let t = performance.now();
  for (let e = 0; e < EPOCHS; e++) for (const [i, entry] of entries.entries()) await prepareImageBlob(entry, classes, { ...opts, flip: (i + e) % 2 === 1 });
  const uncached = (performance.now() - t) / (EPOCHS * N);

  const cache = new ImageCache();
  for (const [i, entry] of entries.entries()) await prepareImageBlob(entry, classes, { ...opts, flip: i % 2 === 1, cache });
  t = performance.now();
  for (let e = 0; e < EPOCHS; e++) for (const [i, entry] of entries.entries()) await prepareImageBlob(entry, classes, { ...opts, flip: i % 2 === 1, cache });
  const cached = (performance.now() - t) / (EPOCHS * N);

  t = performance.now();
  for (const entry of entries) await decodeImage(entry.file);
  const decode = (performance.now() - t) / N;

  const img = await decodeImage(entries[0].file);
  const src = Float32Array.from(img.data);
  const reps = 10;
  t = performance.now();
  for (let r = 0; r < reps; r++) resizeBilinear(src, 500, 375, 800, 600);
  const resize = (performance.now() - t) / reps;
  t = performance.now();
  for (let r = 0; r < reps; r++) naiveResize(src, 500, 375, 800, 600);
  const naive = (performance.now() - t) / reps;

  console.log(`prepareImageBlob 500x375 JPEG → 800x600, ${N} images × ${EPOCHS} epochs`);
  console.log(`  no cache:   ${uncached.toFixed(2)} ms/image (JPEG decode alone ${decode.toFixed(2)} ms)`);
  console.log(`  with cache: ${cached.toFixed(3)} ms/image (${(uncached / cached).toFixed(0)}× faster; ${(cache.stats().bytes / 2 ** 20).toFixed(0)} MiB held)`);
  console.log(`resizeBilinear 500x375 → 800x600 RGB: ${resize.toFixed(2)} ms; naive per-value baseline ${naive.toFixed(2)} ms (${(naive / resize).toFixed(1)}×)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
