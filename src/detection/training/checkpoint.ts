/**
 * Detector checkpoints in the tfjs weights format, through any `tf.io.IOHandler` (a directory,
 * the object store, memory). Weights are named by parameter (`conv1_1/weight`); optimizer
 * momentum slots travel as extra weights in group "optimizer" (`momentum/<param>`); the model
 * config and the training position (iteration, RNG and data-stream state) go in
 * `userDefinedMetadata`, so a checkpoint alone rebuilds the detector and resumes its training.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FrcnnError, InputError } from '../../util/errors.ts';
import type { RngState } from '../../util/rng.ts';
import { FasterRCNN } from '../faster-rcnn.ts';
import { validateModelConfig, type ModelConfig } from '../model-config.ts';
import { MomentumSgd, type SgdOptions } from './sgd.ts';

export const CHECKPOINT_FORMAT = 'frcnn-detector';
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Where a training run stands, enough to continue it exactly. */
export interface TrainingPosition {
  /** Iterations completed. */
  iteration: number;
  /** Sampling RNG (anchors, RoIs, dropout). */
  rng: RngState;
  /** The data stream's state (`TrainingImageStream.state()`), opaque here. */
  stream?: unknown;
  sgd: SgdOptions;
  /** Total iterations the run was started with. */
  maxIters: number;
  seed: number;
  /** Sampling RNGs of the data-parallel worker replicas (a run with N images per iteration has N − 1). */
  replicas?: RngState[];
}

export interface CheckpointMetadata {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  config: ModelConfig;
  training?: TrainingPosition;
}

export interface LoadedCheckpoint {
  metadata: CheckpointMetadata;
  /** Model parameters by name. */
  weights: tf.NamedTensorMap;
  /** Optimizer slots (`momentum/<param>`), empty for an inference-only checkpoint. */
  slots: tf.NamedTensorMap;
}

/** Saves the model (and, when given, the optimizer and training position). */
export async function saveCheckpoint(
  handler: tf.io.IOHandler,
  model: FasterRCNN,
  extra: { optimizer?: MomentumSgd; training?: TrainingPosition } = {},
): Promise<void> {
  if (!handler.save) throw new FrcnnError('checkpoint handler cannot save');
  const weights = model.getWeights();
  try {
    const w = await tf.io.encodeWeights(weights, 'model');
    // Slots straight from host memory, encoded before anything can update them.
    const slots = extra.optimizer?.stateArrays() ?? [];
    const slotSpecs: tf.io.WeightsManifestEntry[] = slots.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32', group: 'optimizer' }));
    const slotData = slots.map((s) => (s.data.byteOffset === 0 && s.data.byteLength === s.data.buffer.byteLength ? s.data.buffer : s.data.slice().buffer) as ArrayBuffer);
    const metadata: CheckpointMetadata = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_FORMAT_VERSION, config: model.config, training: extra.training };
    await handler.save({
      format: CHECKPOINT_FORMAT,
      generatedBy: 'frcnn',
      weightSpecs: [...w.specs, ...slotSpecs],
      weightData: tf.io.concatenateArrayBuffers([w.data, ...slotData]),
      userDefinedMetadata: metadata as unknown as Record<string, object>,
    });
  } finally {
    tf.dispose(weights);
  }
}

/** Reads a checkpoint; `where` names it in errors. The caller disposes the tensors. */
export async function loadCheckpoint(handler: tf.io.IOHandler, where: string): Promise<LoadedCheckpoint> {
  if (!handler.load) throw new FrcnnError(`${where}: checkpoint handler cannot load`);
  const a = await handler.load();
  const meta = a.userDefinedMetadata as unknown as CheckpointMetadata | undefined;
  if (!meta || meta.format !== CHECKPOINT_FORMAT) {
    throw new InputError(where, `not an frcnn detector checkpoint (format ${JSON.stringify(meta?.format ?? a.format)})`);
  }
  if (meta.version !== CHECKPOINT_FORMAT_VERSION) throw new InputError(where, `checkpoint format version ${meta.version}, this build reads ${CHECKPOINT_FORMAT_VERSION}`);
  // Fields added after the first checkpoints were written: their absence means the old behaviour.
  const legacy: Partial<ModelConfig> = { backboneNorm: 'none', backboneWidth: 1 };
  meta.config = { ...legacy, ...meta.config } as ModelConfig;
  validateModelConfig(meta.config, where);
  if (!a.weightSpecs || !a.weightData) throw new InputError(where, 'checkpoint has no weights');
  const all = tf.io.decodeWeights(a.weightData, a.weightSpecs);
  const weights: tf.NamedTensorMap = {};
  const slots: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(all)) (MomentumSgd.isSlotName(name) ? slots : weights)[name] = t;
  return { metadata: meta, weights, slots };
}

/** A detector rebuilt from a checkpoint (config from its metadata, every parameter from its weights). */
export async function loadDetector(handler: tf.io.IOHandler, where: string): Promise<{ model: FasterRCNN; checkpoint: LoadedCheckpoint }> {
  const checkpoint = await loadCheckpoint(handler, where);
  const model = FasterRCNN.create(checkpoint.metadata.config, 0);
  try {
    model.setWeights(checkpoint.weights, { source: where });
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, checkpoint };
}
