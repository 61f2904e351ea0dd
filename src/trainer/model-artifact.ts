/**
 * The model a stage hands to the next: an inference checkpoint at `<attempt>/model/`, and for
 * a detector assembled with separate convolutions (mode unshared) the RPN's own network at
 * `<attempt>/rpn/`. Training checkpoints (with optimizer slots and the training position)
 * live at `<attempt>/checkpoints/iter-NNNNNN/`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FasterRCNN } from '../detection/faster-rcnn.ts';
import { loadCheckpoint, loadDetector, saveCheckpoint, type LoadedCheckpoint } from '../detection/training/checkpoint.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { hasCheckpoint, storeCheckpointHandler, subPrefix } from './store-io.ts';

export const MODEL_DIR = 'model';
export const RPN_DIR = 'rpn';
export const CHECKPOINTS_DIR = 'checkpoints';

/** `<prefix>checkpoints/iter-000200/` */
export function checkpointPrefix(prefix: string, iteration: number): string {
  return subPrefix(prefix, `${CHECKPOINTS_DIR}/iter-${String(iteration).padStart(6, '0')}`);
}

export async function saveModel(store: ObjectStore, prefix: string, model: FasterRCNN, dir = MODEL_DIR): Promise<string> {
  const at = subPrefix(prefix, dir);
  await saveCheckpoint(storeCheckpointHandler(store, at), model);
  return at;
}

/** A detector to run: one network, or (unshared) a detector plus a separate RPN network for proposals. */
export interface StageModel {
  detector: FasterRCNN;
  rpn?: FasterRCNN;
  dispose(): void;
}

export async function loadStageModel(store: ObjectStore, prefix: string): Promise<StageModel> {
  const where = (d: string) => `${store.location}/${subPrefix(prefix, d)}`;
  const { model: detector, checkpoint } = await loadDetector(storeCheckpointHandler(store, subPrefix(prefix, MODEL_DIR)), where(MODEL_DIR));
  tf.dispose([checkpoint.weights, checkpoint.slots]);
  let rpn: FasterRCNN | undefined;
  if (await hasCheckpoint(store, subPrefix(prefix, RPN_DIR))) {
    try {
      const r = await loadDetector(storeCheckpointHandler(store, subPrefix(prefix, RPN_DIR)), where(RPN_DIR));
      tf.dispose([r.checkpoint.weights, r.checkpoint.slots]);
      rpn = r.model;
    } catch (err) {
      detector.dispose();
      throw err;
    }
  }
  return {
    detector,
    rpn,
    dispose() {
      detector.dispose();
      rpn?.dispose();
    },
  };
}

/** The raw weights and metadata of a stage's model (for initialising or assembling another). */
export function readModelCheckpoint(store: ObjectStore, prefix: string, dir = MODEL_DIR): Promise<LoadedCheckpoint> {
  const at = subPrefix(prefix, dir);
  return loadCheckpoint(storeCheckpointHandler(store, at), `${store.location}/${at}`);
}
