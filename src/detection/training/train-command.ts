/**
 * What `frcnn train --mode end2end` does, as a function: set up compute, read the dataset,
 * build (or resume, or ImageNet-initialise) the detector, train, save, then detect on the
 * test split, write the detections and score them (VOC07 11-point and VOC2010 all-point mAP).
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { loadVocDataset } from '../../data/voc.ts';
import { evaluateVoc, vocDetectionsFromList, vocGroundTruthFromEntries } from '../../evaluator/voc-eval.ts';
import { directoryIOHandler } from '../../storage/tfjs-io.ts';
import { InputError } from '../../util/errors.ts';
import { logger } from '../../util/log.ts';
import type { BackboneName } from '../backbones/spec.ts';
import { setupComputeForCopies } from '../compute.ts';
import { FasterRCNN } from '../faster-rcnn.ts';
import { detectEntries, writeDetections } from '../inference.ts';
import { defaultModelConfig, type ModelConfig } from '../model-config.ts';
import { HEAD_LAYERS } from '../roi-heads.ts';
import { loadDetector, type LoadedCheckpoint } from './checkpoint.ts';
import { defaultSgdOptions, type SgdOptions } from './sgd.ts';
import { checkBatchCopies, trainJoint } from './train-loop.ts';

export interface TrainCommandOptions {
  dataset: string;
  backbone: BackboneName;
  out: string;
  iters: number;
  seed: number;
  lr: number;
  /** `lr` is per image: multiply it by the replica count (the CLI's default rates). */
  lrPerImage?: boolean;
  steps?: number[];
  warmup: number;
  lambda?: number;
  anchorScales?: number[];
  anchorRatios?: number[];
  /** Shorter image side for training and testing (default: the backbone's; 256 for small, 600 otherwise); the longer side is capped at max(1000, this) unless `maxSize`. */
  imageSize?: number;
  maxSize?: number;
  /** RoIs sampled per image for the head (default 128). */
  rois?: number;
  /** Multiplier on the published backbone widths; the RPN conv keeps its ratio to it (default: the backbone's, 0.5 for small). */
  width?: number;
  freeze?: string[];
  /** Directory of a tfjs weights checkpoint to initialise matching layers from. */
  init?: string;
  /** Directory of an frcnn checkpoint to continue from. */
  resume?: string;
  checkpointEvery: number;
  trainSplit: string;
  /** Split to detect and evaluate on after training; undefined skips it. */
  testSplit?: string;
  backend?: 'tensorflow' | 'wasm' | 'cpu';
  /** wasm threads (default: FRCNN_THREADS, else all cores); 1 per copy with replicas. */
  threads?: number;
  /**
   * Images per iteration, part of the recipe (default: `replicas` when given, else 2 for the
   * small backbone, 1 for ZF/VGG16). The trained weights depend on it, not on the cores.
   */
  batch?: number;
  /**
   * Data-parallel copies computing each iteration's images: 1 or the batch size (default: the
   * batch size when that many cores are free for the small backbone on wasm/cpu and threads
   * are not pinned, else 1: the images then run one after another, same result, slower). On
   * CPU, two copies on two cores outrun one copy on two wasm threads (1.38× vs 1.12× images/s,
   * bench:replicas).
   */
  replicas?: number;
  progress?: 'bar' | 'lines' | 'silent';
}

export interface TrainCommandResult {
  backend: string;
  iterations: number;
  /** Images per iteration. */
  batch: number;
  /** Copies that computed them (data-parallel replicas). */
  replicas: number;
  trainSeconds: number;
  msPerIteration: number;
  finalLosses: Record<string, number>;
  model: string;
  config: ModelConfig;
  eval?: {
    split: string;
    images: number;
    seconds: number;
    detections: string;
    mAP07: number;
    mAP: number;
    perClass: Array<{ name: string; ap07: number; ap: number }>;
  };
  wallSeconds: number;
}

/** Layers an ImageNet checkpoint may initialise: the backbone and fc6/fc7, never the new detection layers. */
const INIT_EXCLUDED = new Set(['rpn_conv/3x3', 'rpn_cls_score', 'rpn_bbox_pred', 'cls_score', 'bbox_pred']);

/** Loads every tensor of a tfjs weights checkpoint (any producer) by name. */
async function readWeights(dir: string): Promise<tf.NamedTensorMap> {
  const handler = directoryIOHandler(dir);
  if (!handler.load) throw new InputError(dir, 'cannot read a checkpoint here');
  const a = await handler.load();
  if (!a.weightSpecs || !a.weightData) throw new InputError(dir, 'checkpoint has no weights');
  return tf.io.decodeWeights(a.weightData, a.weightSpecs);
}

