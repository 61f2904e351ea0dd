/**
 * Approximate joint training (`frcnn train --mode end2end`): one image per iteration drawn by
 * a shuffling, flipping stream; RPN and head losses summed and back-propagated together, the
 * proposals treated as constants. Progress shows the loss terms and the rate; checkpoints go
 * to `checkpoint` every N iterations and to `final` at the end; a NaN/Inf loss stops the run
 * with the last good checkpoint left in place.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { prepareImageBlob } from '../../data/blob.ts';
import { ImageCache } from '../../data/image-cache.ts';
import { TrainingImageStream } from '../../data/training-stream.ts';
import type { DetectionDataset, ImageEntry } from '../../data/types.ts';
import { InputError } from '../../util/errors.ts';
import { createProgress, type ProgressOptions } from '../../util/progress.ts';
import { Rng } from '../../util/rng.ts';
import type { FasterRCNN } from '../faster-rcnn.ts';
import { saveCheckpoint, type LoadedCheckpoint, type TrainingPosition } from './checkpoint.ts';
import type { SgdOptions } from './sgd.ts';
import { ReplicaPool, replicaSeed } from './replicas/replica-pool.ts';
import { DetectorTrainer, NonFiniteLossError, type StepResult } from './trainer.ts';

export interface JointTrainingOptions {
  model: FasterRCNN;
  dataset: DetectionDataset;
  /** Training split (py-faster-rcnn trains on trainval). */
  split: string;
  sgd: SgdOptions;
  /** Total iterations (one image each). */
  maxIters: number;
  seed: number;
  /** Add mirrored images (py-faster-rcnn TRAIN.USE_FLIPPED). @default true */
  flipped?: boolean;
  /** Save a resumable checkpoint every N iterations (0: only at the end). */
  checkpointEvery: number;
  /** Where checkpoints go: `checkpoint` (resumable, overwritten) and `final`. */
  handlers: { checkpoint: () => tf.io.IOHandler; final: () => tf.io.IOHandler };
  /** Names the resumable checkpoint in error messages. */
  checkpointWhere?: string;
  /** Continue from this checkpoint (its model weights must already be in `model`). */
  resume?: LoadedCheckpoint;
  progress?: ProgressOptions['mode'];
  /** Images per iteration (default: `replicas`). The result depends on this, not on `replicas`. */
  batch?: number;
  /**
   * Data-parallel copies of the model computing an iteration's images: 1 (this thread, one
   * image after another) or `batch` (worker threads on `backend`, one image each).
   */
  replicas?: number;
  /** Backend the replica workers start (the running one's name). */
  backend?: string;
  /** Called after every step (tests, logging). */
  onStep?: (step: StepResult) => void;
}

export interface JointTrainingResult {
  iterations: number;
  seconds: number;
  /** Mean of each loss term over the last 20 iterations. */
  finalLosses: Record<string, number>;
}

/** Training images of `split`: entries with at least one non-difficult object. */
export function trainingEntries(dataset: DetectionDataset, split: string): ImageEntry[] {
  const entries = dataset.split(split).filter((e) => e.objects.some((o) => !o.difficult));
  if (entries.length === 0) throw new InputError(`${dataset.source} split ${split}`, 'no training images with objects');
  return entries;
}

/** A batch of `batch` images runs on one copy (one image after another) or on `batch` copies. */
export function checkBatchCopies(batch: number, replicas: number): void {
  if (!(Number.isInteger(batch) && batch >= 1)) throw new InputError('--batch', `expected an integer >= 1, got ${batch}`);
  if (!(Number.isInteger(replicas) && (replicas === 1 || replicas === batch))) throw new InputError('--replicas', `expected 1 or the batch size ${batch}, got ${replicas}`);
}

