/**
 * `Coordinator`: the state machine (`core.ts`) made durable and observable. Every command runs
 * on the core synchronously, then the records it changed are written to the state store with
 * compare-and-set (in order, one write chain), then its events go to in-process subscribers
 * and the event bus, then the caller gets its answer. So an acknowledged completion is durable,
 * and a restarted coordinator (`Coordinator.open` on the same store) continues every sweep.
 *
 * While the store is unreachable (NATS restarting), writes are retried with backoff and the
 * answers wait; a compare-and-set failure means another coordinator writes the same state,
 * and this one stops (`StateConflictError`).
 *
 * Read API for the dashboard: `snapshot()`, `sweepDetail(id)`, `subscribe(listener)`.
 */
import { randomBytes } from 'node:crypto';
import type { EventBus } from '../bus/event-bus.ts';
import { RevisionMismatchError, type StateStore } from '../bus/state-store.ts';
import type { JsonObject, StageProgress } from '../pipeline/executor.ts';
import type { FailureReason } from '../pipeline/failures.ts';
import { asSweepId, type StageKey, type SweepId, type WorkerId } from '../pipeline/ids.ts';
import type { StageKind } from '../pipeline/stage-kind.ts';
import { expandSweep, parseSweepSpec } from '../pipeline/sweep-spec.ts';
import { logger, type Logger } from '../util/log.ts';
import { systemClock, type Clock } from './clock.ts';
import { CoordinatorCore, type Changes, type EntityKey, type LeasedJob } from './core.ts';
import { StateConflictError } from './errors.ts';
import type { CoordinatorOptions } from './options.ts';
import type { CoordinatorEvent, StageRecord, SweepRecord, TrialRecord, TrialStatus, WorkerRecord, WorkerResources } from './types.ts';

/** First delay between retries of a state write that failed for a transient reason (ms). */
const WRITE_RETRY_INITIAL_MS = 100;
const WRITE_RETRY_MAX_MS = 2_000;
/** State writes in flight at once. */
const WRITE_CONCURRENCY = 32;
/** Long polls wait at most this long (ms). */
export const MAX_LEASE_WAIT_MS = 60_000;

export interface CoordinatorServiceOptions extends Partial<CoordinatorOptions> {
  store: StateStore;
  bus: EventBus;
  clock?: Clock;
  /** How often leases are checked for expiry (ms). @default min(1000, leaseTtlMs / 4) */
  tickIntervalMs?: number;
  /** Called once when the coordinator must stop (another coordinator writes the same state). */
  onFatal?: (err: Error) => void;
}

export type SweepSummary = SweepRecord & {
  counts: Record<TrialStatus, number>;
  stageCounts: { total: number; committed: number; running: number; failed: number };
};

export interface SweepDetail {
  sweep: SweepSummary;
  trials: TrialRecord[];
  /** Distinct stages of the trials. */
  stages: StageRecord[];
}

/** Everything the dashboard shows, as plain JSON-able records (copies). */
export interface CoordinatorSnapshot {
  at: number;
  sweeps: SweepSummary[];
  trials: TrialRecord[];
  stages: StageRecord[];
  workers: WorkerRecord[];
}

export type CoordinatorListener = (e: CoordinatorEvent) => void;

export class Coordinator {
  private readonly log: Logger;
  private readonly revisions = new Map<string, number>();
  private readonly written = new Map<string, string>();
  /** Records waiting for the next group write, and the promise it settles. */
  private nextBatch?: { records: Map<EntityKey, string>; done: Promise<void>; settle: (err?: unknown) => void };
  private inFlight?: Promise<void>;
  private readonly listeners = new Set<CoordinatorListener>();
  private waiters = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private fatal?: Error;
  private onFatal?: (err: Error) => void;
  private closed = false;

  private constructor(
    private readonly core: CoordinatorCore,
    private readonly store: StateStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly tickIntervalMs: number,
  ) {
    this.log = logger('coordinator');
  }

  /** Load the state (or start empty) and begin checking leases. */
  static async open(o: CoordinatorServiceOptions): Promise<Coordinator> {
    const clock = o.clock ?? systemClock;
    const entries = await o.store.loadAll();
    const sweeps: SweepRecord[] = [];
    const trials: TrialRecord[] = [];
    const stages: StageRecord[] = [];
    for (const e of entries) {
      if (e.key.startsWith('sweep.')) sweeps.push(e.value as SweepRecord);
      else if (e.key.startsWith('trial.')) trials.push(e.value as TrialRecord);
      else if (e.key.startsWith('stage.')) stages.push(e.value as StageRecord);
    }
    const core = CoordinatorCore.restore({ sweeps, trials, stages }, clock, o);
    const tick = o.tickIntervalMs ?? Math.min(1000, Math.floor(core.opts.leaseTtlMs / 4));
    const c = new Coordinator(core, o.store, o.bus, clock, tick);
    c.onFatal = o.onFatal;
    for (const e of entries) {
      c.revisions.set(e.key, e.revision);
      c.written.set(e.key, JSON.stringify(e.value));
    }
    c.log.info({ state: o.store.location, events: o.bus.location, sweeps: sweeps.length, trials: trials.length, stages: stages.length }, 'coordinator state loaded');
    // Reconciliation on load may have changed statuses: write them now.
    await c.commit(core.takeChanges());
    c.timer = setInterval(() => void c.tick(), tick);
    c.timer.unref();
    return c;
  }

