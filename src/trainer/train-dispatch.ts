/**
 * `frcnn train --mode alt-opt|unshared|external-proposals` (and any mode with `--store`): the
 * command's flags mapped onto the local pipeline runner. `--out DIR` is the store directory.
 * Flags of the single-loop trainer that the stage functions do not take are refused by name
 * rather than ignored.
 */
import { UsageError } from '../util/errors.ts';

/** The `frcnn train` flags (the command parses into this; this path reads them). */
export interface TrainCommandFlags {
  mode: string;
  dataset: string;
  backbone: string;
  out?: string;
  store?: string;
  iters?: number;
  seed: number;
  lr?: number;
  lambda?: number;
  anchorScales?: number[];
  anchorRatios?: number[];
  imageSize?: number;
  maxSize?: number;
  rois?: number;
  init?: string;
  checkpointEvery: number;
  trainSplit: string;
  testSplit: string;
  backend?: string;
  json?: boolean;
  steps?: number[];
  warmup?: number;
  width?: number;
  batch?: number;
  replicas?: number;
  freeze?: string;
  resume?: boolean | string;
  eval?: boolean;
}

/** Mode names the single-loop command announced, as the pipeline spells them. */
const MODE_ALIASES: Record<string, string> = { alternating: 'alt-opt', 'fast-rcnn': 'external-proposals' };

/** Whether `frcnn train` should go through the pipeline runner. */
export function usesPipeline(flags: Pick<TrainCommandFlags, 'mode' | 'store'>): boolean {
  return flags.mode !== 'end2end' || flags.store !== undefined;
}

export async function runTrainThroughPipeline(flags: TrainCommandFlags): Promise<void> {
  const mode = MODE_ALIASES[flags.mode] ?? flags.mode;
  const unsupported: Array<[keyof TrainCommandFlags, string]> = [
    ['steps', '--steps (stages drop the learning rate after 3/4 of their iterations, as py-faster-rcnn)'],
    ['warmup', '--warmup'],
    ['width', '--width'],
    ['batch', '--batch (stages train one image per iteration, as py-faster-rcnn)'],
    ['replicas', '--replicas (stages train one copy each; the cluster runs several trainers instead)'],
    ['freeze', '--freeze (each alt-opt step freezes what the paper freezes)'],
    ['resume', '--resume (a rerun of the same command resumes by itself)'],
  ];
  for (const [k, name] of unsupported) {
    if (flags[k] !== undefined && flags[k] !== false) throw new UsageError(`${name} is not available with --mode ${flags.mode}`);
  }
  if (flags.eval === false) throw new UsageError(`--no-eval is not available with --mode ${flags.mode}: the pipeline ends with detect and evaluate`);
  const store = flags.store ?? flags.out;
  if (!store) throw new UsageError('--out <dir> or --store <dir|s3://bucket/prefix> is required');
  if (flags.backend) process.env.FRCNN_BACKEND = flags.backend;
  const { runPipelineFromFlags } = await import('../cli/commands/pipeline.ts');
  await runPipelineFromFlags(
    {
      mode,
      dataset: flags.dataset,
      backbone: flags.backbone,
      iters: flags.iters,
      seed: flags.seed,
      lr: flags.lr,
      checkpointEvery: flags.checkpointEvery,
      trainSplit: flags.trainSplit,
      testSplit: flags.testSplit,
      metrics: 'voc07,voc2010',
      shards: 1,
      init: flags.init,
      scale: flags.imageSize,
      maxSize: flags.maxSize,
      lambda: flags.lambda,
      anchorScales: flags.anchorScales,
      anchorRatios: flags.anchorRatios,
      rois: flags.rois,
      json: flags.json,
    },
    store,
  );
}
