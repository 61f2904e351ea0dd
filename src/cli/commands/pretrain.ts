/**
 * `frcnn pretrain`: the paper's M0 without ImageNet. Pre-trains a backbone as a classifier of
 * object and background crops of a VOC-layout dataset and writes its conv weights, which
 * `frcnn train --init DIR` (and a trial's `backbone.weights`) load by layer name.
 */
import type { Command } from 'commander';
import { UsageError } from '../../util/errors.ts';
import { parseFloatOption, parseIntOption } from '../options.ts';
import type { PretrainCommandOptions } from '../../detection/pretrain/pretrain-command.ts';

/** The flags as commander parses them: the command's options, with the names still unchecked. */
type PretrainFlags = Omit<PretrainCommandOptions, 'backbone' | 'backend' | 'progress'> & { backbone: string; backend?: string; json?: boolean };

export function register(program: Command): void {
  program
    .command('pretrain')
    .description('pre-train a backbone on object/background crops of a dataset (an ImageNet stand-in for M0); writes weights for `frcnn train --init`')
    .requiredOption('--dataset <dir>', 'dataset root (PASCAL VOC layout); use another than the one you evaluate on, e.g. `frcnn dataset shapes --seed 99`')
    .requiredOption('--out <dir>', 'directory for the backbone weights (tfjs format: model.json + shards)')
    .option('--backbone <name>', 'backbone: small | zf | vgg16', 'small')
    .option('--iters <n>', 'iterations', parseIntOption('--iters'), 1500)
    .option('--batch <n>', 'crops per iteration', parseIntOption('--batch'), 16)
    .option('--crop <px>', 'crop side in pixels', parseIntOption('--crop'), 64)
    .option('--lr <lr>', 'base learning rate (drops ×0.1 at 70 %)', parseFloatOption('--lr'), 0.02)
    .option('--seed <s>', 'seed for initialisation and crop sampling', parseIntOption('--seed'), 1)
    .option('--split <name>', 'image set to take crops from', 'trainval')
    .option('--backend <name>', 'compute backend: tensorflow | wasm | cpu (default: best available)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: PretrainFlags) => {
      try {
        const { BACKBONES } = await import('../../detection/backbones/spec.ts');
        if (!(BACKBONES as readonly string[]).includes(flags.backbone)) throw new UsageError(`--backbone: expected one of ${BACKBONES.join(', ')}, got ${JSON.stringify(flags.backbone)}`);
        const { isBackendName } = await import('../../backend/index.ts');
        if (flags.backend !== undefined && !isBackendName(flags.backend)) throw new UsageError(`--backend: expected tensorflow, wasm or cpu, got ${JSON.stringify(flags.backend)}`);
        const { runPretrainCommand } = await import('../../detection/pretrain/pretrain-command.ts');
        const r = await runPretrainCommand({ ...flags, backbone: flags.backbone as 'small' | 'zf' | 'vgg16', backend: flags.backend as 'tensorflow' | 'wasm' | 'cpu' | undefined });
        if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
        else process.stdout.write(`pre-trained ${r.iterations} iterations in ${r.seconds.toFixed(1)} s: loss ${r.loss.toFixed(4)}, crop accuracy ${(100 * r.accuracy).toFixed(1)} % → ${r.out} (${r.parameters.length} parameters)\n`);
      } finally {
        (await import('../../detection/compute.ts')).exitWhenIdle();
      }
    });
}
