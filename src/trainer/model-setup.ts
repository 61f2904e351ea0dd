/**
 * From a stage's config subset to the detector's `ModelConfig` and SGD settings. The trial
 * config carries the paper's knobs; the rest (input scale, fc width, dropout…) comes from
 * `defaultModelConfig(backbone)`, which the backbone name in the subset (and so the stage
 * key) determines. Each stage overrides only the fields its subset holds; the others travel
 * with the input checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BACKBONE_SPECS, type BackboneName } from '../detection/backbones/spec.ts';
import { FasterRCNN } from '../detection/faster-rcnn.ts';
import { defaultModelConfig, type ModelConfig } from '../detection/model-config.ts';
import type { ProposalOptions } from '../detection/proposal-layer.ts';
import { HEAD_LAYERS } from '../detection/roi-heads.ts';
import { RPN_LAYERS } from '../detection/rpn.ts';
import { defaultSgdOptions, type SgdOptions } from '../detection/training/sgd.ts';
import { directoryIOHandler } from '../storage/tfjs-io.ts';
import type { TrialConfig } from '../pipeline/trial-config.ts';
import { InputError } from '../util/errors.ts';

type Anchors = TrialConfig['anchors'];
type Rpn = TrialConfig['rpn'];
type Roi = TrialConfig['roi'];
type ImageCfg = { shortSide: number; maxSize: number };
type ProposalSubset = TrialConfig['proposals']['train'] & { nmsThreshold: number; minSize: number };

/** Learning-rate warm-up of the small backbone trained from scratch (measured: lr 0.01 diverges without it). */
const SMALL_WARMUP_ITERS = 100;

/** Layer-name prefixes of the shared convolutions of a backbone. */
export function convLayers(backbone: BackboneName): string[] {
  return BACKBONE_SPECS[backbone].layers.flatMap((l) => (l.kind === 'conv' ? [l.name] : []));
}
/** Layers a backbone keeps fixed whatever the stage (the paper's VGG16 recipe: conv1_x, conv2_x). */
export function backboneFreeze(backbone: BackboneName): string[] {
  return [...defaultModelConfig(backbone).freeze];
}
export const RPN_LAYER_NAMES: readonly string[] = RPN_LAYERS;
export const HEAD_LAYER_NAMES: readonly string[] = HEAD_LAYERS;

export function withImage(c: ModelConfig, image: ImageCfg): ModelConfig {
  return { ...c, imageTargetSize: image.shortSide, imageMaxSize: image.maxSize };
}

export function withAnchors(c: ModelConfig, a: Anchors): ModelConfig {
  return { ...c, anchorBaseSize: a.baseSize, anchorScales: [...a.scales], anchorRatios: [...a.ratios] };
}

export function withRpn(c: ModelConfig, r: Rpn): ModelConfig {
  return {
    ...c,
    rpnLambda: r.lambda,
    rpnBatchSize: r.batchSize,
    rpnFgFraction: r.fgFraction,
    rpnPositiveOverlap: r.positiveOverlap,
    rpnNegativeOverlap: r.negativeOverlap,
  };
}

export function withRoi(c: ModelConfig, r: Roi): ModelConfig {
  return {
    ...c,
    roiOp: r.pool === 'align' ? 'align' : 'pool',
    roiSize: r.poolSize ?? c.roiSize,
    boxBatchSize: r.batchSize,
    boxFgFraction: r.fgFraction,
    boxFgThresh: r.fgThreshold,
    boxBgThreshHi: r.bgThresholdHi,
    boxBgThreshLo: r.bgThresholdLo ?? c.boxBgThreshLo,
    boxBgPartMinInside: r.bgPartMinInside ?? c.boxBgPartMinInside,
  };
}

