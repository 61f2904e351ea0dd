import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PIXEL_MEANS, hasTrainingTargets, prepareImageBlob } from '../../src/data/blob.ts';
import { ImageCache } from '../../src/data/image-cache.ts';
import { loadVocDataset, VOC_CLASSES } from '../../src/data/voc.ts';
import type { ImageEntry } from '../../src/data/types.ts';

const fixture = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;
const [M0, M1, M2] = DEFAULT_PIXEL_MEANS;
const DOG = VOC_CLASSES.indexOf('dog') + 1; // 12
const PERSON = VOC_CLASSES.indexOf('person') + 1; // 15

async function imgA(): Promise<ImageEntry> {
  return (await loadVocDataset(fixture, { splits: ['train'] })).split('train')[0];
}

function pixel(p: Float32Array, width: number, x: number, y: number): number[] {
  return Array.from(p.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
}

function close(a: number[], b: number[], eps = 1e-3) {
  assert.ok(a.every((v, i) => Math.abs(v - b[i]) <= eps), `${a} vs ${b}`);
}

test('prepareImageBlob: 12x8 fixture at target 16 → scale 2, 24x16, means subtracted, boxes scaled', async () => {
  // img_a.png: red (200,0,0) for x < 6, blue (0,0,200) for x >= 6, green patch at x 2..4, y 1..2.
  const blob = await prepareImageBlob(await imgA(), VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: false });
  assert.deepEqual([blob.imageId, blob.width, blob.height, blob.scale, blob.flipped], ['img_a', 24, 16, 2, false]);
  assert.equal(blob.pixels.length, 24 * 16 * 3);
  close(pixel(blob.pixels, 24, 0, 0), [200 - M0, -M1, -M2]);
  // dst x 11 ← src x (11.5 / 2 - 0.5) = 5.25: 0.75 red + 0.25 blue; dst y 0 ← src y -0.25, clamped to row 0.
  close(pixel(blob.pixels, 24, 11, 0), [150 - M0, -M1, 50 - M2]);
  close(pixel(blob.pixels, 24, 23, 15), [-M0, -M1, 200 - M2]);
  // Difficult "person" left out; dog [2,1,4,2] × 2.
  assert.deepEqual(Array.from(blob.gtBoxes), [4, 2, 8, 4]);
  assert.deepEqual(Array.from(blob.gtClasses), [DOG]);
  const all = await prepareImageBlob(await imgA(), VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: false, keepDifficult: true });
  assert.deepEqual(Array.from(all.gtClasses), [DOG, PERSON]);
  assert.deepEqual(Array.from(all.gtBoxes), [4, 2, 8, 4, 0, 0, 22, 14]);
});

test('prepareImageBlob with flip mirrors pixels and boxes (x1 = W - x2 - 1 before scaling)', async () => {
  const blob = await prepareImageBlob(await imgA(), VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: true, pixelMeans: [0, 0, 0] });
  assert.equal(blob.flipped, true);
  close(pixel(blob.pixels, 24, 0, 0), [0, 0, 200]);
  close(pixel(blob.pixels, 24, 23, 0), [200, 0, 0]);
  // dog [2,1,4,2] in a 12-wide image flips to [7,1,9,2], then × 2.
  assert.deepEqual(Array.from(blob.gtBoxes), [14, 2, 18, 4]);
  const plain = await prepareImageBlob(await imgA(), VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: false, pixelMeans: [0, 0, 0] });
  for (let y = 0; y < 16; y++) for (let x = 0; x < 24; x++) close(pixel(blob.pixels, 24, x, y), pixel(plain.pixels, 24, 23 - x, y));
});

test('maxSize caps the longer side', async () => {
  const blob = await prepareImageBlob(await imgA(), VOC_CLASSES, { targetSize: 16, maxSize: 18, flip: false });
  // 16/8 = 2 would give 24 > 18 → 18/12 = 1.5 → 18x12.
  assert.deepEqual([blob.width, blob.height, blob.scale], [18, 12, 1.5]);
  assert.deepEqual(Array.from(blob.gtBoxes), [3, 1.5, 6, 3]);
});

