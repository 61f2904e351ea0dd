/**
 * Region Proposal Network: the RPN head (3×3 conv + ReLU, 1×1 convs to 2A scores and 4A
 * deltas), its training targets and loss, and proposal generation. Scores and deltas are
 * flattened (h, w, a) with a fastest, the order `shiftAnchors` lays the anchors out in.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.ts';
import { anchorTargets } from './anchor-targets.ts';
import { generateAnchors, shiftAnchors } from './anchors.ts';
import { AnchorLabel } from './det-utils.ts';
import { binaryLogLoss, weightedSmoothL1 } from './losses.ts';
import { featureStride, type ModelConfig } from './model-config.ts';
import { paramName, type ParamStore } from './params.ts';
import { proposalLayer, type ProposalOptions, type Proposals } from './proposal-layer.ts';

export const RPN_LAYERS = ['rpn_conv/3x3', 'rpn_cls_score', 'rpn_bbox_pred'] as const;

export interface RpnOutput {
  /** fg − bg logit per anchor: [N] (softmax over {bg, fg} = sigmoid of it). */
  logitDiff: tf.Tensor1D;
  /** Deltas per anchor: [N, 4]. */
  deltas: tf.Tensor2D;
  /** Feature-map size the anchors are laid on. */
  featHeight: number;
  featWidth: number;
}

export interface RpnLosses {
  rpnCls: tf.Scalar;
  rpnBox: tf.Scalar;
}

export class RpnHead {
  private constructor(
    private readonly params: ParamStore,
    readonly numAnchors: number,
  ) {}

  /** Adds the RPN's parameters, Gaussian std 0.01 as py-faster-rcnn. */
  static build(params: ParamStore, inChannels: number, channels: number, numAnchors: number, rng: Rng): RpnHead {
    const g = { kind: 'gaussian', std: 0.01 } as const;
    const z = { kind: 'zeros' } as const;
    params.add('rpn_conv/3x3', 'weight', [3, 3, inChannels, channels], g, rng);
    params.add('rpn_conv/3x3', 'bias', [channels], z, rng);
    // Channels 0..A−1 are background scores, A..2A−1 foreground (Caffe's reshape to (2, A·H, W)).
    params.add('rpn_cls_score', 'weight', [1, 1, channels, 2 * numAnchors], g, rng);
    params.add('rpn_cls_score', 'bias', [2 * numAnchors], z, rng);
    params.add('rpn_bbox_pred', 'weight', [1, 1, channels, 4 * numAnchors], g, rng);
    params.add('rpn_bbox_pred', 'bias', [4 * numAnchors], z, rng);
    return new RpnHead(params, numAnchors);
  }

  static attach(params: ParamStore, numAnchors: number): RpnHead {
    return new RpnHead(params, numAnchors);
  }

  forward(features: tf.Tensor4D): RpnOutput {
    return tf.tidy(() => {
      const [, featHeight, featWidth] = features.shape;
      const p = (layer: string, role: 'weight' | 'bias') => this.params.get(paramName(layer, role));
      const h = tf.fused.conv2d({ x: features, filter: p('rpn_conv/3x3', 'weight') as tf.Tensor4D, bias: p('rpn_conv/3x3', 'bias'), strides: 1, pad: 'same', activation: 'relu' });
      const a = this.numAnchors;
      const cells = featHeight * featWidth;
      const scores = tf.reshape(
        tf.fused.conv2d({ x: h, filter: p('rpn_cls_score', 'weight') as tf.Tensor4D, bias: p('rpn_cls_score', 'bias'), strides: 1, pad: 'valid' }),
        [cells, 2 * a],
      );
      const logitDiff = tf.reshape(tf.sub(tf.slice(scores, [0, a], [cells, a]), tf.slice(scores, [0, 0], [cells, a])), [cells * a]) as tf.Tensor1D;
      const deltas = tf.reshape(
        tf.fused.conv2d({ x: h, filter: p('rpn_bbox_pred', 'weight') as tf.Tensor4D, bias: p('rpn_bbox_pred', 'bias'), strides: 1, pad: 'valid' }),
        [cells * a, 4],
      ) as tf.Tensor2D;
      return { logitDiff, deltas, featHeight, featWidth };
    });
  }
}