/** Proposal settings of one phase onto the model (the RPN's own top-N, NMS and min size). */
export function withProposals(c: ModelConfig, p: ProposalSubset, phase: 'training' | 'testing'): ModelConfig {
  return {
    ...c,
    rpnPreNmsTopN: { ...c.rpnPreNmsTopN, [phase]: p.preNmsTopN },
    rpnPostNmsTopN: { ...c.rpnPostNmsTopN, [phase]: p.postNmsTopN },
    rpnNmsThresh: p.nmsThreshold,
    rpnMinSize: p.minSize,
  };
}

/** The proposal layer's options, with the Table 2 ablation switches. */
export function proposalOptionsOf(p: ProposalSubset): ProposalOptions {
  return {
    preNmsTopN: p.preNmsTopN,
    postNmsTopN: p.postNmsTopN,
    nmsThreshold: p.nmsThreshold,
    minSize: p.minSize,
    useNms: p.useNms,
    useScores: p.useScores,
    useDeltas: p.useDeltas,
  };
}

/** A base config for a backbone and the dataset's classes. */
export function baseModelConfig(backbone: BackboneName, classes: readonly string[]): ModelConfig {
  return { ...defaultModelConfig(backbone), classes: [...classes] };
}

/**
 * SGD of a stage: the trial's base lr, momentum and decay; one step down by `gamma` after
 * `stepFraction` of the iterations (py-faster-rcnn: 60k of 80k); warm-up for `small` only.
 */
export function sgdOf(lr: TrialConfig['lr'], iterations: number, backbone: BackboneName): SgdOptions {
  return {
    ...defaultSgdOptions(lr.base),
    momentum: lr.momentum,
    weightDecay: lr.weightDecay,
    gamma: lr.gamma,
    steps: [Math.round(lr.stepFraction * iterations)],
    warmupIters: backbone === 'small' ? Math.min(SMALL_WARMUP_ITERS, Math.floor(iterations / 4)) : 0,
  };
}

/** Layers of the ImageNet model M0 may initialise: the backbone and fc6/fc7, never the new detection layers. */
const IMAGENET_EXCLUDED = new Set<string>([...RPN_LAYERS, 'cls_score', 'bbox_pred']);

/**
 * M0: the detector at `seed` with, when given, ImageNet weights (a tfjs weights directory,
 * parameters named like `conv1_1/weight`) for the backbone and fc layers.
 */
export async function imagenetModel(config: ModelConfig, seed: number, weights: string | undefined): Promise<FasterRCNN> {
  const model = FasterRCNN.create(config, seed);
  if (!weights) return model;
  try {
    const handler = directoryIOHandler(weights, { allowForeign: true });
    const a = await handler.load!();
    if (!a.weightSpecs || !a.weightData) throw new InputError(weights, 'checkpoint has no weights');
    const named = tf.io.decodeWeights(a.weightData, a.weightSpecs);
    const usable: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(named)) if (!IMAGENET_EXCLUDED.has(name.slice(0, name.lastIndexOf('/')))) usable[name] = t;
    const set = model.setWeights(usable, { allowMissing: true, source: weights });
    tf.dispose(named);
    if (set.length === 0) throw new InputError(weights, `no parameter of the ${config.backbone} backbone in these weights (names like conv1_1/weight expected)`);
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Copies every parameter of `from` whose name and shape exist in `to`; returns the names copied. */
export function copyMatchingWeights(from: tf.NamedTensorMap, to: FasterRCNN, opts: { exclude?: readonly string[] } = {}): string[] {
  const shapes = new Map(to.params.list().map((p) => [p.name, p.variable.shape]));
  const usable: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(from)) {
    const layer = name.slice(0, name.lastIndexOf('/'));
    if (opts.exclude?.some((x) => layer === x || layer.startsWith(`${x}_`) || layer.startsWith(`${x}/`))) continue;
    const s = shapes.get(name);
    if (s && tf.util.arraysEqual(s, t.shape)) usable[name] = t;
  }
  return to.setWeights(usable, { allowMissing: true });
}
