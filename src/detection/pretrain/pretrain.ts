/**
 * M0 for a backbone without ImageNet: the paper starts both training modes from an
 * ImageNet-pre-trained network; here the backbone is pre-trained as a classifier of object and
 * background crops of a (generated) detection dataset, then its conv layers initialise the
 * detector by name (`frcnn train --init`, a trial's `backbone.weights`). Use a dataset other
 * than the one the detector is evaluated on, as ImageNet is for VOC.
 *
 * Network: the backbone, global average pooling, one fully connected layer to K + 1 classes
 * (dropped afterwards); softmax cross-entropy; SGD with momentum as the detector's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBlob } from '../../data/types.ts';
import type { Rng } from '../../util/rng.ts';
import type { FasterRCNN } from '../faster-rcnn.ts';
import type { ParamInfo } from '../params.ts';
import { learningRateAt, MomentumSgd, type SgdOptions } from '../training/sgd.ts';
import { drawCrop } from './crops.ts';

export interface PretrainLoopOptions {
  iters: number;
  /** Crops per iteration. */
  batch: number;
  /** Crop side in pixels. */
  crop: number;
  sgd: SgdOptions;
  /** After each iteration: its loss and the accuracy of its batch's predictions. */
  onStep?: (iteration: number, loss: number, accuracy: number, lr: number) => void;
}

export interface PretrainLoopResult {
  /** Mean loss and accuracy over the last 10 % of iterations (at least one). */
  loss: number;
  accuracy: number;
}

/** Layers of the model's backbone (those `frcnn train --init` takes). */
export function backboneParams(model: FasterRCNN): ParamInfo[] {
  const convs = new Set(model.backbone.spec.layers.flatMap((l) => (l.kind === 'conv' ? [l.name] : [])));
  return model.params.list().filter((p) => convs.has(p.layer));
}

export function pretrainBackbone(model: FasterRCNN, images: readonly ImageBlob[], opts: PretrainLoopOptions, rng: Rng): PretrainLoopResult {
  const classes = model.numClasses + 1;
  const channels = model.backbone.outChannels;
  // In a tidy: the initial values are freed, so the variables own their storage.
  const [w, b] = tf.tidy(() => [tf.variable(tf.mul(tf.randomNormal([channels, classes], 0, 1, 'float32', rng.int(0, 2 ** 31 - 1)), 0.01)), tf.variable(tf.zeros([classes]))]);
  const head: ParamInfo[] = [
    { name: 'pretrain_cls/weight', layer: 'pretrain_cls', role: 'weight', variable: w },
    { name: 'pretrain_cls/bias', layer: 'pretrain_cls', role: 'bias', variable: b },
  ];
  const params = [...backboneParams(model), ...head];
  const optimizer = new MomentumSgd(opts.sgd);
  const tail: Array<[number, number]> = [];
  const tailFrom = opts.iters - Math.max(1, Math.ceil(opts.iters / 10));
  try {
    for (let it = 0; it < opts.iters; it++) {
      const samples = Array.from({ length: opts.batch }, () => drawCrop(images, rng));
      const labels = samples.map((s) => s.label);
      const input = tf.tidy(() => {
        // cropAndResize per source image size; boxes normalised as y1 x1 y2 x2 over (size − 1).
        const crops = samples.map((s) => {
          const img = images[s.image];
          const [x1, y1, x2, y2] = s.box;
          const t = tf.tensor4d(img.pixels, [1, img.height, img.width, 3]);
          const box = [[y1 / (img.height - 1), x1 / (img.width - 1), y2 / (img.height - 1), x2 / (img.width - 1)]];
          return tf.image.cropAndResize(t, box, [0], [opts.crop, opts.crop], 'bilinear', 0);
        });
        return tf.mul(tf.concat(crops, 0), model.config.inputScale) as tf.Tensor4D;
      });
      const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
      let predicted: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const f = model.backbone.forward(input);
        const pooled = tf.mean(f, [1, 2]);
        const logits = tf.add(tf.matMul(pooled, head[0].variable), head[1].variable);
        // The predictions of this same forward pass (kept past the gradient's tidy), not a second pass.
        predicted = tf.keep(tf.argMax(logits, 1));
        return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
      }, params.map((p) => p.variable));
      const loss = value.dataSync()[0];
      const pred = predicted?.dataSync() ?? [];
      const accuracy = labels.filter((l, k) => pred[k] === l).length / labels.length;
      predicted?.dispose();
      const byName: tf.NamedTensorMap = {};
      params.forEach((p) => (byName[p.name] = grads[p.variable.name]));
      const lr = learningRateAt(opts.sgd, it);
      optimizer.apply(params, byName, lr);
      tf.dispose([value, input, onehot]);
      if (!Number.isFinite(loss)) throw new Error(`pretraining: loss ${loss} at iteration ${it + 1}`);
      if (it >= tailFrom) tail.push([loss, accuracy]);
      opts.onStep?.(it + 1, loss, accuracy, lr);
    }
  } finally {
    optimizer.dispose();
    for (const p of head) p.variable.dispose();
  }
  const n = Math.max(tail.length, 1);
  return { loss: tail.reduce((a, [l]) => a + l, 0) / n, accuracy: tail.reduce((a, [, c]) => a + c, 0) / n };
}
