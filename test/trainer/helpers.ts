/** Shared fixtures of the trainer tests: a tiny shapes dataset, a tiny trial config, stage contexts. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateShapesDataset } from '../../src/data/shapes-dataset.ts';
import { buildTrialDag, type StageNode } from '../../src/pipeline/dag.ts';
import { attemptIdOf, attemptPrefix, stagePrefix, type InputArtifact, type StageContext, type StageJob, type StageProgress } from '../../src/pipeline/executor.ts';
import { jobIdOf } from '../../src/pipeline/ids.ts';
import type { StageKind } from '../../src/pipeline/stage-kind.ts';
import { parseTrialConfig, type TrialConfig, type TrialConfigInput } from '../../src/pipeline/trial-config.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { logger } from '../../src/util/log.ts';

/** 24 training and 8 test images of 96 px (objects 12–48 px). */
export async function tinyShapes(): Promise<string> {
  const out = join(await mkdtemp(join(tmpdir(), 'frcnn-trainer-')), 'shapes');
  await generateShapesDataset({ out, train: 24, test: 8, size: 96, seed: 5 });
  return out;
}

/** A trial sized for tests: 96-px images, small samples and few proposals; iterations as given. */
export function tinyTrial(root: string, over: Partial<TrialConfigInput> = {}): TrialConfig {
  return parseTrialConfig({
    dataset: { name: 'tiny-shapes', root },
    backbone: { name: 'small' },
    image: { shortSide: 96, maxSize: 96 },
    anchors: { scales: [1, 2, 4] },
    rpn: { batchSize: 64 },
    proposals: { minSize: 4, train: { preNmsTopN: 600, postNmsTopN: 100 }, test: { preNmsTopN: 300, postNmsTopN: 50 } },
    roi: { pool: 'align', batchSize: 32 },
    iterations: { rpn1: 4, fastRcnn1: 3, rpn2: 3, fastRcnn2: 3, joint: 4 },
    lr: { base: 0.01 },
    seed: 7,
    metrics: ['voc07', 'voc2010'],
    checkpointEvery: 2,
    ...over,
  });
}

export function nodeNamed(config: TrialConfig, name: string): StageNode {
  const n = buildTrialDag(config).nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no stage ${name}`);
  return n;
}

export interface TestContext {
  ctx: StageContext<ObjectStore>;
  progress: StageProgress[];
  checkpoints: string[];
  abort: AbortController;
}

/** A stage context writing attempt `attempt` of `node`; `onCheckpoint` may abort. */
export function testContext(store: ObjectStore, node: StageNode, attempt: number, checkpointEvery: number, onCheckpoint?: (ref: string, t: TestContext) => void): TestContext {
  const abort = new AbortController();
  const t: TestContext = {
    progress: [],
    checkpoints: [],
    abort,
    ctx: {
      store,
      artifactPrefix: attemptPrefix(node.key, attempt),
      artifact: { prefix: stagePrefix(node.key), attempt: attemptIdOf(attempt) },
      checkpointEvery,
      progress: (p) => t.progress.push(p),
      checkpoint: (ref) => {
        t.checkpoints.push(ref);
        onCheckpoint?.(ref, t);
        // Recorded at once: the test is the coordinator.
        return Promise.resolve();
      },
      signal: abort.signal,
      log: logger('test', { stage: node.name }),
    },
  };
  return t;
}

export function jobFor(node: StageNode, attempt: number, inputs: Record<string, InputArtifact> = {}, resumeFrom?: string): StageJob<StageKind> {
  return { jobId: jobIdOf(node.key, attempt), stageKey: node.key, attempt, spec: node.spec, config: node.config, inputs, resumeFrom, trialIds: [], sweepIds: [] } as unknown as StageJob<StageKind>;
}
