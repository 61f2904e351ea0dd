/**
 * The coordinator as a deterministic state machine: sweeps, trials, stages (deduplicated by
 * stage key across trials and sweeps), workers, leases with fencing tokens, retry budgets and
 * the scheduling policy. No I/O and no timers: time comes from an injected `Clock`, and every
 * command leaves behind the records it changed and the events it raised (`takeChanges()`),
 * which the service (`service.ts`) persists and publishes. The scheduler benchmark drives the
 * same class with a simulated clock.
 *
 * Invariants:
 * - A stage key runs at most once at a time and is committed at most once; a committed stage
 *   is never scheduled again (a re-submitted sweep reuses it).
 * - The fencing token of a lease is its attempt number, which only grows; heartbeats and
 *   results with any other token are refused (`StaleLeaseError`).
 * - Only stages with an active consumer (a queued or running trial) are scheduled.
 */
import { buildTrialDag } from '../pipeline/dag.ts';
import { attemptIdOf, attemptPrefix, stagePrefix, type InputArtifact, type JsonObject, type StageProgress } from '../pipeline/executor.ts';
import { failureClassOf, type FailureReason } from '../pipeline/failures.ts';
import { canonicalJson, sha256Hex } from '../pipeline/canonical-json.ts';
import { jobIdOf, type JobId, type StageKey, type SweepId, type TrialId, type WorkerId, trialIdOf } from '../pipeline/ids.ts';
import type { StageKind, StageSpec } from '../pipeline/stage-kind.ts';
import type { SweepSpec, TrialPlan } from '../pipeline/sweep-spec.ts';
import type { Clock } from './clock.ts';
import { IdempotencyConflictError, LimitError, NotFoundError, StaleLeaseError, UnknownWorkerError } from './errors.ts';
import { backoffMs, coordinatorOptions, MAX_LOSS_POINTS, type CoordinatorOptions } from './options.ts';
import type {
  CoordinatorEvent,
  StageRecord,
  SweepRecord,
  TrialRecord,
  TrialStatus,
  WorkerRecord,
  WorkerResources,
} from './types.ts';

/** A job as handed to a worker. */
export interface LeasedJob {
  jobId: JobId;
  stageKey: StageKey;
  attempt: number;
  /** Storage attempt id (`a<n>`) and folders. */
  attemptId: string;
  artifactPrefix: string;
  stagePrefix: string;
  kind: StageKind;
  name: string;
  spec: StageSpec;
  config: object;
  inputs: Record<string, InputArtifact>;
  resumeFrom?: string;
  checkpointEvery: number;
  deadline: number;
  trialIds: TrialId[];
  sweepIds: SweepId[];
}

export interface SubmitInput {
  sweepId: SweepId;
  spec: SweepSpec;
  trials: TrialPlan[];
  source: string;
  idempotencyKey?: string;
}

/** Entity keys of the state store: `sweep.<id>`, `trial.<id>`, `stage.<key>`. */
export type EntityKey = `sweep.${string}` | `trial.${string}` | `stage.${string}`;

export interface Changes {
  /** Changed records, stages first, then trials, then sweeps (a crash between writes leaves no sweep pointing at missing trials). */
  dirty: EntityKey[];
  events: CoordinatorEvent[];
}

export interface StoredRecords {
  sweeps: SweepRecord[];
  trials: TrialRecord[];
  stages: StageRecord[];
}

type JobEvent = Extract<CoordinatorEvent, { type: `job.${string}` }>;
/** A job event without the fields `emitJob` fills in (distributes over the union). */
type JobEventBody = JobEvent extends infer E ? (E extends JobEvent ? Omit<E, 'at' | 'sweepIds' | 'stageKey' | 'name' | 'kind' | 'trialIds'> : never) : never;

const ACTIVE_TRIAL: ReadonlySet<TrialStatus> = new Set(['queued', 'running']);

export class CoordinatorCore {
  readonly opts: CoordinatorOptions;
  private readonly sweeps = new Map<SweepId, SweepRecord>();
  private readonly trials = new Map<TrialId, TrialRecord>();
  private readonly stages = new Map<StageKey, StageRecord>();
  private readonly workers = new Map<WorkerId, WorkerRecord>();
  /** Stage → trials that need it. */
  private readonly consumers = new Map<StageKey, Set<TrialId>>();
  /** Stage → stages that read it. */
  private readonly dependents = new Map<StageKey, Set<StageKey>>();
  /** Pending stages whose inputs are all committed: the only candidates the scheduler looks at. */
  private readonly readySet = new Set<StageKey>();
  private readonly runningSet = new Set<StageKey>();
  private readonly idempotency = new Map<string, SweepId>();
  private bottomLevels = new Map<StageKey, number>();
  private dirty = new Set<EntityKey>();
  private events: CoordinatorEvent[] = [];

