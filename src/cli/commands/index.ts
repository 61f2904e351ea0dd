/**
 * Every subcommand of `frcnn`, in the order `--help` lists them. To add one: create
 * `./<name>.ts` exporting `register(program: Command): void`, then add it here.
 */
import type { Command } from 'commander';
import { register as anchors } from './anchors.ts';
import { register as dataset } from './dataset.ts';
import { register as store } from './store.ts';
import { register as evalCommand } from './eval.ts';
import { register as report } from './report.ts';
import { register as orchestration } from './orchestration.ts';
import { register as pipeline } from './pipeline.ts';
import { register as demo } from './demo.ts';
import { register as train } from './train.ts';
import { register as detect } from './detect.ts';
import { register as pretrain } from './pretrain.ts';
import { register as backend } from '../../backend/cli.ts';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [anchors, dataset, store, evalCommand, report, orchestration, pipeline, demo, train, pretrain, detect, backend];
