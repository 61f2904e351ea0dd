/**
 * What `frcnn pipeline run` and `frcnn train --mode …` do: a trial config from flags (with
 * the small backbone's CPU-sized image, anchor and RoI settings filled in from its model
 * defaults), the local runner over an object store, and a result table.
 */
import { basename, resolve } from 'node:path';
import { defaultModelConfig } from '../detection/model-config.ts';
import type { BackboneName } from '../detection/backbones/spec.ts';
import { parseTrialConfig, type TrainingMode, type TrialConfig, type TrialConfigInput } from '../pipeline/trial-config.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { UsageError } from '../util/errors.ts';
import { formatDuration } from '../util/progress.ts';
import { STORE_DATASET_SCHEME, UPLOAD_RECORD, type UploadRecord } from './dataset-source.ts';
import { runPipelineLocally, type LocalRunResult, type RunnerEvent } from './local-runner.ts';
import { getJson } from './store-io.ts';

export interface RunCommandOptions {
  mode: TrainingMode;
  /** A VOC directory or `store:<prefix>` in the store. */
  dataset: string;
  backbone: BackboneName;
  /** Store URL: a directory or s3://bucket/prefix. */
  store: string;
  /** Iterations of joint training; alt-opt stages scale as the paper's 80k/40k/80k/40k vs 70k. */
  iters?: number;
  seed: number;
  lr?: number;
  checkpointEvery: number;
  limit?: number;
  trainSplit: string;
  testSplit: string;
  metrics: string[];
  shards: number;
  /** ImageNet weights (tfjs directory) for M0. */
  init?: string;
  /** λ of the RPN loss; anchor scales and ratios; RoIs per image (default: the trial config's). */
  lambda?: number;
  anchorScales?: number[];
  anchorRatios?: number[];
  rois?: number;
  /** Shorter image side and cap on the longer side (default: the backbone's). */
  scale?: number;
  maxSize?: number;
  /** proposals files (directories or store:<prefix>) for mode external-proposals. */
  externalTrain?: string;
  externalTest?: string;
  progress?: 'bar' | 'lines' | 'silent';
}

/** Joint iterations by backbone when --iters is absent (small: measured on the shapes dataset; others: the paper's). */
export const DEFAULT_JOINT_ITERS: Record<BackboneName, number> = { small: 1200, zf: 70000, vgg16: 70000 };
/** Base learning rate by backbone: 0.01 for `small` from scratch (measured), the paper's 0.001 otherwise. */
export const DEFAULT_LR: Record<BackboneName, number> = { small: 0.01, zf: 0.001, vgg16: 0.001 };

/** The paper's schedule: 80k RPN / 40k Fast R-CNN per alt-opt step against 70k joint. */
export function iterationsFor(joint: number): TrialConfig['iterations'] {
  const rpn = Math.max(1, Math.round((joint * 8) / 7));
  const fastRcnn = Math.max(1, Math.round((joint * 4) / 7));
  return { rpn1: rpn, fastRcnn1: fastRcnn, rpn2: rpn, fastRcnn2: fastRcnn, joint };
}

/** Settings a backbone's model defaults imply for the trial (the trial config's own defaults are VGG16's). */
function backboneDefaults(backbone: BackboneName): Partial<TrialConfigInput> {
  if (backbone !== 'small') return {};
  const m = defaultModelConfig('small');
  return {
    image: { shortSide: m.imageTargetSize, maxSize: m.imageMaxSize },
    anchors: { baseSize: m.anchorBaseSize, scales: m.anchorScales, ratios: m.anchorRatios },
    proposals: { minSize: m.rpnMinSize },
    roi: { pool: m.roiOp === 'align' ? 'align' : 'max', poolSize: m.roiSize },
  };
}

async function datasetDigestFor(dataset: string, store: ObjectStore): Promise<{ root: string; name: string; digest: string }> {
  if (dataset.startsWith(STORE_DATASET_SCHEME)) {
    const prefix = dataset.slice(STORE_DATASET_SCHEME.length).replace(/\/+$/, '');
    const rec = await getJson<UploadRecord>(store, `${prefix}/${UPLOAD_RECORD}`).catch((err: unknown) => {
      throw new UsageError(`--dataset ${dataset}: no uploaded dataset there in ${store.location} (frcnn pipeline upload-dataset)`, { cause: err });
    });
    return { root: `${STORE_DATASET_SCHEME}${prefix}`, name: rec.name, digest: rec.digest };
  }
  const root = resolve(dataset);
  const { loadVocDataset } = await import('../data/voc.ts');
  const { datasetDigest } = await import('../data/digest.ts');
  const ds = await loadVocDataset(root);
  return { root, name: basename(root), digest: await datasetDigest(ds, ds.splits) };
}