  constructor(
    private readonly clock: Clock,
    opts: Partial<CoordinatorOptions> = {},
  ) {
    this.opts = coordinatorOptions(opts);
  }

  /**
   * Rebuild from stored records (a restarted coordinator). Running leases get two fresh TTLs
   * so their workers can reconnect and report before anything is declared lost.
   */
  static restore(records: StoredRecords, clock: Clock, opts: Partial<CoordinatorOptions> = {}): CoordinatorCore {
    const core = new CoordinatorCore(clock, opts);
    const now = clock.now();
    for (const s of records.sweeps) {
      core.sweeps.set(s.id, s);
      if (s.idempotencyKey) core.idempotency.set(s.idempotencyKey, s.id);
    }
    for (const st of records.stages) {
      core.stages.set(st.key, st);
      if (st.status === 'running') {
        core.runningSet.add(st.key);
        if (st.lease) st.lease.deadline = now + 2 * core.opts.leaseTtlMs;
      }
      for (const input of Object.values(st.inputs)) core.dependentsOf(input).add(st.key);
    }
    for (const st of core.stages.values()) if (st.status === 'pending' && core.inputsCommitted(st)) core.readySet.add(st.key);
    for (const t of records.trials) {
      // A trial written before its sweep (crash mid-submit) is an orphan: the client's retry resubmits it.
      if (!core.sweeps.has(t.sweepId)) continue;
      if (!t.stages.every((s) => core.stages.has(s.key))) continue;
      core.trials.set(t.id, t);
      for (const s of t.stages) core.consumersOf(s.key).add(t.id);
    }
    for (const s of core.sweeps.values()) s.trialIds = s.trialIds.filter((id) => core.trials.has(id));
    // Statuses derived from stages may lag if the coordinator died between writes.
    for (const t of core.trials.values()) core.refreshTrial(t);
    for (const s of core.sweeps.values()) core.refreshSweep(s);
    return core;
  }

  /** Records changed and events raised since the last call. */
  takeChanges(): Changes {
    const order = (k: string) => (k.startsWith('stage.') ? 0 : k.startsWith('trial.') ? 1 : 2);
    const dirty = [...this.dirty].sort((a, b) => order(a) - order(b));
    const events = this.events;
    this.dirty = new Set();
    this.events = [];
    return { dirty, events };
  }

  /** The stored record behind an entity key (undefined if it was dropped). */
  record(key: EntityKey): SweepRecord | TrialRecord | StageRecord | undefined {
    const dot = key.indexOf('.');
    const id = key.slice(dot + 1);
    if (key.startsWith('sweep.')) return this.sweeps.get(id as SweepId);
    if (key.startsWith('trial.')) return this.trials.get(id as TrialId);
    return this.stages.get(id as StageKey);
  }

  // ---- sweeps ------------------------------------------------------------------------------

