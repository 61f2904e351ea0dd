/**
 * The Fast R-CNN head: RoI features (max pooling or RoIAlign) → fc6 → fc7 → K+1 class scores
 * and class-specific box deltas; its training targets and loss; and the inference
 * post-processing (decode per class, score threshold, per-class NMS, detections per image).
 */
import * as tf from '@tensorflow/tfjs-core';
import { tensorFilledBy } from '../backend/host-memory.ts';
import type { Rng } from '../util/rng.ts';
import { decodeBoxes, weightsFromStds } from './box-coder.ts';
import { dense } from './layers.ts';
import { softmaxCrossEntropy, weightedSmoothL1 } from './losses.ts';
import { featureStride, type ModelConfig } from './model-config.ts';
import { clipBoxes, nms } from './ops/boxes.ts';
import { relu as reluOp } from './ops/relu.ts';
import { paramName, type ParamStore } from './params.ts';
import { proposalTargets, type ProposalTargets } from './proposal-targets.ts';
import { roiFeatures } from './roi-ops/index.ts';
import { recordingGradients } from './tf-scope.ts';

export const HEAD_LAYERS = ['fc6', 'fc7', 'cls_score', 'bbox_pred'] as const;

export interface HeadOutput {
  /** [R, K+1] class logits. */
  clsScore: tf.Tensor2D;
  /** [R, 4(K+1)] class-specific deltas (normalised by the config's stds). */
  bboxPred: tf.Tensor2D;
}

export interface HeadLosses {
  cls: tf.Scalar;
  box: tf.Scalar;
}

/** Detections of one image: N boxes (original-image pixels, x1 y1 x2 y2), scores and classes 1..K, best first. */
export interface Detections {
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
}

export class RoiHead {
  private constructor(
    private readonly params: ParamStore,
    private readonly config: ModelConfig,
  ) {}

  /**
   * Adds fc6, fc7 (He init: trained from scratch unless an ImageNet checkpoint overrides them),
   * cls_score (Gaussian 0.01) and bbox_pred (Gaussian 0.001), as py-faster-rcnn.
   */
  static build(params: ParamStore, config: ModelConfig, inChannels: number, rng: Rng): RoiHead {
    const k1 = config.classes.length + 1;
    const fc = config.fcChannels;
    const z = { kind: 'zeros' } as const;
    params.add('fc6', 'weight', [config.roiSize * config.roiSize * inChannels, fc], { kind: 'msra' }, rng);
    params.add('fc6', 'bias', [fc], z, rng);
    params.add('fc7', 'weight', [fc, fc], { kind: 'msra' }, rng);
    params.add('fc7', 'bias', [fc], z, rng);
    params.add('cls_score', 'weight', [fc, k1], { kind: 'gaussian', std: 0.01 }, rng);
    params.add('cls_score', 'bias', [k1], z, rng);
    params.add('bbox_pred', 'weight', [fc, 4 * k1], { kind: 'gaussian', std: 0.001 }, rng);
    params.add('bbox_pred', 'bias', [4 * k1], z, rng);
    return new RoiHead(params, config);
  }

  static attach(params: ParamStore, config: ModelConfig): RoiHead {
    return new RoiHead(params, config);
  }

