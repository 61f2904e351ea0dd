/**
 * The detector's public surface: build, train, run and checkpoint a Faster R-CNN model.
 * Geometry (anchors, box ops, targets, proposal layer) is exported from its own modules and
 * re-exported here for convenience. Import tfjs-heavy code from here only where a backend is
 * set up (`setupCompute`).
 */
export { setupCompute, exitWhenIdle } from './compute.ts';
export { registerGradients } from './tf-gradients.ts';
export { defaultModelConfig, validateModelConfig, featureStride, anchorsPerLocation, type ModelConfig, type TrainTest } from './model-config.ts';
export { BACKBONES, BACKBONE_SPECS, type BackboneName, type BackboneNorm, type BackboneSpec, type BackboneLayer } from './backbones/spec.ts';
export { FasterRCNN, LOSS_TERMS, type LossTerm, type LossTensors, type StageTimings, type TrainTargets } from './faster-rcnn.ts';
export { RPN_LAYERS, proposalOptions } from './rpn.ts';
export { HEAD_LAYERS, postprocessDetections, type Detections } from './roi-heads.ts';
export { ParamStore, layerMatches, type ParamInfo, type ParamRole } from './params.ts';
export { roiAlign, roiPool, roiFeatures, type RoiOpKind } from './roi-ops/index.ts';
export { smoothL1, softmaxCrossEntropy, binaryLogLoss, weightedSmoothL1 } from './losses.ts';
export { DetectorTrainer, NonFiniteLossError, type StepResult, type LossValues } from './training/trainer.ts';
export { MomentumSgd, defaultSgdOptions, learningRateAt, type SgdOptions } from './training/sgd.ts';
export { saveCheckpoint, loadCheckpoint, loadDetector, CHECKPOINT_FORMAT, type CheckpointMetadata, type LoadedCheckpoint, type TrainingPosition } from './training/checkpoint.ts';
export { trainJoint, trainingEntries, type JointTrainingOptions, type JointTrainingResult } from './training/train-loop.ts';
export { detectEntries, writeDetections, writeVocResults, cocoResults, type DetectionList, type DetectSplitResult } from './inference.ts';
export { generateAnchors, shiftAnchors } from './anchors.ts';
export { encodeBoxes, decodeBoxes, weightsFromStds } from './box-coder.ts';
export { anchorTargets, type AnchorTargetOptions } from './anchor-targets.ts';
export { proposalLayer, TRAIN_PROPOSALS, TEST_PROPOSALS, type ProposalOptions, type Proposals } from './proposal-layer.ts';
export { proposalTargets, type ProposalTargetOptions } from './proposal-targets.ts';
export * as boxOps from './ops/boxes.ts';
