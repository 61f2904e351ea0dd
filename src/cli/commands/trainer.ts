/** `frcnn trainer`: a worker that runs training, proposal, detection, merge and assemble stages. */
import type { Command } from 'commander';
import { parseIntOption } from '../options.ts';
import { COORDINATOR_HELP } from '../../coordinator/cli/connect.ts';

export function addWorkerOptions(cmd: Command, role: string): Command {
  return cmd
    .option('--coordinator <host:port>', COORDINATOR_HELP)
    .option('--id <id>', `worker id (default: FRCNN_WORKER_ID, else ${role}-<hostname>-<pid>)`)
    .option('--store <url>', 'object store: a directory or s3://bucket/prefix (default: FRCNN_STORE)')
    .option('--executors <module>', 'module exporting `executors` (StageExecutor[]) instead of the built-in stages')
    .option('--gpus <n>', 'GPUs offered (default: FRCNN_WORKER_GPUS, else 0)', parseIntOption('--gpus'))
    .option('--no-cpu-fallback', 'without GPUs, do not take GPU stages on the CPU')
    .option('--lease-wait-ms <ms>', 'long-poll length of a lease request', parseIntOption('--lease-wait-ms'))
    .option('--max-jobs <n>', 'exit after this many jobs', parseIntOption('--max-jobs'));
}

export function register(program: Command): void {
  addWorkerOptions(
    program.command('trainer').description('run training stages for the coordinator (lease, heartbeat, checkpoint, drain on SIGTERM)'),
    'trainer',
  ).action(async (flags) => {
    const { runWorkerCommand } = await import('../../worker/command.ts');
    await runWorkerCommand('trainer', flags);
  });
}
