/**
 * The model an alternating-training step starts from: the ImageNet-initialised M0
 * (`init: 'imagenet'`), or the network of the step before (`inputs.init`), rebuilt with this
 * stage's own settings (`own`) and carrying over every weight whose name and shape match.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FasterRCNN } from '../../detection/faster-rcnn.ts';
import type { ModelConfig } from '../../detection/model-config.ts';
import type { StageContext } from '../../pipeline/executor.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readModelCheckpoint } from '../model-artifact.ts';
import { baseModelConfig, copyMatchingWeights, imagenetModel } from '../model-setup.ts';
import { checkClasses, inputOf, type JobInputs } from './common.ts';

export interface StartingModelOptions {
  init: 'imagenet' | 'input';
  backbone: Parameters<typeof baseModelConfig>[0];
  /** ImageNet weights directory, if any. */
  weights: string | undefined;
  classes: readonly string[];
  seed: number;
  /** This stage's settings applied over a base or inherited model config. */
  own: (base: ModelConfig) => ModelConfig;
}

export async function startingModel(job: JobInputs, ctx: StageContext<ObjectStore>, o: StartingModelOptions): Promise<FasterRCNN> {
  if (o.init === 'imagenet') return imagenetModel(o.own(baseModelConfig(o.backbone, o.classes)), o.seed, o.weights);
  const init = inputOf(job, 'init');
  const ck = await readModelCheckpoint(ctx.store, init.prefix);
  try {
    checkClasses(ck.metadata.config.classes, o.classes, `${ctx.store.location}/${init.prefix}`);
    const model = FasterRCNN.create(o.own(ck.metadata.config), o.seed);
    copyMatchingWeights(ck.weights, model);
    return model;
  } finally {
    tf.dispose([ck.weights, ck.slots]);
  }
}
