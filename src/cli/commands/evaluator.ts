/** `frcnn evaluator`: a worker that runs `evaluate` stages (mAP and friends) for the coordinator. */
import type { Command } from 'commander';
import { addWorkerOptions } from './trainer.ts';

export function register(program: Command): void {
  addWorkerOptions(program.command('evaluator').description('run evaluate stages (VOC/COCO metrics) for the coordinator'), 'evaluator').action(async (flags) => {
    const { runWorkerCommand } = await import('../../worker/command.ts');
    await runWorkerCommand('evaluator', flags);
  });
}
