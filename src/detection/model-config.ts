/**
 * Every number of the detector, in one place. Stage constructors take what they need from a
 * resolved `ModelConfig` and hold no defaults of their own; `defaultModelConfig(backbone)`
 * is the only source of defaults (py-faster-rcnn's `config.py` and the paper's values for ZF
 * and VGG16; measured choices for `small`). Train/test variants are `{training, testing}` pairs.
 */
import { InputError } from '../util/errors.ts';
import { BACKBONES, BACKBONE_SPECS, type BackboneName, type BackboneNorm } from './backbones/spec.ts';
import type { RoiOpKind } from './roi-ops/index.ts';

export interface TrainTest<T> {
  training: T;
  testing: T;
}

export interface ModelConfig {
  backbone: BackboneName;
  /** Foreground class names; the model has classes.length + 1 outputs (0 = background). */
  classes: string[];

  /** Normalisation after each backbone conv: 'none' (ZF, VGG16 as published) or 'group'. */
  backboneNorm: BackboneNorm;
  /** Multiplier on the backbone's filter counts (1: as published). */
  backboneWidth: number;

  // transform
  /** Multiplies the mean-subtracted 0–255 pixels: 1 for Caffe-style ImageNet weights, ~1/58 from scratch (unit-variance input for He init). */
  inputScale: number;

  // anchors
  anchorBaseSize: number;
  anchorRatios: number[];
  anchorScales: number[];

  // RPN
  /** Channels of `rpn_conv/3x3` (256 for ZF, 512 for VGG16). */
  rpnChannels: number;
  /** λ: weight of the RPN box loss, normalised by the number of anchor locations (paper eq. 1). */
  rpnLambda: number;
  /** σ of the RPN smooth-L1. */
  rpnSigma: number;
  rpnBatchSize: number;
  rpnFgFraction: number;
  rpnPositiveOverlap: number;
  rpnNegativeOverlap: number;
  /** Anchors crossing the image border by more than this many pixels are ignored in training. */
  rpnAllowedBorder: number;
  rpnPreNmsTopN: TrainTest<number>;
  rpnPostNmsTopN: TrainTest<number>;
  rpnNmsThresh: number;
  /** Minimum proposal side in original-image pixels (scaled by the image's resize factor). */
  rpnMinSize: number;

  // Box head
  roiOp: RoiOpKind;
  /** RoI output cells per side (7 VGG16 / small, 6 ZF). */
  roiSize: number;
  roiSamplingRatio: number;
  /** Width of fc6 and fc7. */
  fcChannels: number;
  /** Dropout after fc6 and fc7 in training (0.5 in py-faster-rcnn's ZF/VGG16 prototxts). */
  dropout: number;
  boxBatchSize: number;
  boxFgFraction: number;
  boxFgThresh: number;
  boxBgThreshHi: number;
  boxBgThreshLo: number;
  /** Background also below boxBgThreshLo for RoIs at least this much inside a gt box (part negatives); 0: off, as py-faster-rcnn. */
  boxBgPartMinInside: number;
  /** Normalisation of the head's regression targets. */
  bboxStds: [number, number, number, number];
  boxSigma: number;
  boxScoreThresh: number;
  boxNmsThresh: number;
  boxDetectionsPerImg: number;

  // images
  /** Shorter side of the network input, and the cap on the longer side. */
  imageTargetSize: number;
  imageMaxSize: number;

  /** Layer-name prefixes whose parameters are not updated (`conv1` freezes conv1, conv1_1, conv1_2). */
  freeze: string[];
}

