/**
 * The coordinator's records (what is stored, one KV entry each) and its events. Records are
 * plain JSON so they round-trip through NATS KV and the state file unchanged.
 */
import type { FailureClass, FailureReason } from '../pipeline/failures.ts';
import type { JobId, StageKey, SweepId, TrialId, WorkerId } from '../pipeline/ids.ts';
import type { JsonObject, StageProgress } from '../pipeline/executor.ts';
import type { StageKind, StageResources, StageSpec } from '../pipeline/stage-kind.ts';
import type { Assignment, SweepSpec } from '../pipeline/sweep-spec.ts';
import type { TrialConfig } from '../pipeline/trial-config.ts';

/** Epoch milliseconds. */
export type Millis = number;

export type SweepStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type TrialStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
/** `pending` covers waiting for inputs, ready, and backing off before a retry. */
export type StageStatus = 'pending' | 'running' | 'committed' | 'failed';
export type AttemptOutcome = 'committed' | 'failed' | 'lost' | 'released' | 'revoked';

export interface SweepRecord {
  id: SweepId;
  name: string;
  description?: string;
  /** Client-chosen key: a second submit with it returns this sweep instead of a new one. */
  idempotencyKey?: string;
  /** sha256 of the spec's canonical JSON, to refuse an idempotency key reused for another spec. */
  specDigest: string;
  spec: SweepSpec;
  source: string;
  trialIds: TrialId[];
  status: SweepStatus;
  submittedAt: Millis;
  endedAt?: Millis;
  /** Free-form note when failed or cancelled. */
  message?: string;
}

export interface TrialRecord {
  id: TrialId;
  sweepId: SweepId;
  index: number;
  label: string;
  assignments: Assignment;
  repeat: number;
  seed: number;
  config: TrialConfig;
  /** Every stage of the trial's DAG, in topological order, with its name in this trial. */
  stages: { key: StageKey; name: string }[];
  model: StageKey;
  sink: StageKey;
  status: TrialStatus;
  startedAt?: Millis;
  endedAt?: Millis;
  /** The evaluate stage's result (metrics) once succeeded. */
  metrics?: JsonObject;
  /** Why it failed: the failed stage, its reason and message. */
  error?: { stage: StageKey; name: string; reason: FailureReason; message: string };
}

export interface AttemptRecord {
  attempt: number;
  jobId: JobId;
  workerId: WorkerId;
  startedAt: Millis;
  endedAt?: Millis;
  outcome?: AttemptOutcome;
  reason?: FailureReason;
  message?: string;
  /** Last log lines the worker sent with a failure. */
  logTail?: string[];
  resumedFrom?: string;
  /** Its folder was deleted by garbage collection (it did not commit and nothing needs it). */
  collected?: boolean;
}

export interface LossPoint {
  step: number;
  losses: Record<string, number>;
}

export interface StageRecord {
  key: StageKey;
  kind: StageKind;
  /** Name in the first trial that asked for it (`rpn1`, `detect.shard-0`). */
  name: string;
  spec: StageSpec;
  config: object;
  inputs: Record<string, StageKey>;
  resources: StageResources;
  cost: number;
  /** Iterations between checkpoints, from the first trial that asked for it. */
  checkpointEvery: number;
  status: StageStatus;
  attempts: AttemptRecord[];
  /** The running attempt's lease. Its `attempt` number is the fencing token. */
  lease?: { attempt: number; workerId: WorkerId; deadline: Millis };
  failures: { infrastructure: number; job: number };
  /** Not schedulable before this time (retry backoff). */
  notBefore: Millis;
  /** Last checkpoint reported by any attempt; the next attempt resumes from it. */
  checkpoint?: string;
  progress?: StageProgress;
  lossHistory: LossPoint[];
  committedAttempt?: number;
  /** Committed output folder: `stages/<key>/attempts/a<n>/`. */
  artifactPrefix?: string;
  result?: JsonObject;
  error?: { reason: FailureReason; message: string };
  createdAt: Millis;
  updatedAt: Millis;
}

export interface WorkerResources {
  gpus: number;
  gpuModel: string;
  gpuMemoryMb: number;
  cpuCores: number;
  memoryMb: number;
  /** Take GPU stages on the CPU (one-machine and test setups). */
  cpuFallback: boolean;
}

export interface WorkerRecord {
  id: WorkerId;
  resources: WorkerResources;
  kinds: StageKind[];
  /** Jobs at once: the number of GPUs, or 1. */
  slots: number;
  registeredAt: Millis;
  lastSeen: Millis;
  labels: Record<string, string>;
}

interface EventBase {
  at: Millis;
  /** Sweeps the event concerns (a shared stage concerns several); routes events to watchers. */
  sweepIds: SweepId[];
}

interface JobEventBase extends EventBase {
  stageKey: StageKey;
  name: string;
  kind: StageKind;
  trialIds: TrialId[];
}

export type CoordinatorEvent =
  | (EventBase & { type: 'sweep.submitted'; sweepId: SweepId; name: string; trials: number; stages: number; sharedStages: number })
  | (JobEventBase & { type: 'job.queued' })
  | (JobEventBase & { type: 'job.started'; jobId: JobId; attempt: number; workerId: WorkerId; resumeFrom?: string })
  | (JobEventBase & { type: 'job.progress'; jobId: JobId; attempt: number; progress: StageProgress })
  | (JobEventBase & { type: 'job.done'; jobId: JobId; attempt: number; workerId: WorkerId; result: JsonObject })
  | (JobEventBase & {
      type: 'job.failed';
      jobId: JobId;
      attempt: number;
      workerId: WorkerId;
      reason: FailureReason;
      failureClass: FailureClass;
      message: string;
      /** When it will be retried; absent when the stage failed for good. */
      retryAt?: Millis;
    })
  | (JobEventBase & { type: 'job.released'; jobId: JobId; attempt: number; workerId: WorkerId })
  | (EventBase & { type: 'trial.done'; trialId: TrialId; sweepId: SweepId; status: TrialStatus; metrics?: JsonObject; error?: TrialRecord['error'] })
  | (EventBase & { type: 'sweep.done'; sweepId: SweepId; status: SweepStatus; succeeded: number; failed: number; cancelled: number });

export type CoordinatorEventType = CoordinatorEvent['type'];