  submitSweep(input: SubmitInput): { sweep: SweepRecord; created: boolean } {
    const digest = sha256Hex(canonicalJson(input.spec));
    if (input.idempotencyKey) {
      const existing = this.idempotency.get(input.idempotencyKey);
      if (existing) {
        const sweep = this.sweeps.get(existing)!;
        if (sweep.specDigest !== digest) throw new IdempotencyConflictError(input.idempotencyKey, existing);
        return { sweep, created: false };
      }
    }
    if (this.sweeps.has(input.sweepId)) throw new IdempotencyConflictError(input.sweepId, input.sweepId);
    if (input.trials.length > this.opts.maxTrialsPerSweep) {
      throw new LimitError(`sweep ${input.spec.name} has ${input.trials.length} trials; this coordinator accepts at most ${this.opts.maxTrialsPerSweep}`);
    }
    const now = this.clock.now();
    const sweep: SweepRecord = {
      id: input.sweepId,
      name: input.spec.name,
      description: input.spec.description,
      idempotencyKey: input.idempotencyKey,
      specDigest: digest,
      spec: input.spec,
      source: input.source,
      trialIds: [],
      status: 'running',
      submittedAt: now,
    };
    this.sweeps.set(sweep.id, sweep);
    if (input.idempotencyKey) this.idempotency.set(input.idempotencyKey, sweep.id);
    let newStages = 0;
    let sharedStages = 0;
    const seen = new Set<StageKey>();
    for (const plan of input.trials) {
      const dag = buildTrialDag(plan.config);
      const trial: TrialRecord = {
        id: trialIdOf(sweep.id, plan.index),
        sweepId: sweep.id,
        index: plan.index,
        label: plan.label,
        assignments: plan.assignments,
        repeat: plan.repeat,
        seed: plan.seed,
        config: plan.config,
        stages: dag.nodes.map((n) => ({ key: n.key, name: n.name })),
        model: dag.model,
        sink: dag.sink,
        status: 'queued',
      };
      this.trials.set(trial.id, trial);
      sweep.trialIds.push(trial.id);
      this.markDirty(`trial.${trial.id}`);
      for (const node of dag.nodes) {
        this.consumersOf(node.key).add(trial.id);
        const existing = this.stages.get(node.key);
        if (!seen.has(node.key)) {
          seen.add(node.key);
          if (existing) sharedStages++;
          else newStages++;
        }
        if (existing) {
          if (existing.status === 'failed') {
            // A new submission gives a failed stage fresh budgets (the cause may be fixed).
            existing.status = 'pending';
            existing.failures = { infrastructure: 0, job: 0 };
            existing.error = undefined;
            existing.notBefore = now;
            if (this.inputsCommitted(existing)) this.readySet.add(existing.key);
            this.touch(existing);
          }
          continue;
        }
        const st: StageRecord = {
          key: node.key,
          kind: node.spec.kind,
          name: node.name,
          spec: node.spec,
          config: node.config,
          inputs: node.inputs,
          resources: node.resources,
          cost: node.cost,
          checkpointEvery: plan.config.checkpointEvery,
          status: 'pending',
          attempts: [],
          failures: { infrastructure: 0, job: 0 },
          notBefore: now,
          lossHistory: [],
          createdAt: now,
          updatedAt: now,
        };
        this.stages.set(st.key, st);
        if (this.inputsCommitted(st)) this.readySet.add(st.key);
        for (const k of Object.values(node.inputs)) this.dependentsOf(k).add(st.key);
        this.markDirty(`stage.${st.key}`);
      }
    }
    this.bottomLevels = new Map();
    this.markDirty(`sweep.${sweep.id}`);
    this.emit({ type: 'sweep.submitted', at: now, sweepIds: [sweep.id], sweepId: sweep.id, name: sweep.name, trials: sweep.trialIds.length, stages: newStages + sharedStages, sharedStages });
    for (const key of seen) {
      const st = this.stages.get(key)!;
      if (st.status === 'pending' && this.inputsCommitted(st)) this.emitJob(st, { type: 'job.queued' });
    }
    // Trials whose every stage is already committed (a re-submission) are done at once.
    for (const id of sweep.trialIds) this.refreshTrial(this.trials.get(id)!);
    this.refreshSweep(sweep);
    return { sweep, created: true };
  }

  cancelSweep(id: SweepId, message = 'cancelled by request'): SweepRecord {
    const sweep = this.getSweep(id);
    if (sweep.status !== 'running') return sweep;
    const now = this.clock.now();
    const touched = new Set<StageKey>();
    for (const tid of sweep.trialIds) {
      const t = this.trials.get(tid)!;
      if (!ACTIVE_TRIAL.has(t.status)) continue;
      t.status = 'cancelled';
      t.endedAt = now;
      this.markDirty(`trial.${t.id}`);
      this.emit({ type: 'trial.done', at: now, sweepIds: [sweep.id], trialId: t.id, sweepId: sweep.id, status: 'cancelled' });
      for (const s of t.stages) touched.add(s.key);
    }
    // Stop running stages nobody needs any more; their workers learn it at the next heartbeat.
    for (const key of touched) {
      const st = this.stages.get(key)!;
      if (st.status === 'running' && this.activeConsumers(key).length === 0) {
        this.endAttempt(st, 'revoked', undefined, message);
        st.status = 'pending';
        this.runningSet.delete(key);
        this.readySet.add(key);
        this.touch(st);
      }
    }
    sweep.status = 'cancelled';
    sweep.endedAt = now;
    sweep.message = message;
    this.markDirty(`sweep.${sweep.id}`);
    this.emit({ type: 'sweep.done', at: now, sweepIds: [sweep.id], sweepId: sweep.id, status: 'cancelled', ...this.counts(sweep) });
    return sweep;
  }