/** Anchors of a feature map, cached per map size (they depend on nothing else). */
export class AnchorGrid {
  private readonly base: Float32Array;
  private readonly cache = new Map<string, Float32Array>();

  constructor(private readonly config: ModelConfig) {
    this.base = generateAnchors(config.anchorBaseSize, config.anchorRatios, config.anchorScales);
  }

  get perLocation(): number {
    return this.base.length / 4;
  }

  anchors(featHeight: number, featWidth: number): Float32Array {
    const key = `${featHeight}x${featWidth}`;
    let a = this.cache.get(key);
    if (!a) {
      a = shiftAnchors(this.base, featHeight, featWidth, featureStride(this.config));
      this.cache.set(key, a);
    }
    return a;
  }
}

/** The proposal-layer options for training or testing, from the model config. */
export function proposalOptions(config: ModelConfig, training: boolean): ProposalOptions {
  const mode = training ? 'training' : 'testing';
  return {
    preNmsTopN: config.rpnPreNmsTopN[mode],
    postNmsTopN: config.rpnPostNmsTopN[mode],
    nmsThreshold: config.rpnNmsThresh,
    minSize: config.rpnMinSize,
    useNms: true,
    useScores: true,
    useDeltas: true,
  };
}

/**
 * RPN loss for one image (paper eq. 1): mean log loss over the sampled anchors plus
 * λ · Σ smooth-L1(σ) over the positives / N_reg, N_reg = number of anchor locations.
 */
export function rpnLoss(out: RpnOutput, anchors: Float32Array, gtBoxes: Float32Array, imHeight: number, imWidth: number, config: ModelConfig, rng: Rng): RpnLosses {
  const targets = anchorTargets(
    anchors,
    gtBoxes,
    imHeight,
    imWidth,
    {
      positiveOverlap: config.rpnPositiveOverlap,
      negativeOverlap: config.rpnNegativeOverlap,
      batchSize: config.rpnBatchSize,
      fgFraction: config.rpnFgFraction,
      allowedBorder: config.rpnAllowedBorder,
      clobberPositives: false,
    },
    rng,
  );
  const n = targets.labels.length;
  const sampled = Math.max(targets.numFg + targets.numBg, 1);
  const fg = new Float32Array(n);
  const weights = new Float32Array(n);
  const inside = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const l = targets.labels[i];
    if (l === AnchorLabel.Ignore) continue;
    weights[i] = 1 / sampled;
    if (l === AnchorLabel.Foreground) {
      fg[i] = 1;
      inside.fill(1, 4 * i, 4 * i + 4);
    }
  }
  const locations = out.featHeight * out.featWidth;
  return tf.tidy(() => ({
    rpnCls: binaryLogLoss(out.logitDiff, fg, weights),
    rpnBox: tf.mul(weightedSmoothL1(out.deltas, targets.bboxTargets, inside, config.rpnSigma), config.rpnLambda / locations) as tf.Scalar,
  }));
}

/** Proposals from the RPN's outputs (reads them back; no gradient flows through proposals). */
export function rpnProposals(out: RpnOutput, anchors: Float32Array, imHeight: number, imWidth: number, imScale: number, opts: ProposalOptions, rng?: Rng): Proposals {
  const prob = tf.sigmoid(out.logitDiff);
  const fgScores = prob.dataSync() as Float32Array;
  prob.dispose();
  const deltas = out.deltas.dataSync() as Float32Array;
  return proposalLayer(anchors, fgScores, deltas, imHeight, imWidth, imScale, opts, rng);
}
