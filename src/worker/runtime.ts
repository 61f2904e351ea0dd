/**
 * The generic worker runtime behind `frcnn trainer` and `frcnn evaluator`: register with the
 * coordinator, lease a job (long poll), run the executor for its kind while heartbeating
 * (which renews the lease and carries progress and the latest checkpoint), then complete or
 * fail it with a failure class. A lease the coordinator declares stale aborts the run (an
 * unreachable coordinator does not: fencing decides at completion); `drain()` (SIGTERM) aborts it too, and the runtime gives the
 * lease back with the last checkpoint so another worker resumes at once.
 */
import type * as grpc from '@grpc/grpc-js';
import { hostname } from 'node:os';
import { CoordinatorClient, isTransient } from '../coordinator/grpc/client.ts';
import { jobFromMsg, progressMsg, type WireJob } from '../coordinator/grpc/convert.ts';
import type { WorkerResources } from '../coordinator/types.ts';
import type { ExecutorRegistry, StageContext, StageJob, StageProgress } from '../pipeline/executor.ts';
import { classifyError } from '../pipeline/failures.ts';
import type { StageKind } from '../pipeline/stage-kind.ts';
import { logger, type Logger } from '../util/log.ts';
import { JobAbortedError, type AbortCause } from './abort.ts';

/** Long-poll length of a lease request (ms). */
export const DEFAULT_LEASE_WAIT_MS = 20_000;
/** Backoff after a transient error talking to the coordinator (ms). */
const RETRY_INITIAL_MS = 200;
const RETRY_MAX_MS = 5_000;

export interface WorkerRuntimeOptions<Store> {
  client: CoordinatorClient;
  /** @default `<hostname>-<pid>` */
  workerId?: string;
  resources: WorkerResources;
  executors: ExecutorRegistry<Store>;
  store: Store;
  labels?: Record<string, string>;
  /** @default 20000 */
  leaseWaitMs?: number;
  /** Stop after this many jobs (tests, one-shot runs). @default Infinity */
  maxJobs?: number;
}

export interface JobReport {
  jobId: string;
  kind: StageKind;
  outcome: 'completed' | 'failed' | 'released' | 'lost' | 'refused';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A wait that does not keep the process alive (heartbeat pauses must not delay exit after a drain). */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export function defaultWorkerId(): string {
  return `${hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${process.pid}`;
}

export class WorkerRuntime<Store = unknown> {
  readonly workerId: string;
  readonly kinds: StageKind[];
  private readonly log: Logger;
  private draining = false;
  private readonly running = new Set<AbortController>();
  private started = 0;
  private leaseAbort = new AbortController();
  private heartbeatMs = 10_000;
  private leaseTtlMs = 30_000;
  private readonly reports: JobReport[] = [];

  constructor(private readonly o: WorkerRuntimeOptions<Store>) {
    this.workerId = o.workerId ?? defaultWorkerId();
    this.kinds = Object.keys(o.executors) as StageKind[];
    if (this.kinds.length === 0) throw new Error('a worker needs at least one stage executor');
    this.log = logger('worker', { workerId: this.workerId });
  }

  get jobs(): readonly JobReport[] {
    return this.reports;
  }

  /** Jobs at once: one per GPU (the coordinator gives a worker as many leases), else one. */
  get slots(): number {
    return Math.max(1, this.o.resources.gpus);
  }

  /** Run until drained (or `maxJobs` done). */
  async run(): Promise<void> {
    await this.register();
    await Promise.all(Array.from({ length: this.slots }, (_, device) => this.loop(device)));
    this.log.info({ jobs: this.reports.length }, 'worker stopped');
  }

  /** One slot: lease, run on `device`, report, repeat. */
  private async loop(device: number): Promise<void> {
    const max = this.o.maxJobs ?? Infinity;
    let delay = RETRY_INITIAL_MS;
    while (!this.draining && this.started < max) {
      let job: WireJob | undefined;
      try {
        const res = await this.o.client.leaseJob(this.workerId, this.o.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS, this.leaseAbort.signal);
        job = res.job ? jobFromMsg(res.job) : undefined;
        delay = RETRY_INITIAL_MS;
      } catch (err) {
        if (this.draining) break;
        const e = err as grpc.ServiceError;
        if (e.code === 9 /* FAILED_PRECONDITION */ && /unknown worker/.test(e.details)) {
          this.log.info('coordinator does not know this worker (restarted?); registering again');
          await this.register();
          continue;
        }
        if (!isTransient(err)) throw err;
        this.log.warn({ code: e.code, details: e.details, retryInMs: delay }, 'lease request failed; retrying');
        await sleep(delay);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
        continue;
      }
      if (!job) continue;
      this.started++;
      this.reports.push({ jobId: job.jobId, kind: job.kind, outcome: await this.runJob(job, device) });
    }
  }