  // ---- workers -----------------------------------------------------------------------------

  registerWorker(w: { id: WorkerId; resources: WorkerResources; kinds: StageKind[]; labels?: Record<string, string> }): WorkerRecord {
    const now = this.clock.now();
    const rec: WorkerRecord = {
      id: w.id,
      resources: w.resources,
      kinds: [...new Set(w.kinds)],
      slots: Math.max(1, w.resources.gpus),
      registeredAt: this.workers.get(w.id)?.registeredAt ?? now,
      lastSeen: now,
      labels: w.labels ?? {},
    };
    this.workers.set(w.id, rec);
    return rec;
  }

  /** Forget a worker (it said goodbye); its leases run out on their own unless released. */
  unregisterWorker(id: WorkerId): void {
    this.workers.delete(id);
  }

  /**
   * Give worker `id` the best ready stage that fits it, or undefined. Policy: among sweeps
   * under their parallelism limit, the one with the fewest running jobs per unit of weight
   * (then the oldest); within it, the stage with the longest remaining path to a trial's end.
   */
  lease(id: WorkerId): LeasedJob | undefined {
    const w = this.workers.get(id);
    if (!w) throw new UnknownWorkerError(id);
    const now = this.clock.now();
    w.lastSeen = now;
    let busy = 0;
    for (const k of this.runningSet) if (this.stages.get(k)!.lease?.workerId === id) busy++;
    if (busy >= w.slots) return undefined;

    const running = this.runningPerSweep();
    let best: { st: StageRecord; load: number; submitted: number; level: number } | undefined;
    for (const key of this.readySet) {
      const st = this.stages.get(key)!;
      if (st.notBefore > now || !this.fits(st, w)) continue;
      let load = Infinity;
      let submitted = Infinity;
      for (const sid of this.activeSweepsOf(key)) {
        const sw = this.sweeps.get(sid)!;
        const n = running.get(sid) ?? 0;
        if (sw.spec.limits.parallelism > 0 && n >= sw.spec.limits.parallelism) continue;
        const l = n / sw.spec.weight;
        if (l < load || (l === load && sw.submittedAt < submitted)) {
          load = l;
          submitted = sw.submittedAt;
        }
      }
      if (load === Infinity) continue; // no active consumer, or every consumer sweep is at its limit
      const level = this.bottomLevel(key);
      if (
        !best ||
        load < best.load ||
        (load === best.load && (submitted < best.submitted || (submitted === best.submitted && (level > best.level || (level === best.level && key < best.st.key)))))
      ) {
        best = { st, load, submitted, level };
      }
    }
    if (!best) return undefined;
    return this.startAttempt(best.st, w, now);
  }

  private startAttempt(st: StageRecord, w: WorkerRecord, now: number): LeasedJob {
    const attempt = (st.attempts.at(-1)?.attempt ?? 0) + 1;
    const jobId = jobIdOf(st.key, attempt);
    st.attempts.push({ attempt, jobId, workerId: w.id, startedAt: now, resumedFrom: st.checkpoint });
    st.lease = { attempt, workerId: w.id, deadline: now + this.opts.leaseTtlMs };
    st.status = 'running';
    st.progress = undefined;
    this.readySet.delete(st.key);
    this.runningSet.add(st.key);
    this.touch(st);
    for (const t of this.activeConsumerTrials(st.key)) {
      if (t.status === 'queued') {
        t.status = 'running';
        t.startedAt = now;
        this.markDirty(`trial.${t.id}`);
      }
    }
    this.emitJob(st, { type: 'job.started', jobId, attempt, workerId: w.id, resumeFrom: st.checkpoint });
    const inputs: Record<string, InputArtifact> = {};
    for (const [role, key] of Object.entries(st.inputs)) {
      const src = this.stages.get(key)!;
      inputs[role] = { stageKey: key, prefix: src.artifactPrefix!, result: src.result ?? {} };
    }
    return {
      jobId,
      stageKey: st.key,
      attempt,
      attemptId: attemptIdOf(attempt),
      artifactPrefix: attemptPrefix(st.key, attempt),
      stagePrefix: stagePrefix(st.key),
      kind: st.kind,
      name: st.name,
      spec: st.spec,
      config: st.config,
      inputs,
      resumeFrom: st.checkpoint,
      checkpointEvery: st.checkpointEvery,
      deadline: st.lease.deadline,
      trialIds: this.activeConsumers(st.key),
      sweepIds: [...this.activeSweepsOf(st.key)],
    };
  }

