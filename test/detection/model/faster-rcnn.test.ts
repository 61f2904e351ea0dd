import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setupCompute } from '../../../src/detection/compute.ts';
import { FasterRCNN } from '../../../src/detection/faster-rcnn.ts';
import { DetectorTrainer, NonFiniteLossError } from '../../../src/detection/training/trainer.ts';
import { defaultSgdOptions } from '../../../src/detection/training/sgd.ts';
import { loadCheckpoint, loadDetector, saveCheckpoint } from '../../../src/detection/training/checkpoint.ts';
import { RPN_LAYERS } from '../../../src/detection/rpn.ts';
import { Rng } from '../../../src/util/rng.ts';
import { syntheticBlob, tinyConfig } from './helpers.ts';

// wasm with the backend's training kernels: the cpu backend's conv filter gradient takes ~10 s per step here.
await setupCompute('wasm', 1);

function memoryHandler() {
  let saved: tf.io.ModelArtifacts | undefined;
  return {
    save: tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    load: () => {
      assert.ok(saved, 'nothing saved');
      return tf.io.fromMemory(saved);
    },
  };
}

test('a train step reports every loss term, updates unfrozen layers only, and keeps memory flat', () => {
  const config = { ...tinyConfig(), freeze: ['conv1'] };
  const model = FasterRCNN.create(config, 1);
  const trainer = new DetectorTrainer(model, defaultSgdOptions(0.01), new Rng(2));
  const before = model.getWeights();
  const blob = syntheticBlob(3);
  const first = trainer.trainStep(blob);
  for (const k of ['rpnCls', 'rpnBox', 'cls', 'box', 'total'] as const) assert.ok(Number.isFinite(first.losses[k]), `${k} = ${first.losses[k]}`);
  // Fresh classifiers: log 2 for the RPN's two classes, log 3 for the head's K+1 = 3.
  assert.ok(Math.abs(first.losses.rpnCls! - Math.LN2) < 0.05, `rpnCls ${first.losses.rpnCls}`);
  assert.ok(Math.abs(first.losses.cls! - Math.log(3)) < 0.3, `cls ${first.losses.cls}`);
  const after = model.getWeights();
  const changed = (name: string) => tf.max(tf.abs(tf.sub(before[name], after[name]))).dataSync()[0] > 0;
  assert.equal(changed('conv1/weight'), false, 'frozen conv1 moved');
  for (const name of ['conv2/weight', 'conv4/bias', 'rpn_cls_score/weight', 'fc6/weight', 'bbox_pred/weight']) assert.ok(changed(name), `${name} did not move`);
  tf.dispose([before, after]);
  trainer.trainStep(syntheticBlob(4));
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) trainer.trainStep(syntheticBlob(5 + i));
  assert.equal(tf.memory().numTensors, tensors, 'tensors leaked across train steps');
  trainer.dispose();
  model.dispose();
});

test('repeated steps on one image reduce its loss', () => {
  const model = FasterRCNN.create(tinyConfig(), 11);
  const trainer = new DetectorTrainer(model, { ...defaultSgdOptions(0.005), weightDecay: 0 }, new Rng(12));
  const blob = syntheticBlob(13);
  const first = trainer.trainStep(blob).losses.total;
  let last = first;
  for (let i = 0; i < 14; i++) last = trainer.trainStep(blob).losses.total;
  assert.ok(last < 0.7 * first, `loss ${first} → ${last}`);
  trainer.dispose();
  model.dispose();
});

test('detect returns at most boxDetectionsPerImg boxes inside the original image, classes 1..K, scores sorted', () => {
  const config = { ...tinyConfig(), boxScoreThresh: 0, boxDetectionsPerImg: 7 };
  const model = FasterRCNN.create(config, 21);
  const blob = { ...syntheticBlob(22), scale: 0.5 }; // the original image was 96×96
  const tensors = tf.memory().numTensors;
  const dets = model.detect(blob);
  assert.equal(tf.memory().numTensors, tensors, 'detect leaked tensors');
  assert.ok(dets.scores.length > 0 && dets.scores.length <= 7);
  for (let i = 0; i < dets.scores.length; i++) {
    assert.ok(dets.classes[i] >= 1 && dets.classes[i] <= 2);
    if (i > 0) assert.ok(dets.scores[i] <= dets.scores[i - 1]);
    for (let j = 0; j < 4; j++) assert.ok(dets.boxes[4 * i + j] >= 0 && dets.boxes[4 * i + j] <= 95);
  }
  model.dispose();
});