  /** Stop taking jobs; abort the running one, which checkpoints and gives its lease back. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.log.info({ running: this.running.size }, 'draining');
    this.leaseAbort.abort();
    for (const ac of this.running) ac.abort(new JobAbortedError('drain', 'worker draining (SIGTERM)'));
  }

  private async register(): Promise<void> {
    let delay = RETRY_INITIAL_MS;
    for (;;) {
      try {
        const r = this.o.client;
        const res = await r.registerWorker({
          worker_id: this.workerId,
          kinds: this.kinds,
          labels: this.o.labels ?? {},
          resources: {
            gpus: this.o.resources.gpus,
            gpu_model: this.o.resources.gpuModel,
            gpu_memory_mb: this.o.resources.gpuMemoryMb,
            cpu_cores: this.o.resources.cpuCores,
            memory_mb: this.o.resources.memoryMb,
            cpu_fallback: this.o.resources.cpuFallback,
          },
        });
        this.heartbeatMs = Number(res.heartbeat_interval_ms) || this.heartbeatMs;
        this.leaseTtlMs = Number(res.lease_ttl_ms) || this.leaseTtlMs;
        this.log.info({ kinds: this.kinds, heartbeatMs: this.heartbeatMs, leaseTtlMs: this.leaseTtlMs }, 'registered');
        return;
      } catch (err) {
        if (!isTransient(err) || this.draining) throw err;
        this.log.warn({ code: (err as grpc.ServiceError).code, retryInMs: delay }, 'coordinator unreachable; retrying registration');
        await sleep(delay);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
  }

  private async runJob(job: WireJob, device: number): Promise<JobReport['outcome']> {
    const log = this.log.child({ device, jobId: job.jobId, stage: job.name, kind: job.kind, attempt: job.attempt, sweepIds: job.sweepIds, trialIds: job.trialIds.slice(0, 8) });
    const executor = this.o.executors[job.kind];
    const ac = new AbortController();
    this.running.add(ac);
    if (this.draining) ac.abort(new JobAbortedError('drain', 'worker draining'));
    let progress: StageProgress | undefined;
    let checkpoint: string | undefined;
    // Checkpoints reported, numbered; each waits for the first heartbeat that carried it (or a later one).
    let checkpointSeq = 0;
    const unacked: Array<{ seq: number; recorded: () => void }> = [];
    let leaseDeadline = Date.now() + this.leaseTtlMs;
    let overdueLogged = false;
    const logTail: string[] = [];
    const note = (line: string) => {
      logTail.push(`${new Date().toISOString()} ${line}`);
      if (logTail.length > 20) logTail.shift();
    };
    const ids = { worker_id: this.workerId, stage_key: job.stageKey, fencing_token: job.attempt };

    // Heartbeats: renew at a third of the TTL; a refused one means the lease is gone.
    let beating = true;
    // One listener for the whole job (a new one per beat would pile up on a day-long stage).
    const aborted = new Promise<void>((r) => ac.signal.addEventListener('abort', () => r(), { once: true }));
    const heartbeats = (async () => {
      while (beating) {
        await Promise.race([pause(this.heartbeatMs), aborted]);
        if (!beating || ac.signal.aborted) break;
        try {
          const sentSeq = checkpointSeq;
          await this.o.client.heartbeat({ ...ids, progress: progressMsg(progress), checkpoint: checkpoint ?? '' }, Math.max(1000, this.heartbeatMs));
          while (unacked.length > 0 && unacked[0].seq <= sentSeq) unacked.shift()?.recorded();
          leaseDeadline = Date.now() + this.leaseTtlMs;
          overdueLogged = false;
        } catch (err) {
          const e = err as grpc.ServiceError;
          if (!isTransient(err)) {
            log.warn({ code: e.code, details: e.details }, 'lease lost; aborting the job');
            ac.abort(new JobAbortedError('lease-lost', e.details));
            break;
          }
          // Unreachable coordinator (restarting, network): keep working. The lease may well
          // survive (a restarted coordinator renews every lease), and if it was given to
          // another worker meanwhile, fencing refuses this result at completion.
          if (Date.now() > leaseDeadline && !overdueLogged) {
            overdueLogged = true;
            log.warn('no heartbeat got through before the lease deadline; continuing, the result may be refused');
          }
          log.warn({ code: e.code }, 'heartbeat failed; retrying');
        }
      }
    })();

    const ctx: StageContext<Store> = {
      store: this.o.store,
      artifactPrefix: job.artifactPrefix,
      artifact: { prefix: job.stagePrefix, attempt: job.attemptId },
      checkpointEvery: job.checkpointEvery,
      device,
      progress: (p) => {
        progress = p;
        if (p.message) note(p.message);
      },
      checkpoint: (ref) => {
        checkpoint = ref;
        note(`checkpoint ${ref}`);
        const seq = ++checkpointSeq;
        return new Promise<void>((recorded) => unacked.push({ seq, recorded }));
      },
      signal: ac.signal,
      log,
    };
    // The wire job carries spec and config as decoded JSON; the executor registered for the kind types them.
    const stageJob = job as unknown as StageJob;
    log.info({ resumeFrom: job.resumeFrom, inputs: Object.keys(job.inputs) }, 'job started');
    const started = Date.now();
    let outcome: JobReport['outcome'];
    try {
      if (!executor) throw new Error(`no executor for stage kind ${job.kind} on this worker`);
      const { result } = await executor.run(stageJob as never, ctx);
      beating = false;
      outcome = await this.finish(log, () => this.o.client.completeJob({ ...ids, result_json: JSON.stringify(result) }), 'completed');
      log.info({ seconds: (Date.now() - started) / 1000, outcome }, 'job finished');
    } catch (err) {
      beating = false;
      const reason: unknown = ac.signal.aborted ? ac.signal.reason : undefined;
      const cause = reason instanceof JobAbortedError ? reason.abortCause : undefined;
      outcome = await this.handleFailure(log, err, cause, ids, checkpoint, logTail);
    } finally {
      beating = false;
      ac.abort(new JobAbortedError('finished', 'job finished'));
      await heartbeats;
      this.running.delete(ac);
    }
    return outcome;
  }

  private async handleFailure(
    log: Logger,
    err: unknown,
    cause: AbortCause | undefined,
    ids: { worker_id: string; stage_key: string; fencing_token: number },
    checkpoint: string | undefined,
    logTail: string[],
  ): Promise<JobReport['outcome']> {
    if (cause === 'drain') {
      log.info({ checkpoint }, 'giving the lease back (drain)');
      return this.finish(log, () => this.o.client.releaseJob({ ...ids, checkpoint: checkpoint ?? '' }), 'released');
    }
    if (cause === 'lease-lost') return 'lost';
    const reason = classifyError(err);
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error && err.stack ? err.stack.split('\n').slice(0, 8) : [];
    log.error({ err, reason }, 'job failed');
    return this.finish(log, () => this.o.client.failJob({ ...ids, reason, message, log_tail: [...logTail, ...stack] }), 'failed');
  }

  /** Send a final report, retrying while the coordinator is unreachable; a refusal means the lease was stale. */
  private async finish(log: Logger, send: () => Promise<unknown>, ok: JobReport['outcome']): Promise<JobReport['outcome']> {
    let delay = RETRY_INITIAL_MS;
    for (;;) {
      try {
        await send();
        return ok;
      } catch (err) {
        const e = err as grpc.ServiceError;
        if (!isTransient(err)) {
          log.warn({ code: e.code, details: e.details }, 'coordinator refused the result (stale lease); discarding it');
          return 'refused';
        }
        log.warn({ code: e.code, retryInMs: delay }, 'coordinator unreachable; retrying the report');
        await sleep(delay);
        // No slower than heartbeats: a restarted coordinator keeps the lease only that long.
        delay = Math.min(RETRY_MAX_MS, this.heartbeatMs, delay * 2);
      }
    }
  }
}