  // ---- a lease's life ----------------------------------------------------------------------

  /** Renew a lease; record progress and the latest checkpoint. Throws StaleLeaseError when the lease is gone. */
  heartbeat(key: StageKey, token: number, update: { progress?: StageProgress; checkpoint?: string } = {}): { deadline: number } {
    const st = this.fenced(key, token, 'heartbeat');
    const now = this.clock.now();
    st.lease!.deadline = now + this.opts.leaseTtlMs;
    const w = this.workers.get(st.lease!.workerId);
    if (w) w.lastSeen = now;
    if (update.progress) {
      st.progress = update.progress;
      const losses = update.progress.losses;
      if (losses && Object.keys(losses).length > 0 && (st.lossHistory.at(-1)?.step ?? -1) < update.progress.done) {
        st.lossHistory.push({ step: update.progress.done, losses });
        if (st.lossHistory.length > MAX_LOSS_POINTS) st.lossHistory = st.lossHistory.filter((_, i) => i % 2 === 1);
      }
      this.emitJob(st, { type: 'job.progress', jobId: jobIdOf(key, token), attempt: token, progress: update.progress });
    }
    if (update.checkpoint && update.checkpoint !== st.checkpoint) {
      // Worth a write: the next attempt resumes from here.
      st.checkpoint = update.checkpoint;
      this.touch(st);
    }
    return { deadline: st.lease!.deadline };
  }

  /**
   * Commit attempt `token`'s output. A repeated completion of the committed attempt is
   * accepted (the worker's first reply was lost); any other stale token is refused.
   */
  complete(key: StageKey, token: number, result: JsonObject): { duplicate: boolean } {
    const existing = this.stages.get(key);
    if (existing?.status === 'committed' && existing.committedAttempt === token) return { duplicate: true };
    const st = this.fenced(key, token, 'completion');
    const worker = st.lease!.workerId;
    this.endAttempt(st, 'committed');
    st.status = 'committed';
    st.committedAttempt = token;
    st.artifactPrefix = attemptPrefix(key, token);
    st.result = result;
    if (st.progress) st.progress = { ...st.progress, done: st.progress.total };
    this.runningSet.delete(key);
    this.touch(st);
    this.emitJob(st, { type: 'job.done', jobId: jobIdOf(key, token), attempt: token, workerId: worker, result });
    for (const d of this.dependents.get(key) ?? []) {
      const ds = this.stages.get(d)!;
      if (ds.status === 'pending' && this.inputsCommitted(ds)) {
        this.readySet.add(d);
        if (this.activeConsumers(d).length > 0) this.emitJob(ds, { type: 'job.queued' });
      }
    }
    this.refreshConsumers(key);
    return { duplicate: false };
  }

  /** Record a failed attempt; retry within the budget of its failure class, else fail the stage. */
  fail(key: StageKey, token: number, reason: FailureReason, message: string, logTail?: string[]): { retryAt?: number } {
    const st = this.fenced(key, token, 'failure report');
    return this.failAttempt(st, reason === 'worker-lost' ? 'lost' : 'failed', reason, message, logTail);
  }

  /** The worker gives the lease back (drain): no budget is spent; the stage is ready again at once. */
  release(key: StageKey, token: number, checkpoint?: string): void {
    const st = this.fenced(key, token, 'release');
    const worker = st.lease!.workerId;
    if (checkpoint) st.checkpoint = checkpoint;
    this.endAttempt(st, 'released', undefined, 'released by the worker (drain)');
    st.status = 'pending';
    st.notBefore = this.clock.now();
    this.runningSet.delete(key);
    this.readySet.add(key);
    this.touch(st);
    this.emitJob(st, { type: 'job.released', jobId: jobIdOf(key, token), attempt: token, workerId: worker });
  }