  get options(): CoordinatorOptions {
    return this.core.opts;
  }

  /** Heartbeat period workers should use: a third of the lease TTL. */
  get heartbeatIntervalMs(): number {
    return Math.max(50, Math.floor(this.core.opts.leaseTtlMs / 3));
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Parse, validate and expand a sweep spec, then schedule it. Throws InputError naming the bad field. */
  async submitSweep(input: { text: string; source?: string; idempotencyKey?: string }): Promise<{ sweep: SweepSummary; created: boolean }> {
    const source = input.source || 'sweep.yaml';
    const spec = parseSweepSpec(input.text, source);
    const trials = expandSweep(spec, source);
    const { sweep, created } = await this.run(() =>
      this.core.submitSweep({ sweepId: asSweepId(`sw-${randomBytes(4).toString('hex')}`), spec, trials, source, idempotencyKey: input.idempotencyKey || undefined }),
    );
    if (created) this.log.info({ sweepId: sweep.id, name: sweep.name, trials: sweep.trialIds.length }, 'sweep submitted');
    return { sweep: this.summary(sweep), created };
  }

  async cancelSweep(id: SweepId, reason?: string): Promise<SweepSummary> {
    const s = await this.run(() => this.core.cancelSweep(id, reason || undefined));
    this.log.info({ sweepId: id, reason }, 'sweep cancelled');
    return this.summary(s);
  }

  async registerWorker(w: { id: WorkerId; resources: WorkerResources; kinds: StageKind[]; labels?: Record<string, string> }): Promise<WorkerRecord> {
    this.check();
    const rec = this.core.registerWorker(w);
    this.log.info({ workerId: w.id, kinds: rec.kinds, resources: w.resources }, 'worker registered');
    return rec;
  }

  /** Long poll: the best job for the worker, waiting up to `waitMs` for one; undefined if none came. */
  async lease(worker: WorkerId, waitMs = 0, signal?: AbortSignal): Promise<LeasedJob | undefined> {
    const until = Date.now() + Math.min(Math.max(0, waitMs), MAX_LEASE_WAIT_MS);
    for (;;) {
      const job = await this.run(() => this.core.lease(worker));
      if (job) {
        this.log.info({ jobId: job.jobId, stage: job.name, kind: job.kind, workerId: worker, attempt: job.attempt, sweepIds: job.sweepIds, trialIds: job.trialIds.slice(0, 8) }, 'job leased');
        return job;
      }
      const left = until - Date.now();
      if (left <= 0 || signal?.aborted || this.closed) return undefined;
      await this.waitForWork(left, signal);
    }
  }

  async heartbeat(key: StageKey, token: number, update: { progress?: StageProgress; checkpoint?: string }): Promise<{ deadline: number }> {
    return this.run(() => this.core.heartbeat(key, token, update));
  }

  async complete(key: StageKey, token: number, result: JsonObject): Promise<{ duplicate: boolean }> {
    const r = await this.run(() => this.core.complete(key, token, result));
    if (!r.duplicate) this.log.info({ stageKey: key, attempt: token }, 'stage committed');
    return r;
  }

  async fail(key: StageKey, token: number, reason: FailureReason, message: string, logTail?: string[]): Promise<{ retryAt?: number }> {
    const r = await this.run(() => this.core.fail(key, token, reason, message, logTail));
    this.log.warn({ stageKey: key, attempt: token, reason, message, retryAt: r.retryAt }, 'job failed');
    return r;
  }

  async release(key: StageKey, token: number, checkpoint?: string): Promise<void> {
    await this.run(() => this.core.release(key, token, checkpoint));
  }

  /**
   * Delete the folders of attempts that did not commit once their stage has committed (see
   * `CoordinatorCore.garbage`). Returns how many objects were deleted.
   */
  async collectGarbage(store: { deletePrefix(prefix: string): Promise<number> }): Promise<number> {
    let deleted = 0;
    for (const g of this.core.garbage()) {
      deleted += await store.deletePrefix(g.prefix);
      await this.run(() => this.core.markCollected(g.stageKey, g.attempt));
    }
    if (deleted > 0) this.log.info({ deleted }, 'garbage collected');
    return deleted;
  }

  // ---- reads --------------------------------------------------------------------------------

  listSweeps(filter: { limit?: number; status?: string } = {}): SweepSummary[] {
    return this.core
      .listSweeps()
      .filter((s) => !filter.status || s.status === filter.status)
      .slice(0, filter.limit && filter.limit > 0 ? filter.limit : 100)
      .map((s) => this.summary(s));
  }

  sweepDetail(id: SweepId): SweepDetail {
    const sweep = this.core.getSweep(id);
    return structuredClone({ sweep: this.summary(sweep), trials: this.core.trialsOf(id), stages: this.core.stagesOf(id) });
  }

  snapshot(): CoordinatorSnapshot {
    return structuredClone({
      at: this.clock.now(),
      sweeps: this.core.listSweeps().map((s) => this.summary(s)),
      trials: [...this.core.allTrials()],
      stages: [...this.core.allStages()],
      workers: this.core.listWorkers(),
    });
  }

  /** Events as they are committed, in order. Returns unsubscribe. */
  subscribe(listener: CoordinatorListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.waiters) w();
    while (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  // ---- machinery ----------------------------------------------------------------------------

  private summary(s: SweepRecord): SweepSummary {
    const stages = this.core.stagesOf(s.id);
    return {
      ...s,
      counts: this.core.counts(s),
      stageCounts: {
        total: stages.length,
        committed: stages.filter((x) => x.status === 'committed').length,
        running: stages.filter((x) => x.status === 'running').length,
        failed: stages.filter((x) => x.status === 'failed').length,
      },
    };
  }

  private check(): void {
    if (this.fatal) throw this.fatal;
    if (this.closed) throw new StateConflictError('(coordinator closed)');
  }

  /** Run a core command, persist what it changed, publish its events, return its result. */
  private async run<T>(op: () => T): Promise<T> {
    this.check();
    let result: T;
    try {
      result = op();
    } catch (err) {
      // Commands check before they change anything, but persist whatever they did change.
      await this.commit(this.core.takeChanges());
      throw err;
    }
    await this.commit(this.core.takeChanges());
    return result;
  }

  private async commit(changes: Changes): Promise<void> {
    if (changes.dirty.length === 0 && changes.events.length === 0) return;
    // Even a command that changed no record waits for the writes before it, so events keep their order.
    await this.enqueue(changes.dirty);
    for (const e of changes.events) {
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          this.log.warn({ err }, 'event listener threw');
        }
      }
      this.bus.publish(e);
    }
    if (changes.events.some((e) => e.type === 'job.queued' || e.type === 'job.failed' || e.type === 'job.released' || e.type === 'sweep.submitted')) this.wake();
  }

