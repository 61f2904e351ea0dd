/**
 * The training loop shared by train_rpn, train_fast_rcnn and train_joint: one image per
 * iteration from a shuffling, flipping stream; checkpoints (weights, momentum slots,
 * iteration, sampling RNG and stream position) every `ctx.checkpointEvery` iterations and
 * when aborted; resumption from `job.resumeFrom` continues exactly where that checkpoint
 * stopped, so an interrupted stage ends with the same weights as an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { prepareImageBlob } from '../data/blob.ts';
import { flipBoxes } from '../data/flip.ts';
import { ImageCache } from '../data/image-cache.ts';
import { TrainingImageStream } from '../data/training-stream.ts';
import type { ImageEntry } from '../data/types.ts';
import type { FasterRCNN, TrainTargets } from '../detection/faster-rcnn.ts';
import { loadCheckpoint, saveCheckpoint, type TrainingPosition } from '../detection/training/checkpoint.ts';
import type { SgdOptions } from '../detection/training/sgd.ts';
import { DetectorTrainer, NonFiniteLossError, type StepResult } from '../detection/training/trainer.ts';
import type { StageContext } from '../pipeline/executor.ts';
import { NanLossError } from '../pipeline/failures.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { BoxesReader } from '../storage/formats/boxes-file.ts';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { checkpointPrefix, saveModel } from './model-artifact.ts';
import { storeCheckpointHandler } from './store-io.ts';

/** Offsets of the stage's random streams from its seed (as trainJoint: +1 images, +2 sampling). */
const STREAM_SEED_OFFSET = 1;
const SAMPLING_SEED_OFFSET = 2;
/** Loss terms are averaged over this many recent iterations for progress and the result. */
const LOSS_WINDOW = 20;

export interface TrainStageOptions {
  /** The initial model (fresh or from an input); its weights are replaced when resuming. */
  model: FasterRCNN;
  /** What the step optimises: the RPN, the Fast R-CNN head on proposals, or both. */
  targets: 'rpn' | 'head' | 'joint';
  /** Layer-name prefixes kept fixed. */
  frozen: string[];
  entries: ImageEntry[];
  flip: boolean;
  sgd: SgdOptions;
  iterations: number;
  seed: number;
  /** Proposals per image in original-image pixels (head training on stored proposals). */
  proposals?: BoxesReader;
  resumeFrom?: string;
}

export interface TrainStageResult {
  iterations: number;
  /** Iteration the stage started from (0, or the checkpoint's). */
  resumedAt: number;
  seconds: number;
  imagesPerSecond: number;
  finalLosses: Record<string, number>;
  /** Where the final model was written. */
  model: string;
}

function meanLosses(steps: readonly StepResult[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const s of steps) for (const [k, v] of Object.entries(s.losses)) sums[k] = (sums[k] ?? 0) + (v ?? 0);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(sums)) out[k] = v / Math.max(steps.length, 1);
  return out;
}

/** Proposals of `entry` for a training blob: flipped with the image, scaled to network pixels. */
async function blobProposals(reader: BoxesReader, entry: ImageEntry, flip: boolean, scale: number): Promise<Float32Array> {
  if (!reader.has(entry.id)) throw new InputError(`proposals of image ${entry.id}`, `the proposals file (${reader.imageCount} images) has no entry for this training image`);
  const { boxes } = await reader.get(entry.id);
  const out = flip ? flipBoxes(boxes, entry.width) : Float32Array.from(boxes);
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}

