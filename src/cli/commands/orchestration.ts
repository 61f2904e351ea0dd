/** The orchestration commands, registered together: coordinator, trainer, evaluator, sweep. */
import type { Command } from 'commander';
import { register as coordinator } from './coordinator.ts';
import { register as trainer } from './trainer.ts';
import { register as evaluator } from './evaluator.ts';
import { register as sweep } from './sweep.ts';

export function register(program: Command): void {
  for (const r of [coordinator, trainer, evaluator, sweep]) r(program);
}
