/**
 * The contract between the worker runtime (src/worker) and the stage functions
 * (src/trainer/stages): a `StageExecutor` per stage kind.
 *
 * How a job runs:
 * 1. The worker leases a job: a `StageJob` with the stage's spec, its config subset, the
 *    committed artifacts of its inputs, and maybe a checkpoint to resume from.
 * 2. The runtime calls `executor.run(job, ctx)`. The function reads its inputs from
 *    `ctx.store` under `job.inputs[role].prefix`, writes every output under
 *    `ctx.artifactPrefix` (attempt-scoped: `stages/<key>/attempts/<n>/`), and reports
 *    `ctx.progress(...)` as it goes (iterations or images; losses for training).
 * 3. Training stages write a checkpoint every `ctx.checkpointEvery` iterations under
 *    `ctx.artifactPrefix` and call `ctx.checkpoint(ref)` with its location, so a later
 *    attempt (after a lost worker or a drain) starts from it: `job.resumeFrom` then holds the
 *    last ref reported by any earlier attempt. Resuming must give the same result as not
 *    stopping (restore the RNG state with the weights and optimizer).
 * 4. It returns `{ result }`, a small JSON summary (counts, final losses, metrics for
 *    `evaluate`). The coordinator checks the lease's fencing token and records the commit
 *    durably: from then on `stages/<key>/attempts/a<n>/` is the stage's output, and consumers
 *    get exactly that folder as `inputs[role].prefix`. Nothing written by an attempt that did
 *    not commit is ever read, so a stale worker cannot publish. (Do not write a src/storage
 *    manifest from `run`: the first manifest wins there, and a stale attempt could win it.)
 * 5. Failures are thrown: `StageFailure(reason, message)` (e.g. `NanLossError`) or any error
 *    (classified by `classifyError`: InputError → bad-input, out-of-memory → oom, else exception).
 * 6. When `ctx.signal` aborts (drain on SIGTERM, lease lost, stage cancelled), stop at the next
 *    safe point, write a checkpoint if cheap, report it, and throw `ctx.signal.reason`.
 *
 * A stage is a pure function of `job.spec`, `job.config` and its inputs' artifacts: it must not
 * read the trial config, the clock or the environment in ways that change its output.
 */
import type { Logger } from '../util/log.ts';
import type { ConfigSubsetOf } from './config-subset.ts';
import type { JobId, StageKey, SweepId, TrialId } from './ids.ts';
import type { StageKind, StageResources, StageSpecOf } from './stage-kind.ts';

/** A JSON value: what results and progress fields may carry. */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** The committed output of an input stage. */
export interface InputArtifact {
  stageKey: StageKey;
  /** Object-store prefix of the committed attempt, ending in `/`. */
  prefix: string;
  /** The `result` the input stage returned. */
  result: JsonObject;
}

export interface StageJob<K extends StageKind = StageKind> {
  jobId: JobId;
  stageKey: StageKey;
  /** 1 for the first attempt; also the lease's fencing token. */
  attempt: number;
  spec: StageSpecOf<K>;
  config: ConfigSubsetOf<K>;
  /** Input role (`model`, `proposals`, `shard.0`, ...) → committed artifact. */
  inputs: Record<string, InputArtifact>;
  /** The last checkpoint reported by an earlier attempt of this stage, if any. */
  resumeFrom?: string;
  /** Trials and sweeps waiting for this stage (for log lines only). */
  trialIds: TrialId[];
  sweepIds: SweepId[];
}

export interface StageProgress {
  /** Work done, in `unit`s (iterations, images). */
  done: number;
  total: number;
  unit: string;
  /** Current losses for training stages, e.g. `{ loss: 0.71, rpn_cls: 0.2 }`. */
  losses?: Record<string, number>;
  /** A short human message ("writing checkpoint"). */
  message?: string;
}

export interface StageContext<Store = unknown> {
  /** The object store (src/storage ObjectStore in production). */
  store: Store;
  /** Where this attempt writes everything, ending in `/`: `stages/<key>/attempts/a<n>/`. */
  artifactPrefix: string;
  /** The same place in src/storage terms: artifact prefix `stages/<key>` and attempt id `a<n>`. */
  artifact: { prefix: string; attempt: string };
  /** Iterations between checkpoints (from the trial config; does not change results). */
  checkpointEvery: number;
  /** Accelerator index on a multi-GPU worker (it runs one job per GPU); absent or 0 otherwise. */
  device?: number;
  /** Report progress; cheap to call often (the runtime throttles what it sends). */
  progress(p: StageProgress): void;
  /**
   * Report a checkpoint written under `artifactPrefix` (sent with the next heartbeat). Resolves
   * once it is recorded where a later attempt looks; until then a resumed attempt gets the
   * previous one, so older checkpoints may be deleted only after.
   */
  checkpoint(ref: string): Promise<void>;
  /** Aborted on drain, lease loss or cancellation; `signal.reason` says which. */
  signal: AbortSignal;
  /** pino child logger bound to job, stage and trial ids. */
  log: Logger;
}

export interface StageOutcome {
  result: JsonObject;
}

export interface StageExecutor<K extends StageKind = StageKind, Store = unknown> {
  kind: K;
  /** What this executor needs; the runtime advertises the kinds whose needs the machine meets. */
  resources?: Partial<StageResources>;
  run(job: StageJob<K>, ctx: StageContext<Store>): Promise<StageOutcome>;
}

/** Executors by kind, as the worker runtime takes them. */
export type ExecutorRegistry<Store = unknown> = Partial<{ [K in StageKind]: StageExecutor<K, Store> }>;

/** Build a registry from a list, refusing two executors for one kind. */
export function executorRegistry<Store>(executors: readonly StageExecutor<StageKind, Store>[]): ExecutorRegistry<Store> {
  const out: Record<string, StageExecutor<StageKind, Store>> = {};
  for (const e of executors) {
    if (out[e.kind]) throw new Error(`two executors registered for stage kind ${e.kind}`);
    out[e.kind] = e;
  }
  return out as ExecutorRegistry<Store>;
}

/** Artifact prefix of a stage (src/storage layout): `stages/<key>`. */
export function stagePrefix(stage: StageKey): string {
  return `stages/${stage}`;
}

/** Attempt id of attempt `n` in the storage layout: `a<n>`. */
export function attemptIdOf(attempt: number): string {
  return `a${attempt}`;
}

/** Attempt-scoped folder of a stage's outputs: `stages/<key>/attempts/a<n>/`. */
export function attemptPrefix(stage: StageKey, attempt: number): string {
  return `${stagePrefix(stage)}/attempts/${attemptIdOf(attempt)}/`;
}
