/**
 * `frcnn pipeline`: run a whole training pipeline on this machine through the stage functions
 * (`run`), and put a dataset into an object store for stages elsewhere (`upload-dataset`).
 */
import type { Command } from 'commander';
import { TRAINING_MODES } from '../../pipeline/trial-config.ts';
import { UsageError } from '../../util/errors.ts';
import { parseFloatOption, parseIntOption, parseNumberList } from '../options.ts';

export interface PipelineRunFlags {
  mode: string;
  dataset: string;
  backbone: string;
  store?: string;
  out?: string;
  iters?: number;
  seed: number;
  lr?: number;
  checkpointEvery: number;
  limit?: number;
  trainSplit: string;
  testSplit: string;
  metrics: string;
  shards: number;
  init?: string;
  scale?: number;
  maxSize?: number;
  lambda?: number;
  anchorScales?: number[];
  anchorRatios?: number[];
  rois?: number;
  externalTrain?: string;
  externalTest?: string;
  json?: boolean;
}

/** The runner's options, shared with `frcnn train`. */
export function addRunOptions(cmd: Command, opts: { requireStore: boolean }): Command {
  cmd
    .requiredOption('--mode <mode>', `training mode: ${TRAINING_MODES.join(' | ')}`)
    .requiredOption('--dataset <dir>', 'dataset: a PASCAL VOC directory (e.g. from `frcnn dataset shapes`) or store:<prefix> (from `frcnn pipeline upload-dataset`)')
    .option('--backbone <name>', 'backbone: small | zf | vgg16', 'small');
  if (opts.requireStore) cmd.option('--store <url>', 'where stage outputs go: a directory or s3://bucket/prefix (--out is an alias)');
  return cmd
    .option('--iters <n>', 'joint-training iterations; alt-opt RPN steps get 8/7 and Fast R-CNN steps 4/7 of it, as the paper (default: 1200 small, 70000 zf/vgg16)', parseIntOption('--iters'))
    .option('--seed <s>', 'seed for weight init, sampling, flips and shuffling', parseIntOption('--seed'), 1)
    .option('--lr <lr>', 'base learning rate (default: 0.01 small, 0.001 zf/vgg16)', parseFloatOption('--lr'))
    .option('--checkpoint-every <n>', 'write a resumable checkpoint every N iterations', parseIntOption('--checkpoint-every'), 200)
    .option('--limit <n>', 'use only the first N images of each split (smoke runs)', parseIntOption('--limit'))
    .option('--train-split <name>', 'split to train on', 'trainval')
    .option('--test-split <name>', 'split to evaluate on', 'test')
    .option('--metrics <list>', 'comma-separated metrics: voc07, voc2010, coco', 'voc07,voc2010')
    .option('--shards <n>', 'shards of the proposal and detection stages (data-parallel on a cluster)', parseIntOption('--shards'), 1)
    .option('--scale <px>', "shorter image side (default: the backbone's, 256 small, 600 zf/vgg16)", parseIntOption('--scale'))
    .option('--max-size <px>', 'cap on the longer image side (default: 256 small, 1000 zf/vgg16)', parseIntOption('--max-size'))
    .option('--lambda <λ>', 'weight of the RPN box loss (paper eq. 1; default 10)', parseFloatOption('--lambda'))
    .option('--anchor-scales <list>', 'anchor scales, comma-separated (× base size 16)', parseNumberList('--anchor-scales'))
    .option('--anchor-ratios <list>', 'anchor aspect ratios h/w, comma-separated', parseNumberList('--anchor-ratios'))
    .option('--rois <n>', 'RoIs sampled per image for the Fast R-CNN head (default 128)', parseIntOption('--rois'))
    .option('--init <dir>', 'ImageNet weights for the backbone (tfjs weights directory); random init otherwise')
    .option('--external-train <loc>', 'external-proposals mode: proposals of the training images (boxes file directory or store:<prefix>)')
    .option('--external-test <loc>', 'external-proposals mode: proposals of the test images')
    .option('--json', 'print the result as JSON');
}

