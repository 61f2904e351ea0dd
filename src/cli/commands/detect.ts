/**
 * `frcnn detect`: run a trained detector over a dataset split and write its detections as
 * COCO results JSON (`OUT/detections.json`) and as py-faster-rcnn's per-class
 * `OUT/comp4_det_<split>_<class>.txt` files.
 */
import type { Command } from 'commander';
import { UsageError } from '../../util/errors.ts';
import { parseIntOption } from '../options.ts';

interface DetectFlags {
  model: string;
  dataset: string;
  split: string;
  out: string;
  scoreThresh?: number;
  backend?: string;
  workers?: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('detect')
    .description('run a trained detector on a dataset split; write COCO results JSON and VOC comp4 files')
    .requiredOption('--model <dir>', 'model directory written by `frcnn train` (e.g. OUT/model)')
    .requiredOption('--dataset <dir>', 'dataset root (PASCAL VOC layout)')
    .option('--split <name>', 'image set to run on', 'test')
    .requiredOption('--out <dir>', 'output directory for detections.json and comp4_det_<split>_<class>.txt')
    .option('--backend <name>', 'compute backend: tensorflow | wasm | cpu (default: best available)')
    .option('--workers <n>', 'worker threads detecting besides the main one, one core each (default: the free cores − 1 on CPU)', parseIntOption('--workers'))
    .option('--json', 'print a JSON summary')
    .action(async (flags: DetectFlags) => {
      try {
        await detectAction(flags);
      } finally {
        // The wasm worker threads would keep the process alive once the command is done.
        (await import('../../detection/compute.ts')).exitWhenIdle();
      }
    });
}

async function detectAction(flags: DetectFlags): Promise<void> {
  const { isBackendName } = await import('../../backend/index.ts');
  if (flags.backend !== undefined && !isBackendName(flags.backend)) throw new UsageError(`--backend: expected tensorflow, wasm or cpu, got ${JSON.stringify(flags.backend)}`);
  const { runDetectCommand } = await import('../../detection/detect-command.ts');
  const r = await runDetectCommand({ model: flags.model, dataset: flags.dataset, split: flags.split, out: flags.out, backend: flags.backend as 'tensorflow' | 'wasm' | 'cpu' | undefined, workers: flags.workers });
  if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
  else process.stdout.write(`${r.detections} detections on ${r.images} images in ${r.seconds.toFixed(1)} s (${r.msPerImage.toFixed(0)} ms/image, ${r.copies} thread${r.copies > 1 ? 's' : ''}) → ${r.json}\n`);
}
