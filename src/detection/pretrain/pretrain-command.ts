/** What `frcnn pretrain` does, as a function: pre-train a backbone on a dataset's crops and write its weights. */
import * as tf from '@tensorflow/tfjs-core';
import { prepareImageBlob } from '../../data/blob.ts';
import { loadVocDataset } from '../../data/voc.ts';
import type { ImageBlob } from '../../data/types.ts';
import { directoryIOHandler } from '../../storage/tfjs-io.ts';
import { InputError } from '../../util/errors.ts';
import { logger } from '../../util/log.ts';
import { createProgress } from '../../util/progress.ts';
import { Rng } from '../../util/rng.ts';
import type { BackboneName } from '../backbones/spec.ts';
import { setupCompute } from '../compute.ts';
import { FasterRCNN } from '../faster-rcnn.ts';
import { defaultModelConfig } from '../model-config.ts';
import { defaultSgdOptions } from '../training/sgd.ts';
import { backboneParams, pretrainBackbone } from './pretrain.ts';

export const PRETRAINED_FORMAT = 'frcnn-pretrained-backbone';

export interface PretrainCommandOptions {
  dataset: string;
  backbone: BackboneName;
  out: string;
  iters: number;
  batch: number;
  crop: number;
  lr: number;
  seed: number;
  split: string;
  backend?: 'tensorflow' | 'wasm' | 'cpu';
  progress?: 'bar' | 'lines' | 'silent';
}

export interface PretrainCommandResult {
  backend: string;
  iterations: number;
  seconds: number;
  /** Over the last 10 % of iterations. */
  loss: number;
  accuracy: number;
  /** Parameters written (the backbone's). */
  parameters: string[];
  out: string;
}

export async function runPretrainCommand(opts: PretrainCommandOptions): Promise<PretrainCommandResult> {
  const log = logger('pretrain');
  for (const [flag, v] of [['--iters', opts.iters], ['--batch', opts.batch], ['--crop', opts.crop]] as const) {
    if (!(Number.isInteger(v) && v > 0)) throw new InputError(flag, `expected a positive integer, got ${v}`);
  }
  const backend = await setupCompute(opts.backend);
  const dataset = await loadVocDataset(opts.dataset, { splits: [opts.split] });
  const entries = dataset.split(opts.split);
  if (entries.length === 0) throw new InputError(`${opts.dataset} ${opts.split}`, 'no images to pre-train on');
  const config = { ...defaultModelConfig(opts.backbone), classes: [...dataset.classes] };
  const images: ImageBlob[] = [];
  const loading = createProgress({ label: 'load', total: entries.length, unit: 'img', mode: opts.progress });
  for (const e of entries) {
    images.push(await prepareImageBlob(e, config.classes, { targetSize: config.imageTargetSize, maxSize: config.imageMaxSize, flip: false }));
    loading.update(images.length);
  }
  loading.stop();
  const model = FasterRCNN.create(config, opts.seed);
  try {
    const progress = createProgress({ label: 'pretrain', total: opts.iters, unit: 'it', mode: opts.progress });
    const started = performance.now();
    const r = pretrainBackbone(
      model,
      images,
      {
        iters: opts.iters,
        batch: opts.batch,
        crop: opts.crop,
        sgd: { ...defaultSgdOptions(opts.lr), steps: [Math.round(0.7 * opts.iters)], warmupIters: Math.min(100, Math.round(opts.iters / 10)) },
        onStep: (it, loss, accuracy, lr) => progress.update(it, { loss: loss.toFixed(4), acc: accuracy.toFixed(3), lr: lr.toFixed(4) }),
      },
      new Rng(opts.seed),
    );
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    const named: tf.NamedTensorMap = {};
    for (const p of backboneParams(model)) named[p.name] = p.variable;
    const encoded = await tf.io.encodeWeights(named, 'model');
    const handler = directoryIOHandler(opts.out);
    if (!handler.save) throw new InputError(opts.out, 'cannot write weights here');
    await handler.save({
      format: PRETRAINED_FORMAT,
      generatedBy: 'frcnn pretrain',
      weightSpecs: encoded.specs,
      weightData: encoded.data,
      userDefinedMetadata: { backbone: opts.backbone, backboneWidth: config.backboneWidth, backboneNorm: config.backboneNorm, dataset: opts.dataset, iterations: opts.iters, loss: r.loss, accuracy: r.accuracy } as unknown as Record<string, object>,
    });
    log.info({ out: opts.out, loss: r.loss, accuracy: r.accuracy }, 'pre-trained backbone written');
    return { backend: backend.device, iterations: opts.iters, seconds, loss: r.loss, accuracy: r.accuracy, parameters: Object.keys(named), out: opts.out };
  } finally {
    model.dispose();
  }
}