/** Validate flags and run; prints the table (or JSON) to stdout. */
export async function runPipelineFromFlags(flags: PipelineRunFlags, storeUrl: string): Promise<void> {
  if (!(TRAINING_MODES as readonly string[]).includes(flags.mode)) throw new UsageError(`--mode: expected one of ${TRAINING_MODES.join(', ')}, got ${JSON.stringify(flags.mode)}`);
  const { BACKBONES } = await import('../../detection/backbones/spec.ts');
  if (!(BACKBONES as readonly string[]).includes(flags.backbone)) throw new UsageError(`--backbone: expected one of ${BACKBONES.join(', ')}, got ${JSON.stringify(flags.backbone)}`);
  const metrics = flags.metrics.split(',').map((s) => s.trim()).filter(Boolean);
  const { METRICS } = await import('../../pipeline/trial-config.ts');
  const bad = metrics.find((m) => !(METRICS as readonly string[]).includes(m));
  if (bad !== undefined || metrics.length === 0) throw new UsageError(`--metrics: expected a list of ${METRICS.join(', ')}, got ${JSON.stringify(flags.metrics)}`);
  const { runCommand } = await import('../../trainer/run-command.ts');
  const abort = new AbortController();
  // Ctrl-C: the running stage writes a checkpoint and stops; a rerun resumes from it.
  const onSignal = () => abort.abort(new UsageError('interrupted; rerun the same command to continue from the last checkpoint'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { result, text } = await runCommand(
      {
        mode: flags.mode as never,
        dataset: flags.dataset,
        backbone: flags.backbone as never,
        store: storeUrl,
        iters: flags.iters,
        seed: flags.seed,
        lr: flags.lr,
        checkpointEvery: flags.checkpointEvery,
        limit: flags.limit,
        trainSplit: flags.trainSplit,
        testSplit: flags.testSplit,
        metrics,
        shards: flags.shards,
        init: flags.init,
        scale: flags.scale,
        maxSize: flags.maxSize,
        lambda: flags.lambda,
        anchorScales: flags.anchorScales,
        anchorRatios: flags.anchorRatios,
        rois: flags.rois,
        externalTrain: flags.externalTrain,
        externalTest: flags.externalTest,
      },
      { signal: abort.signal },
    );
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ mode: flags.mode, wallSeconds: result.wallSeconds, model: result.modelPrefix, evaluation: result.evaluation, stages: result.stages.map(({ result: r, ...s }) => ({ ...s, result: r })) }, null, 1)}\n`);
    } else {
      process.stdout.write(`${text}\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const { releaseCompute } = await import('../../trainer/provenance.ts');
    await releaseCompute();
  }
}

export function register(program: Command): void {
  const pipeline = program.command('pipeline').description('run training pipelines locally through the stage functions; stage datasets in an object store');
  addRunOptions(
    pipeline.command('run').description('run a whole trial (all stages of a training mode, then detect and evaluate) in this process; committed stages are skipped, an interrupted stage resumes from its checkpoint'),
    { requireStore: true },
  )
    .option('--out <url>', 'alias of --store')
    .action(async (flags: PipelineRunFlags) => {
      const store = flags.store ?? flags.out;
      if (!store) throw new UsageError('--store <dir|s3://bucket/prefix> is required');
      await runPipelineFromFlags(flags, store);
    });

  pipeline
    .command('upload-dataset')
    .description('copy a PASCAL VOC tree into an object store, for stages on other machines (use --dataset store:datasets/<name>)')
    .argument('<dir>', 'the VOC directory')
    .requiredOption('--store <url>', 'the object store: a directory or s3://bucket/prefix')
    .requiredOption('--name <name>', 'dataset name; it lands under datasets/<name>/')
    .action(async (dir: string, flags: { store: string; name: string }) => {
      const { openStore } = await import('../../storage/open-store.ts');
      const { uploadDataset } = await import('../../trainer/dataset-source.ts');
      const { createProgress } = await import('../../util/progress.ts');
      const store = await openStore(flags.store);
      let bar: ReturnType<typeof createProgress> | undefined;
      try {
        const r = await uploadDataset(dir, store, flags.name, (done, total) => {
          bar ??= createProgress({ label: 'upload', total, unit: 'file' });
          bar.update(done);
        });
        bar?.stop();
        process.stdout.write(`uploaded ${r.record.files} files (${(r.record.bytes / 1e6).toFixed(1)} MB) to ${store.location}/${r.prefix}\ndigest ${r.record.digest}\nuse --dataset ${r.root}\n`);
      } finally {
        await store.close();
      }
    });
}