  /** Expire leases past their deadline (worker lost). Returns how many. */
  tick(): number {
    const now = this.clock.now();
    let expired = 0;
    for (const key of [...this.runningSet]) {
      const st = this.stages.get(key)!;
      if (st.lease && st.lease.deadline < now) {
        const silent = now - (st.lease.deadline - this.opts.leaseTtlMs);
        this.failAttempt(st, 'lost', 'worker-lost', `no heartbeat from worker ${st.lease.workerId} for ${silent} ms`);
        expired++;
      }
    }
    // Workers silent for three lease periods are gone.
    for (const w of [...this.workers.values()]) if (now - w.lastSeen > 3 * this.opts.leaseTtlMs) this.workers.delete(w.id);
    return expired;
  }

  /** The earliest future time at which a backed-off stage becomes ready (for timers), or undefined. */
  nextRetryAt(): number | undefined {
    const now = this.clock.now();
    let t: number | undefined;
    for (const key of this.readySet) {
      const st = this.stages.get(key)!;
      if (st.notBefore > now && (t === undefined || st.notBefore < t)) t = st.notBefore;
    }
    return t;
  }

  /** True when some stage could be leased now by some worker (ignoring fit). */
  hasReadyWork(): boolean {
    const now = this.clock.now();
    for (const key of this.readySet) {
      const st = this.stages.get(key)!;
      if (st.notBefore <= now && this.activeConsumers(key).length > 0) return true;
    }
    return false;
  }

  private failAttempt(st: StageRecord, outcome: 'failed' | 'lost', reason: FailureReason, message: string, logTail?: string[]): { retryAt?: number } {
    const now = this.clock.now();
    const token = st.lease!.attempt;
    const worker = st.lease!.workerId;
    this.endAttempt(st, outcome, reason, message, logTail);
    this.runningSet.delete(st.key);
    const cls = failureClassOf(reason);
    let exhausted: boolean;
    let retryAt: number | undefined;
    if (cls === 'infrastructure') {
      st.failures.infrastructure++;
      exhausted = st.failures.infrastructure > this.opts.infraRetries;
      retryAt = now + backoffMs(this.opts, st.failures.infrastructure);
    } else if (cls === 'job') {
      st.failures.job++;
      exhausted = st.failures.job > this.opts.jobRetries;
      retryAt = now + this.opts.initialBackoffMs;
    } else {
      exhausted = true;
    }
    if (exhausted) {
      st.status = 'failed';
      st.error = { reason, message };
      retryAt = undefined;
    } else {
      st.status = 'pending';
      st.notBefore = retryAt!;
      this.readySet.add(st.key);
    }
    this.touch(st);
    this.emitJob(st, { type: 'job.failed', jobId: jobIdOf(st.key, token), attempt: token, workerId: worker, reason, failureClass: cls, message, retryAt });
    if (exhausted) this.refreshConsumers(st.key);
    return retryAt === undefined ? {} : { retryAt };
  }

  private endAttempt(st: StageRecord, outcome: NonNullable<StageRecord['attempts'][number]['outcome']>, reason?: FailureReason, message?: string, logTail?: string[]): void {
    const a = st.attempts.find((x) => x.attempt === st.lease?.attempt);
    if (a) {
      a.endedAt = this.clock.now();
      a.outcome = outcome;
      a.reason = reason;
      a.message = message;
      a.logTail = logTail?.slice(-20);
    }
    st.lease = undefined;
  }

  /** The stage, if `token` is its current lease; else StaleLeaseError (the fencing check). */
  private fenced(key: StageKey, token: number, what: string): StageRecord {
    const st = this.stages.get(key);
    if (!st) throw new NotFoundError(`stage ${key}`);
    this.revive(st, token);
    if (st.status !== 'running' || !st.lease || st.lease.attempt !== token) {
      throw new StaleLeaseError(key, token, st.lease?.attempt, `${what}; stage is ${st.status}`);
    }
    return st;
  }

