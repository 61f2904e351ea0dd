/**
 * `frcnn pretrain`: crops are labelled right (objects with their class, background away from
 * every object), the classifier learns on a small dataset, and the written weights are the
 * backbone's, loaded by name by `frcnn train --init`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareImageBlob } from '../../../src/data/blob.ts';
import { generateShapesDataset } from '../../../src/data/shapes-dataset.ts';
import { loadVocDataset } from '../../../src/data/voc.ts';
import { setupCompute } from '../../../src/detection/compute.ts';
import { boxIouInto } from '../../../src/detection/ops/boxes.ts';
import { drawCrop } from '../../../src/detection/pretrain/crops.ts';
import { runPretrainCommand } from '../../../src/detection/pretrain/pretrain-command.ts';
import { runTrainCommand } from '../../../src/detection/training/train-command.ts';
import { loadCheckpoint } from '../../../src/detection/training/checkpoint.ts';
import { directoryIOHandler } from '../../../src/storage/tfjs-io.ts';
import { Rng } from '../../../src/util/rng.ts';

let dir: string;
let dataset: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frcnn-pretrain-'));
  dataset = join(dir, 'shapes');
  await generateShapesDataset({ out: dataset, train: 12, test: 2, size: 96, seed: 21 });
  await setupCompute('wasm', 1);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('crops: an object crop covers its object and carries its class; background crops overlap no object by more than 0.3 IoU', async () => {
  const ds = await loadVocDataset(dataset);
  const images = await Promise.all(ds.split('trainval').map((e) => prepareImageBlob(e, ds.classes, { targetSize: 96, maxSize: 96, flip: false })));
  const rng = new Rng(4);
  let objects = 0;
  let background = 0;
  for (let k = 0; k < 400; k++) {
    const c = drawCrop(images, rng);
    const img = images[c.image];
    const ious = boxIouInto(Float32Array.from(c.box), img.gtBoxes, new Float64Array(img.gtClasses.length));
    if (c.label === 0) {
      background++;
      assert.ok(ious.every((v) => v <= 0.3), `background crop ${c.box} overlaps an object`);
    } else {
      objects++;
      // Some gt of that class lies (nearly) inside the crop: margin ≥ 0, shift ≤ 10 %.
      const inside = Array.from(img.gtClasses).some((cls, g) => {
        if (cls !== c.label) return false;
        const [x1, y1, x2, y2] = img.gtBoxes.subarray(4 * g, 4 * g + 4);
        const w = x2 - x1 + 1;
        const h = y2 - y1 + 1;
        return c.box[0] <= x1 + 0.1 * w + 1e-3 && c.box[1] <= y1 + 0.1 * h + 1e-3 && c.box[2] >= x2 - 0.1 * w - 1e-3 && c.box[3] >= y2 - 0.1 * h - 1e-3;
      });
      assert.ok(inside, `object crop ${c.box} (class ${c.label}) holds no object of its class`);
    }
  }
  // About a quarter background.
  assert.ok(background > 60 && background < 150, `${background} background of 400`);
  assert.ok(objects > 0);
});

test('pretraining lowers the crop loss, writes only backbone weights, and --init loads them by name', async () => {
  const out = join(dir, 'm0');
  const r = await runPretrainCommand({ dataset, backbone: 'small', out, iters: 60, batch: 8, crop: 32, lr: 0.02, seed: 3, split: 'trainval', backend: 'wasm', progress: 'silent' });
  assert.ok(r.loss < Math.log(5) - 0.2, `final loss ${r.loss} vs chance ${Math.log(5).toFixed(3)}`);
  assert.deepEqual([...r.parameters].sort(), ['conv1', 'conv2', 'conv3', 'conv4'].flatMap((l) => ['beta', 'bias', 'gamma', 'weight'].map((p) => `${l}/${p}`)).sort());

  const trained = join(dir, 'det');
  await runTrainCommand({ dataset, backbone: 'small', out: trained, iters: 0, seed: 1, lr: 0.01, warmup: 0, imageSize: 96, checkpointEvery: 0, trainSplit: 'trainval', backend: 'wasm', threads: 1, init: out, progress: 'silent' });
  // The pre-trained file is not a detector checkpoint: its tensors are read with the generic loader.
  const handler = directoryIOHandler(out);
  const artifacts = await handler.load!();
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const det = await loadCheckpoint(directoryIOHandler(join(trained, 'model')), 'det');
  for (const name of r.parameters) assert.deepEqual(det.weights[name].dataSync(), weights[name].dataSync(), name);
  tf.dispose([weights, det.weights, det.slots]);
});