export async function runTrainingStage(store: ObjectStore, ctx: StageContext<ObjectStore>, o: TrainStageOptions): Promise<TrainStageResult> {
  const { model } = o;
  model.config.freeze = [...o.frozen];
  let position: TrainingPosition | undefined;
  let slots: tf.NamedTensorMap | undefined;
  if (o.resumeFrom) {
    const ck = await loadCheckpoint(storeCheckpointHandler(store, o.resumeFrom), `${store.location}/${o.resumeFrom}`);
    position = ck.metadata.training;
    if (!position) throw new InputError(o.resumeFrom, 'checkpoint has no training position to resume from');
    if (position.maxIters !== o.iterations || position.seed !== o.seed) {
      throw new InputError(o.resumeFrom, `checkpoint is of a run with ${position.maxIters} iterations and seed ${position.seed}, this stage has ${o.iterations} and ${o.seed}`);
    }
    model.setWeights(ck.weights, { source: o.resumeFrom });
    tf.dispose(ck.weights);
    slots = ck.slots;
    ctx.log.info({ checkpoint: o.resumeFrom, iteration: position.iteration }, 'resuming from checkpoint');
  }
  const stream = position?.stream
    ? TrainingImageStream.restore(o.entries, position.stream)
    : new TrainingImageStream(o.entries, { flipped: o.flip, rng: new Rng(o.seed + STREAM_SEED_OFFSET) });
  const rng = new Rng(position ? position.rng : o.seed + SAMPLING_SEED_OFFSET);
  const trainer = new DetectorTrainer(model, o.sgd, rng, position?.iteration ?? 0);
  if (slots) {
    trainer.optimizer.setState(slots, trainer.trainableParams);
    tf.dispose(slots);
  }
  const cfg = model.config;
  const cache = new ImageCache();
  const positionNow = (): TrainingPosition => ({ iteration: trainer.iteration, rng: rng.state(), stream: stream.state(), sgd: o.sgd, maxIters: o.iterations, seed: o.seed });
  const recent: StepResult[] = [];
  const resumedAt = trainer.iteration;
  const start = performance.now();
  let lastCheckpoint: { iteration: number; ref: string } | undefined;

  const checkpoint = async (): Promise<void> => {
    if (lastCheckpoint?.iteration === trainer.iteration || trainer.iteration === resumedAt) return;
    const ref = checkpointPrefix(ctx.artifactPrefix, trainer.iteration);
    ctx.progress({ done: trainer.iteration, total: o.iterations, unit: 'it', message: 'writing checkpoint' });
    await saveCheckpoint(storeCheckpointHandler(store, ref), model, { optimizer: trainer.optimizer, training: positionNow() });
    const recorded = ctx.checkpoint(ref);
    // Only the newest checkpoint of this attempt is needed (earlier attempts' stay for their own
    // records), but the previous one is what a resumed attempt gets until this one is recorded:
    // it goes then, while training goes on.
    const previous = lastCheckpoint;
    if (previous) {
      recorded.then(
        () => store.deletePrefix(previous.ref),
        () => undefined,
      ).catch((err: unknown) => ctx.log.warn({ err, checkpoint: previous.ref }, 'could not delete a superseded checkpoint'));
    }
    lastCheckpoint = { iteration: trainer.iteration, ref };
  };

  try {
    while (trainer.iteration < o.iterations) {
      if (ctx.signal.aborted) {
        await checkpoint();
        throw ctx.signal.reason;
      }
      const sample = stream.next();
      const blob = await prepareImageBlob(sample.entry, cfg.classes, { targetSize: cfg.imageTargetSize, maxSize: cfg.imageMaxSize, flip: sample.flip, cache });
      let targets: TrainTargets;
      if (o.targets === 'rpn') targets = { rpn: true, head: false };
      else if (o.targets === 'joint') targets = { rpn: true, head: true };
      else {
        if (!o.proposals) throw new InputError('train_fast_rcnn', 'no proposals to train the head on');
        targets = { rpn: false, head: true, proposals: await blobProposals(o.proposals, sample.entry, sample.flip, blob.scale) };
      }
      let step: StepResult;
      try {
        step = trainer.trainStep(blob, targets);
      } catch (err) {
        if (err instanceof NonFiniteLossError) {
          const kept = lastCheckpoint ? `last good checkpoint ${lastCheckpoint.ref} (iteration ${lastCheckpoint.iteration})` : 'no checkpoint written yet';
          throw new NanLossError(`${err.message.replace(/ \(.*\)$/, '')} (${kept})`, { cause: err });
        }
        throw err;
      }
      recent.push(step);
      if (recent.length > LOSS_WINDOW) recent.shift();
      const seconds = (performance.now() - start) / 1000;
      const rate = (trainer.iteration - resumedAt) / Math.max(seconds, 1e-9);
      ctx.progress({ done: trainer.iteration, total: o.iterations, unit: 'it', losses: meanLosses(recent), message: `${rate.toFixed(2)} img/s, lr ${step.lr.toPrecision(3)}` });
      if (ctx.checkpointEvery > 0 && trainer.iteration % ctx.checkpointEvery === 0 && trainer.iteration < o.iterations) await checkpoint();
    }
    const seconds = (performance.now() - start) / 1000;
    const at = await saveModel(store, ctx.artifactPrefix, model);
    return {
      iterations: trainer.iteration,
      resumedAt,
      seconds,
      imagesPerSecond: (trainer.iteration - resumedAt) / Math.max(seconds, 1e-9),
      finalLosses: meanLosses(recent),
      model: at,
    };
  } finally {
    trainer.dispose();
  }
}