/** The defaults for a backbone (with an empty class list: set `classes` from the dataset). */
export function defaultModelConfig(backbone: BackboneName): ModelConfig {
  const base: ModelConfig = {
    backbone,
    classes: [],
    backboneNorm: 'none',
    backboneWidth: 1,
    inputScale: 1,
    anchorBaseSize: 16,
    anchorRatios: [0.5, 1, 2],
    anchorScales: [8, 16, 32],
    rpnChannels: 256,
    rpnLambda: 10,
    rpnSigma: 3,
    rpnBatchSize: 256,
    rpnFgFraction: 0.5,
    rpnPositiveOverlap: 0.7,
    rpnNegativeOverlap: 0.3,
    rpnAllowedBorder: 0,
    rpnPreNmsTopN: { training: 12000, testing: 6000 },
    rpnPostNmsTopN: { training: 2000, testing: 300 },
    rpnNmsThresh: 0.7,
    rpnMinSize: 16,
    roiOp: 'pool',
    roiSize: 7,
    roiSamplingRatio: 2,
    fcChannels: 4096,
    dropout: 0.5,
    boxBatchSize: 128,
    boxFgFraction: 0.25,
    boxFgThresh: 0.5,
    boxBgThreshHi: 0.5,
    boxBgThreshLo: 0.1,
    boxBgPartMinInside: 0,
    bboxStds: [0.1, 0.1, 0.2, 0.2],
    boxSigma: 1,
    boxScoreThresh: 0.05,
    boxNmsThresh: 0.3,
    boxDetectionsPerImg: 100,
    imageTargetSize: 600,
    imageMaxSize: 1000,
    freeze: [],
  };
  switch (backbone) {
    case 'zf':
      return { ...base, roiSize: 6 };
    case 'vgg16':
      // The paper's recipe: conv1_x and conv2_x stay at their ImageNet values.
      return { ...base, rpnChannels: 512, freeze: ['conv1', 'conv2'] };
    case 'small':
      // Sized for 256-px images of shapes 24–128 px, trained from scratch on a CPU.
      return {
        ...base,
        // Measured on the shapes dataset, 200 iterations: VOC07 mAP 0.15 with GroupNorm vs 0.02 without (0.01 at lr 0.03).
        backboneNorm: 'group',
        // Half the torchvision peer's "tiny" widths (16…128, RPN 128): measured on the default
        // shapes dataset, VOC07 mAP 0.844 after 850 two-image iterations, at ~2.3× less compute per step.
        backboneWidth: 0.5,
        rpnChannels: 128,
        inputScale: 1 / 58,
        anchorScales: [2, 4, 8],
        rpnMinSize: 4,
        roiOp: 'align',
        fcChannels: 256,
        dropout: 0,
        imageTargetSize: 256,
        imageMaxSize: 256,
        // Part negatives: measured on the default shapes dataset, 1000 two-image iterations, VOC07
        // mAP 0.871 with vs 0.844 without (most false positives were squares on a large cross's arm).
        boxBgPartMinInside: 0.7,
      };
  }
}

/** Feature stride of the configured backbone. */
export function featureStride(config: ModelConfig): number {
  return BACKBONE_SPECS[config.backbone].stride;
}

/** Number of anchors per feature-map position. */
export function anchorsPerLocation(config: ModelConfig): number {
  return config.anchorRatios.length * config.anchorScales.length;
}

/** Checks a config (e.g. read from a checkpoint) and quotes the first bad field. */
export function validateModelConfig(config: ModelConfig, where: string): ModelConfig {
  const bad = (field: string, msg: string): never => {
    throw new InputError(`${where}: ${field}`, msg);
  };
  if (!BACKBONES.includes(config.backbone)) bad('backbone', `unknown backbone ${JSON.stringify(config.backbone)} (expected ${BACKBONES.join(', ')})`);
  if (!Array.isArray(config.classes) || config.classes.length === 0) bad('classes', 'needs at least one class name');
  for (const f of ['anchorRatios', 'anchorScales'] as const) {
    const v = config[f];
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => !(x > 0))) bad(f, `expected positive numbers, got ${JSON.stringify(v)}`);
  }
  for (const f of ['backboneWidth', 'inputScale', 'rpnChannels', 'rpnBatchSize', 'rpnSigma', 'roiSize', 'fcChannels', 'boxBatchSize', 'boxSigma', 'imageTargetSize', 'imageMaxSize', 'anchorBaseSize'] as const) {
    if (!(config[f] > 0)) bad(f, `expected a positive number, got ${JSON.stringify(config[f])}`);
  }
  if (!(config.rpnLambda >= 0)) bad('rpnLambda', `expected a non-negative number, got ${JSON.stringify(config.rpnLambda)}`);
  // Absent in checkpoints written before the option existed (read as 0).
  if (config.boxBgPartMinInside !== undefined && !(config.boxBgPartMinInside >= 0 && config.boxBgPartMinInside <= 1)) bad('boxBgPartMinInside', `expected a fraction in [0, 1], got ${JSON.stringify(config.boxBgPartMinInside)}`);
  if (!(config.dropout >= 0 && config.dropout < 1)) bad('dropout', `expected a number in [0, 1), got ${JSON.stringify(config.dropout)}`);
  if (config.backboneNorm !== 'none' && config.backboneNorm !== 'group') bad('backboneNorm', `expected "none" or "group", got ${JSON.stringify(config.backboneNorm)}`);
  if (config.roiOp !== 'pool' && config.roiOp !== 'align') bad('roiOp', `expected "pool" or "align", got ${JSON.stringify(config.roiOp)}`);
  return config;
}
