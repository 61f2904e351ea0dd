/**
 * The `frcnn` command line. Each subcommand lives in `./commands/<name>.ts` and exports
 * `register(program)`; heavy modules (TensorFlow.js, gRPC) are imported inside the actions so
 * `frcnn --help` stays fast.
 */
import { Command, CommanderError } from 'commander';
import { FrcnnError, InputError, UsageError } from '../util/errors.ts';
import { COMMANDS } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command('frcnn')
    .description('Faster R-CNN training, evaluation and ablation sweeps (TensorFlow.js)')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`frcnn: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (err instanceof InputError || err instanceof FrcnnError) {
      process.stderr.write(`frcnn: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
