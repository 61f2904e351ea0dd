/**
 * The body of `frcnn trainer` and `frcnn evaluator`: open the object store, load the stage
 * executors of the role, connect to the coordinator, run the worker loop; SIGTERM/SIGINT
 * drain (checkpoint, give the lease back, exit 0), a second signal exits at once.
 */
import { envSync } from '../config/env.ts';
import { UsageError } from '../util/errors.ts';
import { logger } from '../util/log.ts';
import type { WorkerRole } from './load-executors.ts';

export interface WorkerFlags {
  coordinator?: string;
  id?: string;
  executors?: string;
  store?: string;
  gpus?: number;
  cpuFallback?: boolean;
  leaseWaitMs?: number;
  maxJobs?: number;
}

export async function runWorkerCommand(role: WorkerRole, flags: WorkerFlags): Promise<void> {
  const { loadExecutors } = await import('./load-executors.ts');
  const { detectResources } = await import('./resources.ts');
  const { WorkerRuntime, defaultWorkerId } = await import('./runtime.ts');
  const { connectCoordinator } = await import('../coordinator/cli/connect.ts');
  const { openStore } = await import('../storage/open-store.ts');
  const { SAFE_ID } = await import('../pipeline/ids.ts');

  const id = flags.id ?? envSync('FRCNN_WORKER_ID') ?? `${role}-${defaultWorkerId()}`;
  if (!SAFE_ID.test(id)) throw new UsageError(`--id: ${JSON.stringify(id)} must match ${SAFE_ID}`);
  const executors = await loadExecutors(role, flags.executors);
  const storeUrl = flags.store ?? envSync('FRCNN_STORE');
  if (!storeUrl) throw new UsageError('--store: no store given and FRCNN_STORE is not set');
  const store = await openStore(storeUrl);
  const client = await connectCoordinator(flags);
  const resources = detectResources({ ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}), ...(flags.cpuFallback === false ? { cpuFallback: false } : {}) });
  const runtime = new WorkerRuntime({ client, workerId: id, resources, executors, store, leaseWaitMs: flags.leaseWaitMs, maxJobs: flags.maxJobs, labels: { role } });
  const log = logger(role, { workerId: id });
  let signals = 0;
  const onSignal = (sig: string) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal: sig }, 'second signal: exiting without draining');
      process.exit(130);
    }
    log.info({ signal: sig }, 'draining: finishing at the next safe point');
    runtime.drain();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  log.info({ coordinator: client.opts.address, store: store.location, kinds: runtime.kinds, resources }, `${role} starting`);
  try {
    await runtime.run();
  } finally {
    client.close();
    await store.close();
  }
}
