/**
 * Which fields of a trial config each stage reads. A stage's key hashes exactly this subset,
 * so a field a stage does not read must not be here (else trials that differ only in, say,
 * the test NMS threshold would retrain their RPNs), and a field it reads must be (else two
 * different computations would share a key). Stage functions receive this subset, not the
 * whole config, so they cannot read more than their key covers.
 */
import type { TrialConfig } from './trial-config.ts';
import type { StageKind, StageSpec } from './stage-kind.ts';

function trainData(c: TrialConfig) {
  return { name: c.dataset.name, root: c.dataset.root, split: c.dataset.trainSplit, limit: c.dataset.limit, digest: c.dataset.digest };
}
function testData(c: TrialConfig) {
  return { name: c.dataset.name, root: c.dataset.root, split: c.dataset.testSplit, limit: c.dataset.limit, digest: c.dataset.digest };
}
/** Proposal generation reads the image scale, not the training-time flips. */
function scale(c: TrialConfig) {
  return { shortSide: c.image.shortSide, maxSize: c.image.maxSize };
}
function proposalSettings(c: TrialConfig, phase: 'train' | 'test') {
  return { ...c.proposals[phase], nmsThreshold: c.proposals.nmsThreshold, minSize: c.proposals.minSize };
}
function lrFor(c: TrialConfig) {
  return c.lr;
}

export type DatasetSubset = ReturnType<typeof trainData>;

/** The config subset of each kind (the object handed to its stage function as `job.config`). */
export interface ConfigSubsets {
  train_rpn: { dataset: DatasetSubset; backbone: TrialConfig['backbone']; image: TrialConfig['image']; anchors: TrialConfig['anchors']; rpn: TrialConfig['rpn']; iterations: number; lr: TrialConfig['lr']; seed: number };
  generate_proposals: { dataset: DatasetSubset; image: ReturnType<typeof scale>; anchors: TrialConfig['anchors']; proposals: ReturnType<typeof proposalSettings> };
  merge_proposals: Record<string, never>;
  train_fast_rcnn: { dataset: DatasetSubset; backbone: TrialConfig['backbone']; image: TrialConfig['image']; roi: TrialConfig['roi']; iterations: number; lr: TrialConfig['lr']; seed: number; externalProposals?: string };
  assemble: Record<string, never>;
  train_joint: { dataset: DatasetSubset; backbone: TrialConfig['backbone']; image: TrialConfig['image']; anchors: TrialConfig['anchors']; rpn: TrialConfig['rpn']; proposals: ReturnType<typeof proposalSettings>; roi: TrialConfig['roi']; iterations: number; lr: TrialConfig['lr']; seed: number };
  detect: { dataset: DatasetSubset; image: ReturnType<typeof scale>; anchors: TrialConfig['anchors']; proposals: ReturnType<typeof proposalSettings>; externalProposals?: string; test: TrialConfig['test'] };
  merge_detections: Record<string, never>;
  evaluate: { dataset: DatasetSubset; metrics: TrialConfig['metrics'] };
}

export type ConfigSubsetOf<K extends StageKind> = ConfigSubsets[K];

export function configSubset<K extends StageKind>(spec: StageSpec & { kind: K }, c: TrialConfig): ConfigSubsetOf<K>;
export function configSubset(spec: StageSpec, c: TrialConfig): ConfigSubsets[StageKind] {
  switch (spec.kind) {
    case 'train_rpn':
      return {
        dataset: trainData(c),
        backbone: c.backbone,
        image: c.image,
        anchors: c.anchors,
        rpn: c.rpn,
        iterations: spec.step === 1 ? c.iterations.rpn1 : c.iterations.rpn2,
        lr: lrFor(c),
        seed: c.seed,
      };
    case 'generate_proposals':
      return { dataset: trainData(c), image: scale(c), anchors: c.anchors, proposals: proposalSettings(c, 'train') };
    case 'train_fast_rcnn':
      return {
        dataset: trainData(c),
        backbone: c.backbone,
        image: c.image,
        roi: c.roi,
        iterations: spec.step === 1 ? c.iterations.fastRcnn1 : c.iterations.fastRcnn2,
        lr: lrFor(c),
        seed: c.seed,
        externalProposals: spec.proposals === 'external' ? c.proposals.external?.train : undefined,
      };
    case 'train_joint':
      return {
        dataset: trainData(c),
        backbone: c.backbone,
        image: c.image,
        anchors: c.anchors,
        rpn: c.rpn,
        proposals: proposalSettings(c, 'train'),
        roi: c.roi,
        iterations: c.iterations.joint,
        lr: lrFor(c),
        seed: c.seed,
      };
    case 'detect':
      return {
        dataset: testData(c),
        image: scale(c),
        anchors: c.anchors,
        proposals: proposalSettings(c, 'test'),
        externalProposals: spec.proposals === 'external' ? c.proposals.external?.test : undefined,
        test: c.test,
      };
    case 'evaluate':
      return { dataset: testData(c), metrics: c.metrics };
    case 'merge_proposals':
    case 'merge_detections':
    case 'assemble':
      // Pure functions of their inputs (and their spec): nothing from the config.
      return {};
  }
}