  /** Head outputs for `rois` (4R network pixels). `dropoutRng`: apply training dropout with masks drawn from it. */
  forward(features: tf.Tensor4D, rois: Float32Array, dropoutRng?: Rng): HeadOutput {
    const c = this.config;
    return tf.tidy(() => {
      const p = (layer: string, role: 'weight' | 'bias') => this.params.get(paramName(layer, role));
      const training = dropoutRng !== undefined;
      const numRois = rois.length / 4;
      const pooled = roiFeatures(c.roiOp, features, rois, c.roiSize, 1 / featureStride(c), c.roiSamplingRatio);
      let x: tf.Tensor2D = tf.reshape(pooled, [numRois, -1]);
      // Inference takes products with bias (and ReLU) fused; training the differentiable dense.
      const fused = !training && !recordingGradients();
      const fc = (input: tf.Tensor2D, layer: string, relu: boolean): tf.Tensor2D => {
        const [w, b] = [p(layer, 'weight') as tf.Tensor2D, p(layer, 'bias')];
        if (fused) return tf.fused.matMul({ a: input, b: w, bias: b, activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D;
        const y = tf.add(dense(input, w, { training }), b) as tf.Tensor2D;
        return relu ? reluOp(y) : y;
      };
      for (const layer of ['fc6', 'fc7']) {
        x = fc(x, layer, true);
        if (dropoutRng && c.dropout > 0) x = tf.mul(x, dropoutMask(x.shape, c.dropout, dropoutRng)) as tf.Tensor2D;
      }
      const clsScore = fc(x, 'cls_score', false);
      const bboxPred = fc(x, 'bbox_pred', false);
      return { clsScore, bboxPred } as tf.TensorContainerObject;
    }) as unknown as HeadOutput;
  }
}

/** The dropout masks' random words, reused from call to call (fresh arrays cost page faults). */
let dropoutWords = new Uint32Array(0);

/** Inverted dropout mask: 0 with probability `rate`, else 1/(1−rate). Drawn from `rng` so runs repeat. */
function dropoutMask(shape: [number, number], rate: number, rng: Rng): tf.Tensor2D {
  const size = shape[0] * shape[1];
  if (dropoutWords.length < size) dropoutWords = new Uint32Array(size);
  // u / 2³² < rate ⟺ u < rate · 2³² exactly (both sides scaled by a power of two): the masks
  // rng.next() would give, drawn in bulk.
  const u = rng.fillUint32(dropoutWords.subarray(0, size));
  const keep = 1 / (1 - rate);
  const below = rate * 4294967296;
  return tensorFilledBy(shape, (m) => {
    for (let i = 0; i < size; i++) m[i] = u[i] < below ? 0 : keep;
  }) as tf.Tensor2D;
}

/** Samples the head's training RoIs from `proposals` (py-faster-rcnn proposal_target_layer). */
export function sampleRois(proposals: Float32Array, gtBoxes: Float32Array, gtClasses: Int32Array, config: ModelConfig, rng: Rng): ProposalTargets {
  return proposalTargets(
    proposals,
    gtBoxes,
    gtClasses,
    {
      batchSize: config.boxBatchSize,
      fgFraction: config.boxFgFraction,
      fgThreshold: config.boxFgThresh,
      bgThresholdHi: config.boxBgThreshHi,
      bgThresholdLo: config.boxBgThreshLo,
      bgPartMinInside: config.boxBgPartMinInside,
      bboxStds: config.bboxStds,
    },
    rng,
  );
}

/**
 * Head loss: mean softmax cross-entropy over the R sampled RoIs plus Σ smooth-L1(σ) on the
 * foreground RoIs' own-class deltas / R (py-faster-rcnn's SmoothL1Loss normalisation).
 */
export function headLoss(out: HeadOutput, targets: ProposalTargets, config: ModelConfig): HeadLosses {
  const r = targets.labels.length;
  const k1 = config.classes.length + 1;
  const target = new Float32Array(r * 4 * k1);
  const inside = new Float32Array(r * 4 * k1);
  for (let i = 0; i < r; i++) {
    const c = targets.labels[i];
    if (c <= 0) continue;
    const o = i * 4 * k1 + 4 * c;
    target.set(targets.bboxTargets.subarray(4 * i, 4 * i + 4), o);
    inside.fill(1, o, o + 4);
  }
  return tf.tidy(() => ({
    cls: softmaxCrossEntropy(out.clsScore, targets.labels),
    box: tf.div(weightedSmoothL1(out.bboxPred, target, inside, config.boxSigma), Math.max(r, 1)) as tf.Scalar,
  }));
}

/**
 * Detections from head outputs on `rois` (4R network pixels), as py-faster-rcnn `im_detect`
 * + `test_net`: RoIs back to original pixels (÷ scale), class-specific decode, clip to the
 * original image, then per class: score ≥ threshold, NMS; then the best
 * `boxDetectionsPerImg` over all classes.
 */
export function postprocessDetections(
  probs: Float32Array,
  deltas: Float32Array,
  rois: Float32Array,
  scale: number,
  origHeight: number,
  origWidth: number,
  config: ModelConfig,
): Detections {
  const r = rois.length / 4;
  const k1 = config.classes.length + 1;
  const ref = new Float32Array(rois.length);
  for (let i = 0; i < rois.length; i++) ref[i] = rois[i] / scale;
  const weights = weightsFromStds(config.bboxStds);
  const boxes: number[] = [];
  const scores: number[] = [];
  const classes: number[] = [];
  const classDeltas = new Float32Array(4 * r);
  for (let c = 1; c < k1; c++) {
    const keepIdx: number[] = [];
    for (let i = 0; i < r; i++) if (probs[i * k1 + c] >= config.boxScoreThresh) keepIdx.push(i);
    if (keepIdx.length === 0) continue;
    const n = keepIdx.length;
    const cref = new Float32Array(4 * n);
    const cs = new Float32Array(n);
    keepIdx.forEach((i, k) => {
      cref.set(ref.subarray(4 * i, 4 * i + 4), 4 * k);
      classDeltas.set(deltas.subarray(i * 4 * k1 + 4 * c, i * 4 * k1 + 4 * c + 4), 4 * k);
      cs[k] = probs[i * k1 + c];
    });
    const decoded = clipBoxes(decodeBoxes(cref, classDeltas.subarray(0, 4 * n), weights), origHeight, origWidth);
    for (const k of nms(decoded, cs, config.boxNmsThresh)) {
      boxes.push(decoded[4 * k], decoded[4 * k + 1], decoded[4 * k + 2], decoded[4 * k + 3]);
      scores.push(cs[k]);
      classes.push(c);
    }
  }
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, config.boxDetectionsPerImg);
  const out: Detections = { boxes: new Float32Array(4 * order.length), scores: new Float32Array(order.length), classes: new Int32Array(order.length) };
  order.forEach((i, k) => {
    out.boxes.set(boxes.slice(4 * i, 4 * i + 4), 4 * k);
    out.scores[k] = scores[i];
    out.classes[k] = classes[i];
  });
  return out;
}
