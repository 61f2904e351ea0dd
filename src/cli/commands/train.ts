/**
 * `frcnn train`: train a Faster R-CNN detector. `--mode end2end` is approximate joint training
 * (RPN and Fast R-CNN losses together, one image per iteration); at the end the detector runs
 * on the test split and the VOC07 / VOC2010 mAP is printed.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { parseFloatOption, parseIntOption, parseNumberList } from '../options.ts';
import { UsageError } from '../../util/errors.ts';
import type { TrainCommandFlags } from '../../trainer/train-dispatch.ts';

/** The flags as commander parses them: the dispatcher's interface, with what the parser always sets. */
type TrainFlags = TrainCommandFlags & { out: string; eval: boolean };

/** end2end runs the single training loop below; the others (and any mode with --store) go through the pipeline runner (src/trainer). */
const MODES = ['end2end', 'alt-opt', 'unshared', 'external-proposals', 'alternating', 'fast-rcnn'];

/**
 * Iterations and learning rate per backbone when not given: the paper's for ZF/VGG16; for
 * `small`, sized to train and evaluate within ~10 minutes on 2 idle cores: two images per
 * iteration on two data-parallel replicas (~0.33–0.43 s/it measured). The small rate is per
 * image (scaled by the batch, the linear scaling rule): 0.02 × 2 gave VOC07 mAP 0.86–0.87 after
 * 1000 iterations in 7–8 minutes; 0.06 and an earlier learning-rate drop did worse.
 */
export const TRAIN_DEFAULTS: Record<string, { iters: number; lr: number; warmup: number }> = {
  small: { iters: 1000, lr: 0.02, warmup: 100 },
  zf: { iters: 80000, lr: 0.001, warmup: 0 },
  vgg16: { iters: 70000, lr: 0.001, warmup: 0 },
};

export function register(program: Command): void {
  program
    .command('train')
    .description('train a Faster R-CNN detector on a VOC-layout dataset, then evaluate it on the test split')
    .requiredOption('--mode <mode>', 'training mode: end2end (approximate joint training), alt-opt (the paper\'s 4-step alternating training), unshared (separate RPN and detector convs), external-proposals (Fast R-CNN on proposal files)')
    .requiredOption('--dataset <dir>', 'dataset root (PASCAL VOC layout, e.g. from `frcnn dataset shapes`)')
    .option('--backbone <name>', 'backbone: small | zf | vgg16', 'small')
    .requiredOption('--out <dir>', 'output directory: checkpoint/, model/, detections/ (end2end); the stage store for the other modes')
    .option('--store <url>', 'run through the pipeline runner with stage outputs in this store: a directory or s3://bucket/prefix (default for non-end2end modes: --out)')
    .option('--iters <n>', 'training iterations of --batch images each (default: 1000 small, 80000 zf, 70000 vgg16)', parseIntOption('--iters'))
    .option('--seed <s>', 'seed for weight init, sampling, flips and shuffling', parseIntOption('--seed'), 1)
    .option('--lr <lr>', 'base learning rate (default: 0.02 × batch for small, 0.001 zf/vgg16)', parseFloatOption('--lr'))
    .option('--steps <iters>', 'iterations where the learning rate drops ×0.1 (default: 70 % of --iters)', parseNumberList('--steps'))
    .option('--warmup <n>', 'linear learning-rate warm-up iterations (default: 100 small, 0 otherwise)', parseIntOption('--warmup'))
    .option('--lambda <λ>', 'weight of the RPN box loss (paper eq. 1; default 10)', parseFloatOption('--lambda'))
    .option('--anchor-scales <list>', 'anchor scales, comma-separated (× base size 16)', parseNumberList('--anchor-scales'))
    .option('--anchor-ratios <list>', 'anchor aspect ratios h/w, comma-separated', parseNumberList('--anchor-ratios'))
    .option('--image-size <px>', 'shorter image side in training and testing (default: 256 small, 600 zf/vgg16)', parseIntOption('--image-size'))
    .option('--max-size <px>', 'cap on the longer image side (default: 256 small, 1000 zf/vgg16)', parseIntOption('--max-size'))
    .option('--rois <n>', 'RoIs sampled per image for the Fast R-CNN head (default 128)', parseIntOption('--rois'))
    .option('--width <m>', 'multiplier on the published backbone widths; the RPN conv follows (default: 0.5 for small, i.e. 16…128 channels; 1 for zf/vgg16)', parseFloatOption('--width'))
    .option('--batch <n>', 'images per iteration; the result depends on it, not on the cores (default: --replicas if given, else 2 small, 1 zf/vgg16)', parseIntOption('--batch'))
    .option('--replicas <n>', 'data-parallel model copies computing each batch: 1 or the batch size (default: the batch size for small on CPU when that many cores are free, else 1)', parseIntOption('--replicas'))
    .option('--freeze <layers>', 'comma-separated layer-name prefixes to keep fixed, e.g. conv1,conv2 (default: conv1,conv2 for vgg16)')
    .option('--init <dir>', 'initialise matching layers (by name) from a tfjs weights checkpoint, e.g. ImageNet')
    .option('--resume [dir]', 'continue from a checkpoint (default: <out>/checkpoint)')
    .option('--checkpoint-every <n>', 'save a resumable checkpoint every N iterations (0: only at the end)', parseIntOption('--checkpoint-every'), 200)
    .option('--train-split <name>', 'split to train on', 'trainval')
    .option('--test-split <name>', 'split to evaluate on after training', 'test')
    .option('--no-eval', 'skip detection and evaluation after training')
    .option('--backend <name>', 'compute backend: tensorflow | wasm | cpu (default: best available)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: TrainFlags) => {
      try {
        await trainAction(flags);
      } finally {
        // The wasm worker threads would keep the process alive once the command is done.
        (await import('../../detection/compute.ts')).exitWhenIdle();
      }
    });
}

