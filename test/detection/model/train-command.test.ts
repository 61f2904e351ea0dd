import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateShapesDataset } from '../../../src/data/shapes-dataset.ts';
import { runTrainCommand, type TrainCommandOptions } from '../../../src/detection/training/train-command.ts';
import { runDetectCommand } from '../../../src/detection/detect-command.ts';
import { directoryIOHandler } from '../../../src/storage/tfjs-io.ts';
import { loadCheckpoint, loadDetector, saveCheckpoint } from '../../../src/detection/training/checkpoint.ts';
import { FasterRCNN } from '../../../src/detection/faster-rcnn.ts';
import * as tf from '@tensorflow/tfjs-core';

let dir: string;
let dataset: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frcnn-train-cmd-'));
  dataset = join(dir, 'shapes');
  await generateShapesDataset({ out: dataset, train: 6, test: 3, size: 96, seed: 5 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(out: string, iters: number): TrainCommandOptions {
  return {
    dataset,
    backbone: 'small',
    out,
    iters,
    seed: 3,
    lr: 0.01,
    steps: [4],
    warmup: 2,
    imageSize: 96,
    checkpointEvery: 3,
    trainSplit: 'trainval',
    testSplit: 'test',
    backend: 'wasm',
    threads: 1,
    progress: 'silent',
  };
}

test('end2end training writes checkpoint, model, detections in both formats, and scores them', async () => {
  const out = join(dir, 'run-a');
  const r = await runTrainCommand(options(out, 6));
  assert.equal(r.iterations, 6);
  assert.ok(r.eval, 'no evaluation');
  assert.equal(r.eval.images, 3);
  assert.ok(r.eval.mAP07 >= 0 && r.eval.mAP07 <= 1, `mAP07 ${r.eval.mAP07}`);
  assert.deepEqual(r.eval.perClass.map((c) => c.name).sort(), ['circle', 'cross', 'square', 'triangle']);
  for (const sub of ['checkpoint', 'model']) assert.ok((await readdir(join(out, sub))).includes('model.json'), `${sub}/model.json`);
  const files = (await readdir(join(out, 'detections'))).sort();
  assert.deepEqual(files, ['comp4_det_test_circle.txt', 'comp4_det_test_cross.txt', 'comp4_det_test_square.txt', 'comp4_det_test_triangle.txt', 'detections.json']);
  const ckpt = await loadCheckpoint(directoryIOHandler(join(out, 'checkpoint')), 'checkpoint');
  assert.equal(ckpt.metadata.training?.iteration, 3);
});

test('resuming from an iteration-3 checkpoint ends with the same weights as the uninterrupted run', async () => {
  const out = join(dir, 'run-b');
  await runTrainCommand({ ...options(out, 3), testSplit: undefined });
  // The 3-iteration run's final model is also a resumable checkpoint; continue it to 6.
  const resumed = await runTrainCommand({ ...options(out, 6), resume: join(out, 'model'), testSplit: undefined });
  assert.equal(resumed.iterations, 3);
  const a = await loadCheckpoint(directoryIOHandler(join(dir, 'run-a', 'model')), 'run-a');
  const b = await loadCheckpoint(directoryIOHandler(join(out, 'model')), 'run-b');
  assert.equal(b.metadata.training?.iteration, 6);
  for (const name of ['conv1/weight', 'conv4/gamma', 'rpn_cls_score/weight', 'fc6/weight', 'bbox_pred/bias']) {
    assert.deepEqual(Array.from(b.weights[name].dataSync()), Array.from(a.weights[name].dataSync()), name);
  }
  assert.deepEqual(Array.from(b.slots['momentum/fc7/weight'].dataSync()), Array.from(a.slots['momentum/fc7/weight'].dataSync()));
});

/**
 * The 6-iteration model with no score threshold: it scores nothing above the usual 0.05, and
 * the detect tests need detections to compare.
 */
async function unthresholdedModel(): Promise<string> {
  const where = join(dir, 'run-a-thresh0');
  const { model, checkpoint } = await loadDetector(directoryIOHandler(join(dir, 'run-a', 'model')), 'run-a');
  tf.dispose([checkpoint.weights, checkpoint.slots]);
  const copy = FasterRCNN.create({ ...model.config, boxScoreThresh: 0 }, 0);
  const weights = model.getWeights();
  copy.setWeights(weights, { source: 'run-a' });
  await saveCheckpoint(directoryIOHandler(where), copy);
  tf.dispose(weights);
  model.dispose();
  copy.dispose();
  return where;
}

test('frcnn detect writes COCO results and 1-based comp4 lines', async () => {
  const out = join(dir, 'dets');
  const r = await runDetectCommand({ model: await unthresholdedModel(), dataset, split: 'test', out, backend: 'wasm', threads: 1, progress: 'silent' });
  assert.equal(r.images, 3);
  assert.ok(r.detections > 0);
  const coco = JSON.parse(await readFile(r.json, 'utf8')) as Array<{ image_id: number; category_id: number; bbox: number[]; score: number }>;
  assert.equal(coco.length, r.detections);
  let lines = 0;
  for (const file of r.voc) {
    for (const line of (await readFile(file, 'utf8')).split('\n').filter(Boolean)) {
      const [id, score, x1, y1, x2, y2] = line.split(' ');
      assert.match(id, /^\d+$/);
      assert.ok(Number(score) >= 0 && Number(score) <= 1);
      assert.ok(Number(x1) >= 1 && Number(y1) >= 1 && Number(x2) <= 96 && Number(y2) <= 96 && Number(x2) >= Number(x1), line);
      lines++;
    }
  }
  assert.equal(lines, r.detections);
  for (const d of coco) {
    assert.ok(d.category_id >= 1 && d.category_id <= 4);
    assert.equal(d.bbox.length, 4);
    assert.ok(d.bbox[2] >= 1 && d.bbox[3] >= 1);
  }
});

test('frcnn detect on worker threads writes the same detections as on one thread, in image order', async () => {
  const model = join(dir, 'run-a-thresh0');
  const one = await runDetectCommand({ model, dataset, split: 'test', out: join(dir, 'dets-1'), backend: 'wasm', workers: 0, progress: 'silent' });
  const three = await runDetectCommand({ model, dataset, split: 'test', out: join(dir, 'dets-3'), backend: 'wasm', workers: 2, progress: 'silent' });
  assert.equal(one.copies, 1);
  assert.equal(three.copies, 3);
  assert.ok(one.detections > 0);
  assert.equal(await readFile(three.json, 'utf8'), await readFile(one.json, 'utf8'));
  for (let k = 0; k < one.voc.length; k++) assert.equal(await readFile(three.voc[k], 'utf8'), await readFile(one.voc[k], 'utf8'));
});

test('--init takes backbone and fc layers by name from a checkpoint, never the detection layers', async () => {
  const out = join(dir, 'run-init');
  await runTrainCommand({ ...options(out, 0), seed: 99, init: join(dir, 'run-a', 'model'), testSplit: undefined });
  const src = await loadCheckpoint(directoryIOHandler(join(dir, 'run-a', 'model')), 'run-a');
  const got = await loadCheckpoint(directoryIOHandler(join(out, 'model')), 'run-init');
  for (const name of ['conv1/weight', 'conv3/gamma', 'fc6/weight', 'fc7/bias']) {
    assert.deepEqual(Array.from(got.weights[name].dataSync()), Array.from(src.weights[name].dataSync()), name);
  }
  for (const name of ['rpn_conv/3x3/weight', 'cls_score/weight', 'bbox_pred/weight']) {
    assert.notDeepEqual(Array.from(got.weights[name].dataSync()), Array.from(src.weights[name].dataSync()), name);
  }
});