test('checkpoints round-trip weights, optimizer slots and training position; partial loads by layer', async () => {
  const model = FasterRCNN.create(tinyConfig(), 31);
  const trainer = new DetectorTrainer(model, defaultSgdOptions(0.01), new Rng(32));
  trainer.trainStep(syntheticBlob(33));
  const mem = memoryHandler();
  await saveCheckpoint(mem.save, model, { optimizer: trainer.optimizer, training: { iteration: 1, rng: trainer.rng.state(), sgd: trainer.optimizer.opts, maxIters: 10, seed: 3 } });
  const { model: copy, checkpoint } = await loadDetector(mem.load(), 'memory');
  assert.equal(checkpoint.metadata.training?.iteration, 1);
  assert.deepEqual(checkpoint.metadata.config, model.config);
  assert.ok(Object.keys(checkpoint.slots).includes('momentum/fc6/weight'));
  const blob = syntheticBlob(34);
  const a = model.detect(blob);
  const b = copy.detect(blob);
  assert.deepEqual(Array.from(b.scores), Array.from(a.scores));
  assert.deepEqual(Array.from(b.boxes), Array.from(a.boxes));

  // Assemble: a fresh model takes only the RPN layers of the checkpoint.
  const other = FasterRCNN.create(tinyConfig(), 99);
  const loaded = await loadCheckpoint(mem.load(), 'memory');
  const set = other.setWeights(loaded.weights, { only: RPN_LAYERS });
  assert.deepEqual(set.sort(), ['rpn_bbox_pred/bias', 'rpn_bbox_pred/weight', 'rpn_cls_score/bias', 'rpn_cls_score/weight', 'rpn_conv/3x3/bias', 'rpn_conv/3x3/weight']);
  const w = other.getWeights();
  assert.deepEqual(Array.from(w['rpn_cls_score/weight'].dataSync()), Array.from(loaded.weights['rpn_cls_score/weight'].dataSync()));
  assert.notDeepEqual(Array.from(w['conv1/weight'].dataSync()), Array.from(loaded.weights['conv1/weight'].dataSync()));
  // A shape mismatch names the parameter.
  assert.throws(() => other.setWeights({ 'fc7/weight': tf.zeros([3, 3]) }, { only: ['fc7'] }), /fc7\/weight has shape \[3,3\]/);
  tf.dispose([w, loaded.weights, loaded.slots, checkpoint.weights, checkpoint.slots]);
  for (const m of [model, copy, other]) m.dispose();
  trainer.dispose();
});

test('a NaN loss stops with an error naming the iteration and term, leaving the weights untouched', () => {
  const model = FasterRCNN.create(tinyConfig(), 41);
  const trainer = new DetectorTrainer(model, defaultSgdOptions(0.01), new Rng(42));
  const blob = syntheticBlob(43);
  // A NaN pixel would not do: XNNPACK's ReLU and max pooling drop NaNs. A NaN classifier bias reaches the loss on any backend.
  model.setWeights({ 'cls_score/bias': tf.fill([3], Number.NaN) }, { only: ['cls_score'], allowMissing: true });
  const before = model.getWeights();
  assert.throws(
    () => trainer.trainStep(blob),
    (err: unknown) => err instanceof NonFiniteLossError && err.iteration === 0 && err.term === 'cls' && /loss term cls is NaN at iteration 1/.test(err.message),
  );
  const after = model.getWeights();
  for (const name of Object.keys(before)) assert.deepEqual(after[name].dataSync(), before[name].dataSync(), name);
  tf.dispose([before, after]);
  trainer.dispose();
  model.dispose();
});