export async function runTrainCommand(opts: TrainCommandOptions): Promise<TrainCommandResult> {
  const started = performance.now();
  const log = logger('train');
  const batch = opts.batch ?? opts.replicas ?? (opts.backbone === 'small' ? 2 : 1);
  // Checked before the backend starts; trainJoint checks the copies it is then given.
  checkBatchCopies(batch, opts.replicas ?? 1);
  // Replicas by default only for `small`, where bench:replicas measured them to pay.
  const { backend, copies: replicas, free } = await setupComputeForCopies({
    backend: opts.backend,
    threads: opts.threads,
    copies: opts.replicas,
    auto: opts.backbone === 'small',
    fit: (cores) => (cores >= batch ? batch : 1),
  });
  if (free) log.info({ batch, replicas }, `free cores: ${free.reason}`);
  const dataset = await loadVocDataset(opts.dataset, { keepDifficult: true });
  const checkpointDir = join(opts.out, 'checkpoint');
  const modelDir = join(opts.out, 'model');

  let model: FasterRCNN;
  let resume: LoadedCheckpoint | undefined;
  let sgd: SgdOptions;
  if (opts.resume) {
    const loaded = await loadDetector(directoryIOHandler(opts.resume), opts.resume);
    model = loaded.model;
    resume = loaded.checkpoint;
    const position = resume.metadata.training;
    if (!position) throw new InputError(opts.resume, 'checkpoint has no training state to resume from (an inference-only model?)');
    if (model.config.classes.join('\n') !== dataset.classes.join('\n')) {
      throw new InputError(opts.resume, `checkpoint classes [${model.config.classes.join(', ')}] differ from the dataset's [${dataset.classes.join(', ')}]`);
    }
    sgd = position.sgd;
    log.info({ checkpoint: opts.resume, iteration: position.iteration }, 'resuming');
  } else {
    const base = defaultModelConfig(opts.backbone);
    const config: ModelConfig = {
      ...base,
      classes: [...dataset.classes],
      rpnLambda: opts.lambda ?? base.rpnLambda,
      anchorScales: opts.anchorScales ?? base.anchorScales,
      anchorRatios: opts.anchorRatios ?? base.anchorRatios,
      freeze: opts.freeze ?? base.freeze,
      imageTargetSize: opts.imageSize ?? base.imageTargetSize,
      imageMaxSize: opts.maxSize ?? (opts.imageSize ? Math.max(opts.imageSize, base.imageMaxSize) : base.imageMaxSize),
      boxBatchSize: opts.rois ?? base.boxBatchSize,
      backboneWidth: opts.width ?? base.backboneWidth,
      // The RPN conv keeps its ratio to the backbone's width.
      rpnChannels: opts.width === undefined ? base.rpnChannels : Math.max(4, Math.round((base.rpnChannels * opts.width) / base.backboneWidth)),
    };
    model = FasterRCNN.create(config, opts.seed);
    if (opts.init) {
      const named = await readWeights(opts.init);
      const usable: tf.NamedTensorMap = {};
      for (const [name, t] of Object.entries(named)) if (!INIT_EXCLUDED.has(name.slice(0, name.lastIndexOf('/')))) usable[name] = t;
      const set = model.setWeights(usable, { allowMissing: true, source: opts.init });
      tf.dispose(named);
      if (set.length === 0) throw new InputError(opts.init, 'no parameter of this backbone found in the checkpoint (names like conv1_1/weight expected)');
      log.info({ init: opts.init, parameters: set.length, heads: HEAD_LAYERS.filter((l) => set.includes(`${l}/weight`)) }, 'initialised from checkpoint');
    }
    sgd = { ...defaultSgdOptions(opts.lrPerImage ? opts.lr * batch : opts.lr), steps: opts.steps ?? [Math.round(0.7 * opts.iters)], warmupIters: opts.warmup };
  }

  const maxIters = opts.resume ? Math.max(opts.iters, resume?.metadata.training?.maxIters ?? 0) : opts.iters;
  const trained = await trainJoint({
    model,
    dataset,
    split: opts.trainSplit,
    sgd,
    maxIters,
    seed: resume?.metadata.training?.seed ?? opts.seed,
    checkpointEvery: opts.checkpointEvery,
    handlers: { checkpoint: () => directoryIOHandler(checkpointDir), final: () => directoryIOHandler(modelDir) },
    checkpointWhere: checkpointDir,
    resume,
    progress: opts.progress,
    batch,
    replicas,
    backend: backend.name,
  });
  if (resume) tf.dispose([resume.weights, resume.slots]);

  const result: TrainCommandResult = {
    backend: backend.device,
    iterations: trained.iterations,
    batch,
    replicas,
    trainSeconds: trained.seconds,
    msPerIteration: (1000 * trained.seconds) / Math.max(trained.iterations, 1),
    finalLosses: trained.finalLosses,
    model: modelDir,
    config: model.config,
    wallSeconds: 0,
  };
  if (opts.testSplit) {
    const entries = dataset.split(opts.testSplit);
    // The replicas' cores detect too: one copy per core, as in training.
    const detected = await detectEntries(model, entries, { progress: opts.progress, workers: replicas - 1, backend: backend.name });
    const detDir = join(opts.out, 'detections');
    await writeDetections(detDir, opts.testSplit, detected.detections, dataset.classes);
    const gt = vocGroundTruthFromEntries(entries, dataset.classes, `${opts.dataset} ${opts.testSplit}`);
    const voc = evaluateVoc(gt, vocDetectionsFromList(detected.detections, dataset.classes, gt));
    result.eval = {
      split: opts.testSplit,
      images: entries.length,
      seconds: detected.seconds,
      detections: detDir,
      mAP07: voc.mAP07,
      mAP: voc.mAP,
      perClass: voc.classes.map((c) => ({ name: c.name, ap07: c.ap07, ap: c.ap })),
    };
  }
  model.dispose();
  result.wallSeconds = (performance.now() - started) / 1000;
  return result;
}
