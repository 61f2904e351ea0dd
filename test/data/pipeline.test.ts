import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareImageBlob } from '../../src/data/blob.ts';
import { ImageCache } from '../../src/data/image-cache.ts';
import { generateShapesDataset } from '../../src/data/shapes-dataset.ts';
import { TrainingImageStream } from '../../src/data/training-stream.ts';
import { loadVocDataset } from '../../src/data/voc.ts';
import { Rng } from '../../src/util/rng.ts';

/**
 * Generate → load → stream (with flips) → blob: in the network's pixels, every isolated square's
 * ground-truth box must sit on the square — its inner corners share the colour of its centre.
 * A box that is not flipped with the image, or scaled differently, lands on background.
 */
test('blob ground truth lines up with blob pixels through flips and rescaling', async () => {
  const out = await mkdtemp(join(tmpdir(), 'frcnn-pipeline-'));
  await generateShapesDataset({ out, train: 24, test: 0, width: 96, height: 72, seed: 11, format: 'png' });
  const ds = await loadVocDataset(out);
  const entries = ds.split('train');
  const stream = new TrainingImageStream(entries, { flipped: true, rng: new Rng(5) });
  const cache = new ImageCache();
  let checked = 0;
  let flippedChecked = 0;
  for (let i = 0; i < stream.epochSize; i++) {
    const { entry, flip } = stream.next();
    const blob = await prepareImageBlob(entry, ds.classes, { targetSize: 144, maxSize: 1000, flip, cache, pixelMeans: [0, 0, 0] });
    assert.equal(blob.scale, 2);
    assert.deepEqual([blob.width, blob.height], [192, 144]);
    const square = ds.classes.indexOf('square') + 1;
    for (let k = 0; k < blob.gtClasses.length; k++) {
      const [x1, y1, x2, y2] = blob.gtBoxes.subarray(4 * k, 4 * k + 4);
      const isolated = entry.objects.every((o, j) => {
        if (j === k) return true;
        const [a1, b1, a2, b2] = o.box.map((v) => v * 2);
        const ox1 = flip ? blob.width - a2 - 2 : a1; // loose overlap test in network pixels
        const ox2 = flip ? blob.width - a1 : a2;
        return ox2 < x1 - 4 || ox1 > x2 + 4 || b2 < y1 - 4 || b1 > y2 + 4;
      });
      if (blob.gtClasses[k] !== square || !isolated || x2 - x1 < 16) continue;
      const px = (x: number, y: number) => {
        const o = (Math.round(y) * blob.width + Math.round(x)) * 3;
        return [blob.pixels[o], blob.pixels[o + 1], blob.pixels[o + 2]];
      };
      // Average a 3x3 patch to tame the per-pixel noise.
      const patch = (x: number, y: number) => {
        const s = [0, 0, 0];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) px(x + dx, y + dy).forEach((v, c) => (s[c] += v / 9));
        return s;
      };
      const centre = patch((x1 + x2) / 2, (y1 + y2) / 2);
      for (const [cx, cy] of [
        [x1 + 4, y1 + 4],
        [x2 - 4, y1 + 4],
        [x1 + 4, y2 - 4],
        [x2 - 4, y2 - 4],
      ]) {
        const d = Math.hypot(...patch(cx, cy).map((v, c) => v - centre[c]));
        assert.ok(d < 30, `${entry.id} flip=${flip} square ${k}: corner (${cx}, ${cy}) differs from the centre by ${d.toFixed(1)}`);
      }
      // …and just outside its left/right edges the background shows (the generator keeps shapes in contrast).
      const outside = [x1 - 4, x2 + 4].filter((x) => x >= 1 && x <= blob.width - 2).map((x) => Math.hypot(...patch(x, (y1 + y2) / 2).map((v, c) => v - centre[c])));
      assert.ok(outside.length === 0 || Math.max(...outside) > 45, `${entry.id} flip=${flip} square ${k}: no edge around the box (${outside.map((d) => d.toFixed(1))})`);
      checked++;
      if (flip) flippedChecked++;
    }
  }
  assert.ok(checked >= 6 && flippedChecked >= 3, `checked ${checked} squares (${flippedChecked} flipped)`);
});