export async function trialConfigFromFlags(o: RunCommandOptions, store: ObjectStore): Promise<TrialConfig> {
  const data = await datasetDigestFor(o.dataset, store);
  const joint = o.iters ?? DEFAULT_JOINT_ITERS[o.backbone];
  const input: TrialConfigInput = {
    ...backboneDefaults(o.backbone),
    dataset: { name: data.name, root: data.root, digest: data.digest, trainSplit: o.trainSplit, testSplit: o.testSplit, ...(o.limit ? { limit: o.limit } : {}) },
    backbone: { name: o.backbone, ...(o.init ? { weights: resolve(o.init) } : {}) },
    mode: o.mode,
    iterations: iterationsFor(joint),
    lr: { base: o.lr ?? DEFAULT_LR[o.backbone] },
    seed: o.seed,
    metrics: o.metrics as TrialConfig['metrics'],
    shards: { proposals: o.shards, detect: o.shards },
    checkpointEvery: o.checkpointEvery,
  };
  if (o.scale || o.maxSize) {
    const image = { shortSide: 600, maxSize: 1000, ...(input.image ?? {}) };
    input.image = { ...image, ...(o.scale ? { shortSide: o.scale } : {}), ...(o.maxSize ? { maxSize: o.maxSize } : o.scale ? { maxSize: Math.max(o.scale, image.maxSize) } : {}) };
  }
  if (o.lambda !== undefined) input.rpn = { ...(input.rpn ?? {}), lambda: o.lambda };
  if (o.anchorScales || o.anchorRatios) {
    input.anchors = { ...(input.anchors ?? {}), ...(o.anchorScales ? { scales: o.anchorScales } : {}), ...(o.anchorRatios ? { ratios: o.anchorRatios } : {}) };
  }
  if (o.rois !== undefined) input.roi = { ...(input.roi ?? {}), batchSize: o.rois };
  if (o.externalTrain || o.externalTest) {
    if (!o.externalTrain || !o.externalTest) throw new UsageError('--external-train and --external-test go together');
    input.proposals = { ...(input.proposals ?? {}), external: { train: o.externalTrain, test: o.externalTest } };
  }
  return parseTrialConfig(input, 'command-line flags');
}

/** One stderr line per runner event: what is skipped, started, resumed and finished. */
export function describeEvent(e: RunnerEvent): string | undefined {
  switch (e.type) {
    case 'skip':
      return `skip ${e.node.name}: committed (attempt a${e.attempt})`;
    case 'start':
      return e.resumeFrom ? `resume ${e.node.name} (attempt a${e.attempt}) from checkpoint ${e.resumeFrom}` : `run ${e.node.name} (attempt a${e.attempt}, key ${e.node.key.slice(0, 12)})`;
    case 'checkpoint':
      return `checkpoint ${e.node.name}: ${e.ref}`;
    case 'done':
      return `done ${e.node.name} in ${e.run.seconds.toFixed(1)} s`;
  }
}

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : 'n/a');

/** The result table: every stage with its status and wall time, then the metrics. */
export function formatRunResult(mode: string, r: LocalRunResult): string {
  const ran = r.stages.filter((s) => s.status !== 'skipped').length;
  const lines = [`mode ${mode}: ${r.stages.length} stages, ${ran} run, ${r.stages.length - ran} skipped, wall time ${formatDuration(r.wallSeconds)}`];
  const w = Math.max(...r.stages.map((s) => s.name.length), 5);
  lines.push(`  ${'stage'.padEnd(w)}  ${'kind'.padEnd(18)}  ${'status'.padEnd(8)}  ${'seconds'.padStart(8)}  key`);
  for (const s of r.stages) lines.push(`  ${s.name.padEnd(w)}  ${s.kind.padEnd(18)}  ${s.status.padEnd(8)}  ${s.seconds.toFixed(1).padStart(8)}  ${s.key.slice(0, 12)}`);
  const e = r.evaluation;
  lines.push(`VOC07 mAP@0.5 ${fmt(e.voc07)}   VOC2010 mAP@0.5 ${fmt(e.voc2010)}`);
  if (Array.isArray(e.perClass)) {
    for (const c of e.perClass as Array<{ name: string; ap07: number | null; ap: number | null }>) lines.push(`  ${c.name.padEnd(16)} AP07 ${fmt(c.ap07)}  AP ${fmt(c.ap)}`);
  }
  if (e.coco && typeof e.coco === 'object') lines.push(`COCO AP ${fmt((e.coco as Record<string, unknown>).AP)}  AP50 ${fmt((e.coco as Record<string, unknown>).AP50)}`);
  lines.push(`model: stages/${r.dag.model}  (committed at ${r.modelPrefix})`);
  return lines.join('\n');
}

export async function runCommand(o: RunCommandOptions, io: { signal?: AbortSignal; json?: boolean } = {}): Promise<{ result: LocalRunResult; text: string }> {
  const { openStore } = await import('../storage/open-store.ts');
  const store = await openStore(o.store);
  try {
    const config = await trialConfigFromFlags(o, store);
    const result = await runPipelineLocally({
      config,
      store,
      progress: o.progress,
      signal: io.signal,
      onEvent: (e) => {
        const line = describeEvent(e);
        if (line) process.stderr.write(`${line}\n`);
      },
    });
    return { result, text: formatRunResult(o.mode, result) };
  } finally {
    await store.close();
  }
}
