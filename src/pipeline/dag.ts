/**
 * The stage DAG of one trial, per training mode (DESIGN.md "Training modes"):
 *
 *   alt-opt:  train_rpn(M0)→M1 · proposals(M1)→P1 · train_fast_rcnn(M0,P1)→M2 ·
 *             train_rpn(M2, frozen)→M3 · proposals(M3)→P2 · train_fast_rcnn(M3,P2, frozen)→M4 ·
 *             assemble(M4, M3.rpn) · detect · evaluate
 *   end2end:  train_joint(M0) · detect · evaluate
 *   unshared: train_rpn(M0)→M1 · proposals(M1)→P1 · train_fast_rcnn(M0,P1)→M2 ·
 *             assemble(M2, M1.rpn, separate convs) · detect · evaluate
 *   external-proposals: train_fast_rcnn(M0, external) · detect(external) · evaluate
 *
 * `generate_proposals` and `detect` are split into `shards.*` shards over images plus a merge
 * stage. Nodes come in topological order; keys chain, so trials sharing a prefix share nodes.
 */
import { configSubset } from './config-subset.ts';
import type { StageKey } from './ids.ts';
import { stageKey } from './stage-key.ts';
import { stageResources, type StageResources, type StageSpec } from './stage-kind.ts';
import type { TrialConfig } from './trial-config.ts';

export interface StageNode {
  key: StageKey;
  /** Name inside the trial, e.g. `rpn1`, `proposals1.shard-0`, `detect.merge`. */
  name: string;
  spec: StageSpec;
  /** The config subset the stage reads (what its key hashes). */
  config: object;
  /** Input role → key of the producing stage. */
  inputs: Record<string, StageKey>;
  resources: StageResources;
  /** Estimated duration in reference-GPU seconds (scheduling priority only; see `estimateCost`). */
  cost: number;
}

export interface TrialDag {
  /** Topological order: every node after its inputs. */
  nodes: StageNode[];
  /** The final model (assemble / train_joint / train_fast_rcnn), for reports and downloads. */
  model: StageKey;
  /** The evaluate stage: the trial is done when it is. */
  sink: StageKey;
}

/** Image counts of known datasets, to estimate shard durations before the data is opened. */
const KNOWN_SPLIT_SIZES: Record<string, Record<string, number>> = {
  voc07: { trainval: 5011, test: 4952, train: 2501, val: 2510 },
  voc12: { trainval: 11540, train: 5717, val: 5823 },
  coco: { train2017: 118287, val2017: 5000 },
};
const DEFAULT_SPLIT_SIZE = 1000;

/** Reference-GPU seconds per training iteration and per image of inference (K40-era figures from the paper's Table 5 scale). */
const SECONDS_PER_ITER = { zf: 0.06, vgg16: 0.2, small: 0.02 } as const;
const SECONDS_PER_PROPOSAL_IMAGE = { zf: 0.01, vgg16: 0.04, small: 0.005 } as const;
const SECONDS_PER_DETECT_IMAGE = { zf: 0.06, vgg16: 0.2, small: 0.02 } as const;

export function splitSize(c: TrialConfig, split: string): number {
  const known = KNOWN_SPLIT_SIZES[c.dataset.name]?.[split] ?? DEFAULT_SPLIT_SIZE;
  return c.dataset.limit ? Math.min(c.dataset.limit, known) : known;
}

/** Rough duration of a stage in reference-GPU seconds: good enough to rank paths, not to promise times. */
export function estimateCost(spec: StageSpec, c: TrialConfig, config: object): number {
  const b = c.backbone.name;
  switch (spec.kind) {
    case 'train_rpn':
    case 'train_fast_rcnn':
    case 'train_joint':
      return (config as { iterations: number }).iterations * SECONDS_PER_ITER[b] * (spec.kind === 'train_joint' ? 1.3 : 1);
    case 'generate_proposals':
      return (splitSize(c, c.dataset.trainSplit) / spec.shard.count) * SECONDS_PER_PROPOSAL_IMAGE[b];
    case 'detect':
      return (splitSize(c, c.dataset.testSplit) / spec.shard.count) * SECONDS_PER_DETECT_IMAGE[b];
    case 'merge_proposals':
    case 'merge_detections':
      return 2 + 0.001 * splitSize(c, c.dataset.testSplit);
    case 'assemble':
      return 5;
    case 'evaluate':
      return 5 + 0.002 * splitSize(c, c.dataset.testSplit) * c.metrics.length;
  }
}