export async function trainJoint(opts: JointTrainingOptions): Promise<JointTrainingResult> {
  const { model, dataset, maxIters } = opts;
  const entries = trainingEntries(dataset, opts.split);
  const resume = opts.resume?.metadata.training;
  const stream = resume?.stream ? TrainingImageStream.restore(entries, resume.stream) : new TrainingImageStream(entries, { flipped: opts.flipped ?? true, rng: new Rng(opts.seed + 1) });
  const rng = new Rng(resume ? resume.rng : opts.seed + 2);
  const trainer = new DetectorTrainer(model, opts.sgd, rng, resume?.iteration ?? 0);
  if (opts.resume) trainer.optimizer.setState(opts.resume.slots, trainer.trainableParams);
  const cache = new ImageCache();
  const cfg = model.config;
  const replicas = opts.replicas ?? 1;
  const batch = opts.batch ?? replicas;
  checkBatchCopies(batch, replicas);
  // Sampling RNGs of images 1…N−1 of each iteration: in the workers, or here when serial.
  // Resuming with another batch size cannot continue the same sample sequence; it still trains.
  const saved = resume?.replicas;
  const seeds = Array.from({ length: batch - 1 }, (_, k) => (saved?.length === batch - 1 ? saved[k] : replicaSeed(opts.seed + 2, k + 1)));
  let pool: ReplicaPool | undefined;
  let serialRngs: Rng[] = [];
  if (replicas > 1) pool = await ReplicaPool.start(trainer, { workers: replicas - 1, backend: opts.backend ?? 'wasm', rngs: seeds });
  else serialRngs = seeds.map((s) => new Rng(s));
  const position = (): TrainingPosition => ({
    iteration: trainer.iteration,
    rng: rng.state(),
    stream: stream.state(),
    sgd: opts.sgd,
    maxIters,
    seed: opts.seed,
    replicas: pool ? pool.rngs() : batch > 1 ? serialRngs.map((r) => r.state()) : undefined,
  });

  const progress = createProgress({ label: 'train', total: maxIters, unit: 'it', mode: opts.progress });
  const recent: StepResult[] = [];
  const start = performance.now();
  const startIter = trainer.iteration;
  let lastSaved = opts.resume ? startIter : -1;
  try {
    while (trainer.iteration < maxIters) {
      const samples = Array.from({ length: batch }, () => stream.next());
      const blobs = await Promise.all(
        samples.map((sample) => prepareImageBlob(sample.entry, cfg.classes, { targetSize: cfg.imageTargetSize, maxSize: cfg.imageMaxSize, flip: sample.flip, cache })),
      );
      const items = blobs.map((blob) => ({ blob, targets: { rpn: true, head: true } }));
      const step = pool ? await pool.step(trainer, items) : batch > 1 ? trainer.batchStep(items, [rng, ...serialRngs]) : trainer.trainStep(blobs[0], items[0].targets);
      recent.push(step);
      if (recent.length > 20) recent.shift();
      opts.onStep?.(step);
      const mean = meanLosses(recent);
      progress.update(trainer.iteration, {
        loss: mean.total,
        rpn_cls: mean.rpnCls ?? 0,
        rpn_box: mean.rpnBox ?? 0,
        cls: mean.cls ?? 0,
        box: mean.box ?? 0,
        lr: step.lr,
      });
      if (opts.checkpointEvery > 0 && trainer.iteration % opts.checkpointEvery === 0 && trainer.iteration < maxIters) {
        await saveCheckpoint(opts.handlers.checkpoint(), model, { optimizer: trainer.optimizer, training: position() });
        lastSaved = trainer.iteration;
      }
    }
    await saveCheckpoint(opts.handlers.final(), model, { optimizer: trainer.optimizer, training: position() });
  } catch (err) {
    if (err instanceof NonFiniteLossError) {
      const where = opts.checkpointWhere ?? 'the checkpoint';
      const kept = lastSaved >= 0 ? `the last good checkpoint is ${where} (iteration ${lastSaved})` : 'no checkpoint was saved yet';
      throw new NonFiniteLossError(err.iteration, err.term, err.value, kept);
    }
    throw err;
  } finally {
    progress.stop();
    await pool?.close();
    trainer.dispose();
  }
  return { iterations: trainer.iteration - startIter, seconds: (performance.now() - start) / 1000, finalLosses: meanLosses(recent) };
}

function meanLosses(steps: readonly StepResult[]): Record<string, number> & { total: number } {
  const sums: Record<string, number> = {};
  for (const s of steps) for (const [k, v] of Object.entries(s.losses)) sums[k] = (sums[k] ?? 0) + (v ?? 0);
  const out: Record<string, number> = { total: 0 };
  for (const [k, v] of Object.entries(sums)) out[k] = v / Math.max(steps.length, 1);
  return out as Record<string, number> & { total: number };
}