test('the image cache serves repeated (image, flip) pairs and stays within its budget', async () => {
  const entry = await imgA();
  const cache = new ImageCache({ maxBytes: 24 * 16 * 3 * 4 * 2 });
  const opts = { targetSize: 16, maxSize: 100, cache };
  const a = await prepareImageBlob(entry, VOC_CLASSES, { ...opts, flip: false });
  const b = await prepareImageBlob(entry, VOC_CLASSES, { ...opts, flip: false });
  assert.equal(a.pixels, b.pixels, 'same cached array');
  await prepareImageBlob(entry, VOC_CLASSES, { ...opts, flip: true });
  assert.deepEqual(cache.stats(), { entries: 2, bytes: 24 * 16 * 3 * 4 * 2, hits: 1, misses: 2, evictions: 0 });
  await prepareImageBlob(entry, VOC_CLASSES, { ...opts, flip: false, targetSize: 8 });
  const s = cache.stats();
  assert.equal(s.evictions, 1);
  assert.ok(s.bytes <= cache.maxBytes);
  // The cached flip=false pixels went first (least recently used).
  const c = await prepareImageBlob(entry, VOC_CLASSES, { ...opts, flip: false });
  assert.notEqual(c.pixels, a.pixels);
  assert.deepEqual(c.pixels, a.pixels);
});

test('an annotation that disagrees with the image, or a class outside the list, is an InputError', async () => {
  const entry = { ...(await imgA()), width: 13 };
  await assert.rejects(prepareImageBlob(entry, VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: false }), /img_a\.png: image is 12x8 but its annotation says 13x8/);
  await assert.rejects(prepareImageBlob(await imgA(), ['cat'], { targetSize: 16, maxSize: 100, flip: false }), /img_a\.png: object 1 \("dog"\): class not in \[cat\]/);
});

test('hasTrainingTargets ignores crowd and (unless kept) difficult objects', () => {
  const base: ImageEntry = { id: 'x', file: '/x.jpg', width: 10, height: 10, objects: [] };
  const obj = { name: 'dog', box: [0, 0, 1, 1] as [number, number, number, number], difficult: false };
  assert.equal(hasTrainingTargets(base), false);
  assert.equal(hasTrainingTargets({ ...base, objects: [obj] }), true);
  assert.equal(hasTrainingTargets({ ...base, objects: [{ ...obj, crowd: true }] }), false);
  assert.equal(hasTrainingTargets({ ...base, objects: [{ ...obj, difficult: true }] }), false);
  assert.equal(hasTrainingTargets({ ...base, objects: [{ ...obj, difficult: true }] }, true), true);
});

test('readImage lets images come from elsewhere than the file system (e.g. an object store)', async () => {
  const { readFile } = await import('node:fs/promises');
  const entry = { ...(await imgA()), file: 'datasets/voc-mini/JPEGImages/img_a.png' };
  const requested: string[] = [];
  const readImage = async (key: string) => {
    requested.push(key);
    return readFile(new URL('../fixtures/data/voc-mini/JPEGImages/img_a.png', import.meta.url));
  };
  const blob = await prepareImageBlob(entry, VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: false, readImage });
  assert.deepEqual(requested, ['datasets/voc-mini/JPEGImages/img_a.png']);
  close(pixel(blob.pixels, 24, 0, 0), [200 - M0, -M1, -M2]);
  await assert.rejects(prepareImageBlob(entry, VOC_CLASSES, { targetSize: 16, maxSize: 100, flip: false }), /datasets\/voc-mini\/JPEGImages\/img_a\.png: image file not found/);
});

test('at scale 1 the blob is the mean-subtracted image itself', async () => {
  const { decodeImage } = await import('../../src/data/image-io.ts');
  const entry = await imgA();
  const blob = await prepareImageBlob(entry, VOC_CLASSES, { targetSize: 8, maxSize: 100, flip: false });
  assert.deepEqual([blob.width, blob.height, blob.scale], [12, 8, 1]);
  const img = await decodeImage(entry.file);
  assert.deepEqual(blob.pixels, Float32Array.from(img.data, (v, i) => v - DEFAULT_PIXEL_MEANS[i % 3]));
  assert.deepEqual(Array.from(blob.gtBoxes), [2, 1, 4, 2]);
});
