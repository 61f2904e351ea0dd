/** Helpers shared by the stage functions: inputs by role, result records, the store. */
import type { InputArtifact, JsonObject, StageJob } from '../../pipeline/executor.ts';
import { InputError } from '../../util/errors.ts';
import type { TrainStageResult } from '../train-stage.ts';

/** The part of a job that names its inputs (any kind). */
export type JobInputs = Pick<StageJob, 'jobId' | 'inputs'> & { spec: { kind: string } };

/** The committed input of `role`; a missing one is a scheduling bug or a hand-made job. */
export function inputOf(job: JobInputs, role: string): InputArtifact {
  const a = job.inputs[role];
  if (!a) throw new InputError(`job ${job.jobId} (${job.spec.kind})`, `no input "${role}" (inputs: ${Object.keys(job.inputs).join(', ') || 'none'})`);
  return a;
}

/** Inputs `shard.0` .. `shard.{n-1}` in shard order. */
export function shardInputs(job: JobInputs, count: number): InputArtifact[] {
  return Array.from({ length: count }, (_, i) => inputOf(job, `shard.${i}`));
}

/** Class lists must agree between a checkpoint and the dataset a stage runs on. */
export function checkClasses(modelClasses: readonly string[], datasetClasses: readonly string[], where: string): void {
  if (modelClasses.join('\n') !== datasetClasses.join('\n')) {
    throw new InputError(where, `model classes [${modelClasses.join(', ')}] differ from the dataset's [${datasetClasses.join(', ')}]`);
  }
}

/** JSON has no NaN: an AP over a class without ground truth becomes null. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export function roundLosses(losses: Record<string, number>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(losses)) out[k] = Number(v.toPrecision(6));
  return out;
}

/** The part of a training stage's result every training kind reports the same way. */
export function trainingSummary(r: TrainStageResult) {
  return {
    iterations: r.iterations,
    resumedAt: r.resumedAt,
    seconds: r.seconds,
    imagesPerSecond: r.imagesPerSecond,
    losses: roundLosses(r.finalLosses),
    model: r.model,
  };
}