  /**
   * A worker we declared lost speaks again (a network blip, a slow coordinator restart) and no
   * newer lease was issued: its token is still the latest, so fencing allows it. Give it its
   * lease back rather than throw its work away, and take back the failure we counted.
   */
  private revive(st: StageRecord, token: number): void {
    const last = st.attempts.at(-1);
    if (st.status !== 'pending' || !last || last.attempt !== token || last.outcome !== 'lost') return;
    if (this.activeConsumers(st.key).length === 0) return;
    last.outcome = undefined;
    last.endedAt = undefined;
    last.reason = undefined;
    last.message = undefined;
    st.failures.infrastructure = Math.max(0, st.failures.infrastructure - 1);
    st.lease = { attempt: token, workerId: last.workerId, deadline: this.clock.now() + this.opts.leaseTtlMs };
    st.status = 'running';
    st.notBefore = this.clock.now();
    this.readySet.delete(st.key);
    this.runningSet.add(st.key);
    this.touch(st);
    this.emitJob(st, { type: 'job.started', jobId: last.jobId, attempt: token, workerId: last.workerId, resumeFrom: last.resumedFrom });
  }

  // ---- trials and sweeps -------------------------------------------------------------------

  private refreshConsumers(key: StageKey): void {
    const sweeps = new Set<SweepId>();
    for (const tid of this.consumers.get(key) ?? []) {
      const t = this.trials.get(tid)!;
      if (this.refreshTrial(t)) sweeps.add(t.sweepId);
    }
    for (const sid of sweeps) this.refreshSweep(this.sweeps.get(sid)!);
  }

  /** Move an active trial to succeeded/failed when its stages say so; true when it changed. */
  private refreshTrial(t: TrialRecord): boolean {
    if (!ACTIVE_TRIAL.has(t.status)) return false;
    const now = this.clock.now();
    const sink = this.stages.get(t.sink)!;
    if (sink.status === 'committed') {
      t.status = 'succeeded';
      t.metrics = sink.result;
    } else {
      const failed = t.stages.map((s) => ({ s, st: this.stages.get(s.key)! })).find((x) => x.st.status === 'failed');
      if (!failed) return false;
      t.status = 'failed';
      t.error = { stage: failed.s.key, name: failed.s.name, reason: failed.st.error!.reason, message: failed.st.error!.message };
    }
    t.endedAt = now;
    this.markDirty(`trial.${t.id}`);
    this.emit({ type: 'trial.done', at: now, sweepIds: [t.sweepId], trialId: t.id, sweepId: t.sweepId, status: t.status, metrics: t.metrics, error: t.error });
    return true;
  }

  private refreshSweep(s: SweepRecord): void {
    if (s.status !== 'running') return;
    const c = this.counts(s);
    if (c.succeeded + c.failed + c.cancelled < s.trialIds.length) return;
    s.status = c.failed > 0 ? 'failed' : 'succeeded';
    s.endedAt = this.clock.now();
    if (c.failed > 0) s.message = `${c.failed} of ${s.trialIds.length} trials failed`;
    this.markDirty(`sweep.${s.id}`);
    this.emit({ type: 'sweep.done', at: s.endedAt, sweepIds: [s.id], sweepId: s.id, status: s.status, ...c });
  }

