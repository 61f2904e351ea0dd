/**
 * Data-parallel replicas: a step over two copies equals the serial mean-of-two-gradients step,
 * the worker's weights and momentum stay bit-identical to the main copy's, and a run resumed
 * from a checkpoint continues exactly (the workers' sampling RNGs travel in the checkpoint).
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
import type { ImageBlob } from '../../../src/data/types.ts';
import { setupCompute } from '../../../src/detection/compute.ts';
import { FasterRCNN } from '../../../src/detection/faster-rcnn.ts';
import { defaultModelConfig } from '../../../src/detection/model-config.ts';
import { loadCheckpoint } from '../../../src/detection/training/checkpoint.ts';
import { ReplicaPool, replicaSeed } from '../../../src/detection/training/replicas/replica-pool.ts';
import { defaultSgdOptions } from '../../../src/detection/training/sgd.ts';
import { runTrainCommand, type TrainCommandOptions } from '../../../src/detection/training/train-command.ts';
import { DetectorTrainer } from '../../../src/detection/training/trainer.ts';
import { directoryIOHandler } from '../../../src/storage/tfjs-io.ts';
import { Rng } from '../../../src/util/rng.ts';

let dir: string;
let dataset: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frcnn-replicas-'));
  dataset = join(dir, 'shapes');
  await generateShapesDataset({ out: dataset, train: 6, test: 2, size: 96, seed: 8 });
  await setupCompute('wasm', 1);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function blobs(classes: string[]): Promise<ImageBlob[]> {
  const ds = await loadVocDataset(dataset, { keepDifficult: true });
  return Promise.all(ds.split('trainval').slice(0, 6).map((e, i) => prepareImageBlob(e, classes, { targetSize: 96, maxSize: 96, flip: i % 2 === 1 })));
}

function makeTrainer(classes: string[]): DetectorTrainer {
  const config = { ...defaultModelConfig('small'), classes, backboneWidth: 0.25, rpnChannels: 32, fcChannels: 32, imageTargetSize: 96, imageMaxSize: 96 };
  const model = FasterRCNN.create(config, 11);
  return new DetectorTrainer(model, { ...defaultSgdOptions(0.01), steps: [2] }, new Rng(5));
}

test('two replicas take the same step as the serial batch step on one thread, and stay bit-identical', async () => {
  const classes = ['circle', 'cross', 'square', 'triangle'];
  const images = await blobs(classes);
  const targets = { rpn: true, head: true };

  const parallel = makeTrainer(classes);
  const pool = await ReplicaPool.start(parallel, { workers: 1, backend: 'wasm', rngs: [replicaSeed(5, 1)] });
  const serial = makeTrainer(classes);
  const serialRng2 = new Rng(replicaSeed(5, 1));
  try {
    for (let it = 0; it < 3; it++) {
      const [a, b] = [images[2 * it], images[2 * it + 1]];
      const step = await pool.step(parallel, [
        { blob: a, targets },
        { blob: b, targets },
      ]);
      assert.equal(step.images, 2);

      // The serial batch step on one thread: image a with the main RNG, image b with the replica's.
      const serialStep = serial.batchStep(
        [
          { blob: a, targets },
          { blob: b, targets },
        ],
        [serial.rng, serialRng2],
      );
      assert.equal(serialStep.images, 2);
      assert.equal(serialStep.losses.total, step.losses.total, `iteration ${it}: same mean loss`);
    }
    const p = parallel.model.getWeights();
    const s = serial.model.getWeights();
    const replica = await pool.replicaState(1);
    const main = parallel.optimizer.getState();
    for (const name of Object.keys(p)) {
      const mine = p[name].dataSync();
      assert.deepEqual(Array.from(replica.weights[name].data), Array.from(mine), `replica ${name}`);
      assert.deepEqual(Array.from(s[name].dataSync()), Array.from(mine), `serial ${name}`);
    }
    for (const name of Object.keys(main)) assert.deepEqual(Array.from(replica.slots[name].data), Array.from(main[name].dataSync()), name);
    tf.dispose([p, s, main]);
  } finally {
    await pool.close();
    parallel.dispose();
    serial.dispose();
    parallel.model.dispose();
    serial.model.dispose();
  }
});

function options(out: string, iters: number): TrainCommandOptions {
  return {
    dataset,
    backbone: 'small',
    out,
    iters,
    seed: 4,
    lr: 0.01,
    steps: [4],
    warmup: 2,
    imageSize: 96,
    width: 0.25,
    checkpointEvery: 0,
    trainSplit: 'trainval',
    backend: 'wasm',
    replicas: 2,
    progress: 'silent',
  };
}

test('frcnn train --replicas 2 resumes exactly, even on one thread: the batch RNGs are in the checkpoint', async () => {
  const whole = await runTrainCommand(options(join(dir, 'whole'), 4));
  assert.equal(whole.replicas, 2);
  assert.equal(whole.batch, 2);
  await runTrainCommand(options(join(dir, 'split'), 2));
  const first = await loadCheckpoint(directoryIOHandler(join(dir, 'split', 'model')), 'split');
  assert.equal(first.metadata.training?.replicas?.length, 1);
  // The second half with both images of each iteration on this thread (as when a core is busy).
  const resumed = await runTrainCommand({ ...options(join(dir, 'split'), 4), replicas: 1, batch: 2, resume: join(dir, 'split', 'model') });
  assert.equal(resumed.replicas, 1);
  assert.equal(resumed.batch, 2);
  const a = await loadCheckpoint(directoryIOHandler(join(dir, 'whole', 'model')), 'whole');
  const b = await loadCheckpoint(directoryIOHandler(join(dir, 'split', 'model')), 'split');
  assert.equal(b.metadata.training?.iteration, 4);
  for (const name of Object.keys(a.weights)) assert.deepEqual(Array.from(b.weights[name].dataSync()), Array.from(a.weights[name].dataSync()), name);
});