class DagBuilder {
  readonly nodes: StageNode[] = [];
  constructor(private readonly c: TrialConfig) {}

  add(name: string, spec: StageSpec, inputs: Record<string, StageKey>): StageKey {
    const config = configSubset(spec, this.c);
    const key = stageKey(spec, config, inputs);
    this.nodes.push({
      key,
      name,
      spec,
      config,
      inputs,
      resources: stageResources(spec.kind, this.c.backbone.name),
      cost: estimateCost(spec, this.c, config),
    });
    return key;
  }

  /** `count` generate_proposals shards of `model` and their merge. */
  proposals(name: string, step: 1 | 2, model: StageKey): StageKey {
    const count = this.c.shards.proposals;
    const shards: Record<string, StageKey> = {};
    for (let i = 0; i < count; i++) {
      shards[`shard.${i}`] = this.add(`${name}.shard-${i}`, { kind: 'generate_proposals', step, shard: { index: i, count } }, { model });
    }
    return this.add(`${name}.merge`, { kind: 'merge_proposals', shards: count }, shards);
  }

  /** Detect shards of `model` on the test split, their merge, and evaluate. */
  evaluate(model: StageKey, proposals: 'model' | 'external'): StageKey {
    const count = this.c.shards.detect;
    const shards: Record<string, StageKey> = {};
    for (let i = 0; i < count; i++) {
      shards[`shard.${i}`] = this.add(`detect.shard-${i}`, { kind: 'detect', shard: { index: i, count }, proposals }, { model });
    }
    const detections = this.add('detect.merge', { kind: 'merge_detections', shards: count }, shards);
    return this.add('evaluate', { kind: 'evaluate' }, { detections });
  }
}

export function buildTrialDag(c: TrialConfig): TrialDag {
  const b = new DagBuilder(c);
  let model: StageKey;
  let proposals: 'model' | 'external' = 'model';
  switch (c.mode) {
    case 'alt-opt': {
      const m1 = b.add('rpn1', { kind: 'train_rpn', step: 1, init: 'imagenet', freezeConv: false }, {});
      const p1 = b.proposals('proposals1', 1, m1);
      const m2 = b.add('fast_rcnn1', { kind: 'train_fast_rcnn', step: 1, init: 'imagenet', freezeConv: false, proposals: 'input' }, { proposals: p1 });
      const m3 = b.add('rpn2', { kind: 'train_rpn', step: 2, init: 'input', freezeConv: true }, { init: m2 });
      const p2 = b.proposals('proposals2', 2, m3);
      const m4 = b.add('fast_rcnn2', { kind: 'train_fast_rcnn', step: 2, init: 'input', freezeConv: true, proposals: 'input' }, { init: m3, proposals: p2 });
      model = b.add('assemble', { kind: 'assemble', sharedConv: true }, { fastRcnn: m4, rpn: m3 });
      break;
    }
    case 'unshared': {
      const m1 = b.add('rpn1', { kind: 'train_rpn', step: 1, init: 'imagenet', freezeConv: false }, {});
      const p1 = b.proposals('proposals1', 1, m1);
      const m2 = b.add('fast_rcnn1', { kind: 'train_fast_rcnn', step: 1, init: 'imagenet', freezeConv: false, proposals: 'input' }, { proposals: p1 });
      model = b.add('assemble', { kind: 'assemble', sharedConv: false }, { fastRcnn: m2, rpn: m1 });
      break;
    }
    case 'end2end':
      model = b.add('joint', { kind: 'train_joint' }, {});
      break;
    case 'external-proposals':
      model = b.add('fast_rcnn1', { kind: 'train_fast_rcnn', step: 1, init: 'imagenet', freezeConv: false, proposals: 'external' }, {});
      proposals = 'external';
      break;
  }
  const sink = b.evaluate(model, proposals);
  return { nodes: b.nodes, model, sink };
}