async function trainAction(flags: TrainFlags): Promise<void> {
  if (!MODES.includes(flags.mode)) throw new UsageError(`--mode: expected one of ${MODES.slice(0, 4).join(', ')}, got ${JSON.stringify(flags.mode)}`);
  const { usesPipeline, runTrainThroughPipeline } = await import('../../trainer/train-dispatch.ts');
  if (usesPipeline(flags)) return runTrainThroughPipeline(flags);
  const { BACKBONES } = await import('../../detection/backbones/spec.ts');
  if (!(BACKBONES as readonly string[]).includes(flags.backbone)) throw new UsageError(`--backbone: expected one of ${BACKBONES.join(', ')}, got ${JSON.stringify(flags.backbone)}`);
  const { isBackendName } = await import('../../backend/index.ts');
  if (flags.backend !== undefined && !isBackendName(flags.backend)) throw new UsageError(`--backend: expected tensorflow, wasm or cpu, got ${JSON.stringify(flags.backend)}`);
  const { runTrainCommand } = await import('../../detection/training/train-command.ts');
  const result = await runTrainCommand({
    dataset: flags.dataset,
    backbone: flags.backbone as 'small' | 'zf' | 'vgg16',
    out: flags.out,
    iters: flags.iters ?? TRAIN_DEFAULTS[flags.backbone].iters,
    seed: flags.seed,
    lr: flags.lr ?? TRAIN_DEFAULTS[flags.backbone].lr,
    // The default rate is per image: a batch of two takes twice it.
    lrPerImage: flags.lr === undefined,
    steps: flags.steps,
    warmup: flags.warmup ?? TRAIN_DEFAULTS[flags.backbone].warmup,
    lambda: flags.lambda,
    anchorScales: flags.anchorScales,
    anchorRatios: flags.anchorRatios,
    imageSize: flags.imageSize,
    maxSize: flags.maxSize,
    rois: flags.rois,
    width: flags.width,
    batch: flags.batch,
    replicas: flags.replicas,
    freeze: flags.freeze === undefined ? undefined : flags.freeze.split(',').map((s) => s.trim()).filter(Boolean),
    init: flags.init,
    resume: flags.resume === undefined || flags.resume === false ? undefined : flags.resume === true ? join(flags.out, 'checkpoint') : flags.resume,
    checkpointEvery: flags.checkpointEvery,
    trainSplit: flags.trainSplit,
    testSplit: flags.eval ? flags.testSplit : undefined,
    backend: flags.backend as 'tensorflow' | 'wasm' | 'cpu' | undefined,
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return;
  }
  const lines = [`trained ${result.iterations} iterations in ${result.trainSeconds.toFixed(1)} s (${result.msPerIteration.toFixed(0)} ms/it) → ${result.model}`];
  if (result.eval) {
    lines.push(`detected ${result.eval.images} ${result.eval.split} images in ${result.eval.seconds.toFixed(1)} s → ${result.eval.detections}`);
    lines.push(`VOC07 mAP@0.5 ${result.eval.mAP07.toFixed(4)}   VOC2010 mAP@0.5 ${result.eval.mAP.toFixed(4)}`);
    for (const c of result.eval.perClass) lines.push(`  ${c.name.padEnd(16)} AP07 ${c.ap07.toFixed(4)}  AP ${c.ap.toFixed(4)}`);
  }
  lines.push(`wall time ${result.wallSeconds.toFixed(1)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
