/** Records ↔ wire messages. JSON-valued fields (specs, configs, results) travel as strings. */
import type { Job } from '../../generated/frcnn/v1/Job.ts';
import type { Job__Output } from '../../generated/frcnn/v1/Job.ts';
import type { Progress, Progress__Output } from '../../generated/frcnn/v1/Progress.ts';
import type { Stage } from '../../generated/frcnn/v1/Stage.ts';
import type { Sweep } from '../../generated/frcnn/v1/Sweep.ts';
import type { SweepDetail as SweepDetailMsg } from '../../generated/frcnn/v1/SweepDetail.ts';
import type { SweepEvent } from '../../generated/frcnn/v1/SweepEvent.ts';
import type { Trial } from '../../generated/frcnn/v1/Trial.ts';
import type { InputArtifact, JsonObject, StageProgress } from '../../pipeline/executor.ts';
import { asJobId, asStageKey, type SweepId, type TrialId } from '../../pipeline/ids.ts';
import type { StageKind, StageSpec } from '../../pipeline/stage-kind.ts';
import type { LeasedJob } from '../core.ts';
import type { SweepDetail, SweepSummary } from '../service.ts';
import type { CoordinatorEvent, StageRecord, TrialRecord } from '../types.ts';

export function sweepMsg(s: SweepSummary): Sweep {
  return {
    id: s.id,
    name: s.name,
    description: s.description ?? '',
    status: s.status,
    submitted_at_ms: s.submittedAt,
    ended_at_ms: s.endedAt ?? 0,
    message: s.message ?? '',
    counts: s.counts,
    trials: s.trialIds.length,
    stages: s.stageCounts.total,
    stages_committed: s.stageCounts.committed,
    stages_running: s.stageCounts.running,
    idempotency_key: s.idempotencyKey ?? '',
  };
}

export function progressMsg(p: StageProgress | undefined): Progress | null {
  if (!p) return null;
  return { done: p.done, total: p.total, unit: p.unit, losses: p.losses ?? {}, message: p.message ?? '' };
}

export function progressFromMsg(p: Progress__Output | null | undefined): StageProgress | undefined {
  if (!p) return undefined;
  const losses = Object.keys(p.losses ?? {}).length > 0 ? p.losses : undefined;
  return { done: p.done, total: p.total, unit: p.unit, ...(losses ? { losses } : {}), ...(p.message ? { message: p.message } : {}) };
}

export function trialMsg(t: TrialRecord): Trial {
  return {
    id: t.id,
    index: t.index,
    label: t.label,
    seed: t.seed,
    repeat: t.repeat,
    status: t.status,
    metrics_json: t.metrics ? JSON.stringify(t.metrics) : '',
    error: t.error ? `${t.error.name}: ${t.error.reason}: ${t.error.message}` : '',
    stages: t.stages,
    started_at_ms: t.startedAt ?? 0,
    ended_at_ms: t.endedAt ?? 0,
    config_json: JSON.stringify(t.config),
  };
}

export function stageMsg(s: StageRecord): Stage {
  return {
    key: s.key,
    name: s.name,
    kind: s.kind,
    status: s.status,
    attempts: s.attempts.length,
    progress: progressMsg(s.progress),
    worker_id: s.lease?.workerId ?? '',
    error: s.error ? `${s.error.reason}: ${s.error.message}` : '',
    result_json: s.result ? JSON.stringify(s.result) : '',
    infrastructure_failures: s.failures.infrastructure,
    job_failures: s.failures.job,
    artifact_prefix: s.artifactPrefix ?? '',
  };
}

export function detailMsg(d: SweepDetail): SweepDetailMsg {
  return { sweep: sweepMsg(d.sweep), trials: d.trials.map(trialMsg), stages: d.stages.map(stageMsg) };
}

export function eventMsg(e: CoordinatorEvent): SweepEvent {
  return {
    type: e.type,
    at_ms: e.at,
    trial_id: 'trialId' in e ? e.trialId : '',
    stage_key: 'stageKey' in e ? e.stageKey : '',
    job_id: 'jobId' in e ? e.jobId : '',
    json: JSON.stringify(e),
  };
}

export function jobMsg(j: LeasedJob): Job {
  return {
    job_id: j.jobId,
    stage_key: j.stageKey,
    fencing_token: j.attempt,
    attempt_id: j.attemptId,
    artifact_prefix: j.artifactPrefix,
    stage_prefix: j.stagePrefix,
    kind: j.kind,
    name: j.name,
    spec_json: JSON.stringify(j.spec),
    config_json: JSON.stringify(j.config),
    inputs: Object.fromEntries(Object.entries(j.inputs).map(([role, a]) => [role, { stage_key: a.stageKey, prefix: a.prefix, result_json: JSON.stringify(a.result) }])),
    resume_from: j.resumeFrom ?? '',
    checkpoint_every: j.checkpointEvery,
    lease_deadline_ms: j.deadline,
    trial_ids: j.trialIds,
    sweep_ids: j.sweepIds,
  };
}

/** A job as the worker sees it (the wire message decoded). */
export interface WireJob extends Omit<LeasedJob, 'spec' | 'config'> {
  spec: StageSpec;
  config: object;
}

export function jobFromMsg(m: Job__Output): WireJob {
  const inputs: Record<string, InputArtifact> = {};
  for (const [role, a] of Object.entries(m.inputs)) inputs[role] = { stageKey: asStageKey(a.stage_key), prefix: a.prefix, result: (a.result_json ? JSON.parse(a.result_json) : {}) as JsonObject };
  return {
    jobId: asJobId(m.job_id),
    stageKey: asStageKey(m.stage_key),
    attempt: Number(m.fencing_token),
    attemptId: m.attempt_id,
    artifactPrefix: m.artifact_prefix,
    stagePrefix: m.stage_prefix,
    kind: m.kind as StageKind,
    name: m.name,
    spec: JSON.parse(m.spec_json) as StageSpec,
    config: JSON.parse(m.config_json) as object,
    inputs,
    resumeFrom: m.resume_from || undefined,
    checkpointEvery: Number(m.checkpoint_every),
    deadline: Number(m.lease_deadline_ms),
    trialIds: m.trial_ids as TrialId[],
    sweepIds: m.sweep_ids as SweepId[],
  };
}
