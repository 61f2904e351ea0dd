/** What this machine offers a coordinator: GPUs (from FRCNN_WORKER_GPUS), cores, memory. */
import { cpus, totalmem } from 'node:os';
import { envSync } from '../config/env.ts';
import type { WorkerResources } from '../coordinator/types.ts';
import { UsageError } from '../util/errors.ts';

export function detectResources(overrides: Partial<WorkerResources> = {}): WorkerResources {
  const raw = envSync('FRCNN_WORKER_GPUS');
  const gpus = overrides.gpus ?? (raw === undefined ? 0 : Number(raw));
  if (!Number.isInteger(gpus) || gpus < 0) throw new UsageError(`FRCNN_WORKER_GPUS: expected an integer ≥ 0, got ${JSON.stringify(raw)}`);
  return {
    gpus,
    gpuModel: overrides.gpuModel ?? (gpus > 0 ? 'unknown' : ''),
    gpuMemoryMb: overrides.gpuMemoryMb ?? 0,
    cpuCores: overrides.cpuCores ?? cpus().length,
    memoryMb: overrides.memoryMb ?? Math.floor(totalmem() / 2 ** 20),
    // Without a GPU, run GPU stages on the CPU backend (one-machine setups).
    cpuFallback: overrides.cpuFallback ?? gpus === 0,
  };
}