  /**
   * Group commit: records of commands that arrive while a write is in flight go into the next
   * batch together (the latest version of each record once), so throughput does not collapse
   * to one round trip per record. Serialized now: later commands may change them meanwhile.
   */
  private enqueue(dirty: EntityKey[]): Promise<void> {
    if (!this.nextBatch) {
      let settle!: (err?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
      this.nextBatch = { records: new Map(), done, settle };
    }
    const batch = this.nextBatch;
    for (const k of dirty) batch.records.set(k, JSON.stringify(this.core.record(k) ?? null));
    if (!this.inFlight) this.startBatch();
    return batch.done;
  }

  private startBatch(): void {
    const batch = this.nextBatch;
    this.nextBatch = undefined;
    if (!batch) return;
    this.inFlight = this.writeBatch(batch.records).then(
      () => batch.settle(),
      (err) => batch.settle(err ?? new Error('state write failed')),
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      this.startBatch();
    });
  }

  /**
   * Stages, then trials, then sweeps (a crash between them leaves no sweep pointing at missing
   * trials); within a group, WRITE_CONCURRENCY writes at a time (a big sweep is thousands of
   * records: unbounded, they would exhaust file handles or the NATS client's buffers).
   */
  private async writeBatch(records: Map<EntityKey, string>): Promise<void> {
    for (const prefix of ['stage.', 'trial.', 'sweep.']) {
      const group = [...records].filter(([k]) => k.startsWith(prefix));
      let next = 0;
      const lane = async () => {
        while (next < group.length) {
          const [key, json] = group[next++];
          await this.writeRecord(key, json);
        }
      };
      await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, group.length) }, lane));
    }
  }

  private async writeRecord(key: EntityKey, json: string): Promise<void> {
    if (this.written.get(key) === json) return;
    let delay = WRITE_RETRY_INITIAL_MS;
    for (let attempt = 1; ; attempt++) {
      if (this.fatal) throw this.fatal;
      try {
        const rev = await this.store.put(key, JSON.parse(json), this.revisions.get(key));
        this.revisions.set(key, rev);
        this.written.set(key, json);
        return;
      } catch (err) {
        if (err instanceof RevisionMismatchError) {
          if (!this.fatal) {
            this.fatal = new StateConflictError(key, { cause: err });
            this.log.fatal({ key, state: this.store.location }, this.fatal.message);
            this.onFatal?.(this.fatal);
          }
          throw this.fatal;
        }
        if (attempt === 1 || attempt % 10 === 0) this.log.warn({ err, key, attempt, state: this.store.location }, 'state write failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(WRITE_RETRY_MAX_MS, delay * 2);
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.fatal || this.closed) return;
    try {
      const expired = await this.run(() => this.core.tick());
      if (expired > 0) this.log.warn({ expired }, 'leases expired');
      if (this.waiters.size > 0 && this.core.hasReadyWork()) this.wake();
    } catch (err) {
      this.log.error({ err }, 'tick failed');
    }
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  private waitForWork(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, Math.min(ms, this.tickIntervalMs * 4));
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