  counts(s: SweepRecord): Record<TrialStatus, number> {
    const c: Record<TrialStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const id of s.trialIds) c[this.trials.get(id)!.status]++;
    return c;
  }

  // ---- scheduling helpers -----------------------------------------------------------------

  private fits(st: StageRecord, w: WorkerRecord): boolean {
    if (!w.kinds.includes(st.kind)) return false;
    const r = st.resources;
    if (r.gpu && w.resources.gpus === 0 && !w.resources.cpuFallback) return false;
    if (r.gpu && w.resources.gpus > 0 && w.resources.gpuMemoryMb < r.gpuMemoryMb) return false;
    return w.resources.memoryMb === 0 || w.resources.memoryMb >= r.memoryMb;
  }

  private inputsCommitted(st: StageRecord): boolean {
    for (const k of Object.values(st.inputs)) if (this.stages.get(k)?.status !== 'committed') return false;
    return true;
  }

  /** Longest path (in estimated seconds) from the start of this stage to the end of a trial. */
  private bottomLevel(key: StageKey): number {
    const memo = this.bottomLevels.get(key);
    if (memo !== undefined) return memo;
    let tail = 0;
    for (const d of this.dependents.get(key) ?? []) tail = Math.max(tail, this.bottomLevel(d));
    const level = this.stages.get(key)!.cost + tail;
    this.bottomLevels.set(key, level);
    return level;
  }

  private runningPerSweep(): Map<SweepId, number> {
    const m = new Map<SweepId, number>();
    for (const key of this.runningSet) for (const sid of this.activeSweepsOf(key)) m.set(sid, (m.get(sid) ?? 0) + 1);
    return m;
  }

  private activeConsumerTrials(key: StageKey): TrialRecord[] {
    const out: TrialRecord[] = [];
    for (const tid of this.consumers.get(key) ?? []) {
      const t = this.trials.get(tid)!;
      if (ACTIVE_TRIAL.has(t.status)) out.push(t);
    }
    return out;
  }

  private activeConsumers(key: StageKey): TrialId[] {
    return this.activeConsumerTrials(key).map((t) => t.id);
  }

  private activeSweepsOf(key: StageKey): Set<SweepId> {
    const out = new Set<SweepId>();
    for (const t of this.activeConsumerTrials(key)) out.add(t.sweepId);
    return out;
  }

  private consumersOf(key: StageKey): Set<TrialId> {
    let s = this.consumers.get(key);
    if (!s) this.consumers.set(key, (s = new Set()));
    return s;
  }

  private dependentsOf(key: StageKey): Set<StageKey> {
    let s = this.dependents.get(key);
    if (!s) this.dependents.set(key, (s = new Set()));
    return s;
  }

  private touch(st: StageRecord): void {
    st.updatedAt = this.clock.now();
    this.markDirty(`stage.${st.key}`);
  }

  private markDirty(k: EntityKey): void {
    this.dirty.add(k);
  }

  private emit(e: CoordinatorEvent): void {
    this.events.push(e);
  }

  private emitJob(st: StageRecord, e: JobEventBody): void {
    const trials = this.consumers.get(st.key) ?? new Set();
    const sweepIds = new Set<SweepId>();
    for (const tid of trials) sweepIds.add(this.trials.get(tid)!.sweepId);
    this.emit({ ...e, at: this.clock.now(), sweepIds: [...sweepIds], stageKey: st.key, name: st.name, kind: st.kind, trialIds: [...trials] } as CoordinatorEvent);
  }

  // ---- garbage collection -------------------------------------------------------------------

  /**
   * Attempt folders nothing needs: of a committed stage, every attempt but the committed one
   * (their checkpoints are superseded by the output). Running stages keep every attempt (the
   * next one may resume from any of their checkpoints); failed stages keep theirs for inspection.
   */
  garbage(): { stageKey: StageKey; attempt: number; prefix: string }[] {
    const out: { stageKey: StageKey; attempt: number; prefix: string }[] = [];
    for (const st of this.stages.values()) {
      if (st.status !== 'committed') continue;
      for (const a of st.attempts) {
        if (a.attempt !== st.committedAttempt && !a.collected && a.endedAt !== undefined) out.push({ stageKey: st.key, attempt: a.attempt, prefix: attemptPrefix(st.key, a.attempt) });
      }
    }
    return out;
  }

  markCollected(key: StageKey, attempt: number): void {
    const st = this.stages.get(key);
    const a = st?.attempts.find((x) => x.attempt === attempt);
    if (!st || !a || a.collected) return;
    a.collected = true;
    this.touch(st);
  }

  // ---- reads --------------------------------------------------------------------------------

  getSweep(id: SweepId): SweepRecord {
    const s = this.sweeps.get(id);
    if (!s) throw new NotFoundError(`sweep ${id}`);
    return s;
  }

  listSweeps(): SweepRecord[] {
    return [...this.sweeps.values()].sort((a, b) => b.submittedAt - a.submittedAt || (a.id < b.id ? -1 : 1));
  }

  trialsOf(id: SweepId): TrialRecord[] {
    return this.getSweep(id).trialIds.map((t) => this.trials.get(t)!);
  }

  getTrial(id: TrialId): TrialRecord | undefined {
    return this.trials.get(id);
  }

  getStage(key: StageKey): StageRecord | undefined {
    return this.stages.get(key);
  }

  allStages(): IterableIterator<StageRecord> {
    return this.stages.values();
  }

  allTrials(): IterableIterator<TrialRecord> {
    return this.trials.values();
  }

  listWorkers(): WorkerRecord[] {
    return [...this.workers.values()];
  }

  /** Stages of a sweep's trials (each once). */
  stagesOf(id: SweepId): StageRecord[] {
    const keys = new Set<StageKey>();
    for (const t of this.trialsOf(id)) for (const s of t.stages) keys.add(s.key);
    return [...keys].map((k) => this.stages.get(k)!);
  }
}
