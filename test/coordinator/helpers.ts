/** Test helpers: sweeps from inline specs, workers, and a loop that runs every job to the end. */
import { CoordinatorCore } from '../../src/coordinator/core.ts';
import type { WorkerResources } from '../../src/coordinator/types.ts';
import { asSweepId, asWorkerId, type SweepId, type WorkerId } from '../../src/pipeline/ids.ts';
import { STAGE_KINDS } from '../../src/pipeline/stage-kind.ts';
import type { JsonObject } from '../../src/pipeline/executor.ts';
import { expandSweep, sweepSpecFromObject } from '../../src/pipeline/sweep-spec.ts';

export const gpu: WorkerResources = { gpus: 1, gpuModel: 'sim', gpuMemoryMb: 16000, cpuCores: 8, memoryMb: 65536, cpuFallback: false };

export function tinySpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    base: { dataset: { name: 'shapes', limit: 8 }, backbone: { name: 'small' }, iterations: { rpn1: 10, fastRcnn1: 10, rpn2: 10, fastRcnn2: 10, joint: 10 } },
    ...extra,
  };
}

export function submit(core: CoordinatorCore, id: string, raw: Record<string, unknown>, idempotencyKey?: string) {
  const spec = sweepSpecFromObject(raw, `${id}.yaml`);
  return core.submitSweep({ sweepId: asSweepId(id), spec, trials: expandSweep(spec), source: `${id}.yaml`, idempotencyKey });
}

export function addWorkers(core: CoordinatorCore, n: number, prefix = 'w'): WorkerId[] {
  return Array.from({ length: n }, (_, i) => core.registerWorker({ id: asWorkerId(`${prefix}${i}`), resources: gpu, kinds: [...STAGE_KINDS] }).id);
}

/** Lease and complete jobs round-robin until nothing is ready; returns the stage keys run, in order. */
export function runAll(core: CoordinatorCore, workers: WorkerId[], result = (kind: string): JsonObject => (kind === 'evaluate' ? { mAP: 0.5 } : {})): string[] {
  const ran: string[] = [];
  for (;;) {
    const jobs = workers.map((w) => core.lease(w)).filter((j) => j !== undefined);
    if (jobs.length === 0) return ran;
    for (const j of jobs) {
      ran.push(j.stageKey);
      core.complete(j.stageKey, j.attempt, result(j.kind));
    }
  }
}

export function sweepStatus(core: CoordinatorCore, id: string) {
  return core.getSweep(id as SweepId).status;
}
