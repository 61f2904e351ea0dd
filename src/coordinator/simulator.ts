/**
 * A simulated cluster driven by the real coordinator state machine on a simulated clock, for
 * the scheduler benchmark (bench/scheduler.bench.ts) and its regression test. GPU trainers and
 * CPU evaluators lease stages; a stage's duration is its cost estimate times a log-normal
 * factor the scheduler does not know; training stages checkpoint every `checkpointFraction` of
 * their work; with failures, GPU workers crash at exponential intervals (mean `mtbfHours`),
 * stay down `downSeconds`, and their stages resume elsewhere from the last checkpoint once the
 * lease expires.
 *
 * Reported: the makespan, and the lower bound max(critical path, trainer work / GPUs) computed
 * with the actual durations over the de-duplicated stage graph.
 */
import { CoordinatorCore, type LeasedJob } from './core.ts';
import { ManualClock } from './clock.ts';
import type { WorkerResources } from './types.ts';
import { asSweepId, asWorkerId, type StageKey, type WorkerId } from '../pipeline/ids.ts';
import { TRAINER_KINDS, EVALUATOR_KINDS } from '../pipeline/stage-kind.ts';
import { expandSweep, type SweepSpec } from '../pipeline/sweep-spec.ts';
import { Rng } from '../util/rng.ts';

export interface SimulationOptions {
  spec: SweepSpec;
  /** Run with stage keys made distinct per trial (the no-dedupe baseline). @default true */
  dedupe?: boolean;
  failures?: boolean;
  /** @default 1 */
  seed?: number;
  /** @default 16 */
  gpus?: number;
  /** @default 2 */
  evaluators?: number;
  /** Mean time between failures of one GPU worker, hours. @default 20 */
  mtbfHours?: number;
  /** @default 600 */
  downSeconds?: number;
  /** @default 60000 */
  leaseTtlMs?: number;
  /** @default 20000 */
  heartbeatMs?: number;
  /** σ of the log-normal duration factor. @default 0.3 */
  sigma?: number;
  /** @default 0.05 */
  checkpointFraction?: number;
}

export const DEFAULT_SIMULATION = {
  dedupe: true,
  failures: false,
  seed: 1,
  gpus: 16,
  evaluators: 2,
  mtbfHours: 20,
  downSeconds: 600,
  leaseTtlMs: 60_000,
  heartbeatMs: 20_000,
  sigma: 0.3,
  checkpointFraction: 0.05,
};

interface Running {
  job: LeasedJob;
  worker: WorkerId;
  start: number;
  /** Work (seconds) still to do when this attempt started. */
  from: number;
  end: number;
  epoch: number;
}

type Ev = { t: number; kind: 'finish' | 'crash' | 'recover' | 'heartbeat' | 'wake'; worker?: WorkerId; epoch?: number };

class Heap {
  private a: Ev[] = [];
  push(e: Ev) {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].t <= a[i].t) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Ev | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].t < a[m].t) m = l;
        if (r < a.length && a[r].t < a[m].t) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  get size() {
    return this.a.length;
  }
}

export interface Outcome {
  makespan: number;
  lowerBound: number;
  criticalPath: number;
  trainerWork: number;
  stagesRun: number;
  crashes: number;
  lostWork: number;
  requestedWork: number;
  uniqueWork: number;
  succeeded: number;
}

export function simulateCluster(o: SimulationOptions): Outcome {
  const opts = { ...DEFAULT_SIMULATION, ...o };
  const { SEED, GPUS, EVALUATORS, MTBF_HOURS, DOWN_S, LEASE_TTL_MS, HEARTBEAT_MS, SIGMA, CHECKPOINT_FRACTION } = {
    SEED: opts.seed,
    GPUS: opts.gpus,
    EVALUATORS: opts.evaluators,
    MTBF_HOURS: opts.mtbfHours,
    DOWN_S: opts.downSeconds,
    LEASE_TTL_MS: opts.leaseTtlMs,
    HEARTBEAT_MS: opts.heartbeatMs,
    SIGMA: opts.sigma,
    CHECKPOINT_FRACTION: opts.checkpointFraction,
  };
  const rng = new Rng(SEED);
  const failRng = new Rng(SEED + 1000);
  const clock = new ManualClock(0);
  const core = new CoordinatorCore(clock, { leaseTtlMs: LEASE_TTL_MS, initialBackoffMs: 5_000, infraRetries: 50 });
  const spec = opts.spec;
  let trials = expandSweep(spec);
  // Without de-duplication: a per-trial dataset digest makes every stage key distinct.
  if (!opts.dedupe) trials = trials.map((t) => ({ ...t, config: { ...t.config, dataset: { ...t.config.dataset, digest: `trial-${t.index}` } } }));
  core.submitSweep({ sweepId: asSweepId('sw-bench'), spec, trials, source: 'bench' });
  core.takeChanges();

  // Actual durations, fixed per stage key (the scheduler sees only the estimates).
  const actual = new Map<StageKey, number>();
  const durationOf = (key: StageKey): number => {
    let d = actual.get(key);
    if (d === undefined) {
      d = core.getStage(key)!.cost * Math.exp(SIGMA * rng.normal() - (SIGMA * SIGMA) / 2);
      actual.set(key, d);
    }
    return d;
  };
  let requestedWork = 0;
  for (const t of core.allTrials()) for (const s of t.stages) requestedWork += durationOf(s.key);
  let uniqueWork = 0;
  let trainerWork = 0;
  for (const st of core.allStages()) {
    uniqueWork += durationOf(st.key);
    if (st.kind !== 'evaluate') trainerWork += durationOf(st.key);
  }
  // Critical path with the actual durations.
  const finish = new Map<StageKey, number>();
  const pathTo = (key: StageKey): number => {
    let f = finish.get(key);
    if (f === undefined) {
      const st = core.getStage(key)!;
      f = durationOf(key) + Math.max(0, ...Object.values(st.inputs).map(pathTo));
      finish.set(key, f);
    }
    return f;
  };
  let criticalPath = 0;
  for (const st of core.allStages()) criticalPath = Math.max(criticalPath, pathTo(st.key));

  const gpu: WorkerResources = { gpus: 1, gpuModel: 'sim-gpu', gpuMemoryMb: 16000, cpuCores: 8, memoryMb: 65536, cpuFallback: false };
  const cpu: WorkerResources = { ...gpu, gpus: 0, gpuModel: '' };
  const workers: WorkerId[] = [];
  const up = new Map<WorkerId, boolean>();
  const epochOf = new Map<WorkerId, number>();
  const register = (id: WorkerId, isGpu: boolean) => {
    core.registerWorker({ id, resources: isGpu ? gpu : cpu, kinds: isGpu ? [...TRAINER_KINDS] : [...EVALUATOR_KINDS] });
    up.set(id, true);
  };
  for (let i = 0; i < GPUS; i++) workers.push(asWorkerId(`gpu-${i}`));
  for (let i = 0; i < EVALUATORS; i++) workers.push(asWorkerId(`eval-${i}`));
  workers.forEach((w, i) => register(w, i < GPUS));

  const events = new Heap();
  const running = new Map<WorkerId, Running>();
  /** Work done (seconds) at the last checkpoint of each stage. */
  const checkpointed = new Map<StageKey, number>();
  const mtbfMs = MTBF_HOURS * 3600_000;
  if (opts.failures) for (let i = 0; i < GPUS; i++) events.push({ t: -Math.log(1 - failRng.next()) * mtbfMs, kind: 'crash', worker: workers[i] });
  events.push({ t: HEARTBEAT_MS, kind: 'heartbeat' });

  let crashes = 0;
  let lostWork = 0;
  let stagesRun = 0;
  const dispatch = () => {
    for (const w of workers) {
      if (!up.get(w) || running.has(w)) continue;
      const job = core.lease(w);
      if (!job) continue;
      stagesRun++;
      const total = durationOf(job.stageKey);
      const resumed = job.resumeFrom ? Number(job.resumeFrom.slice('ckpt@'.length)) : 0;
      const from = total - resumed;
      const epoch = (epochOf.get(w) ?? 0) + 1;
      epochOf.set(w, epoch);
      const now = clock.now();
      running.set(w, { job, worker: w, start: now, from, end: now + from * 1000, epoch });
      events.push({ t: now + from * 1000, kind: 'finish', worker: w, epoch });
    }
    const retry = core.nextRetryAt();
    if (retry !== undefined) events.push({ t: retry, kind: 'wake' });
  };

  dispatch();
  let last = 0;
  while (events.size > 0) {
    const e = events.pop()!;
    clock.set(Math.max(clock.now(), e.t));
    if (e.kind === 'finish') {
      const r = running.get(e.worker!);
      if (!r || r.epoch !== e.epoch) continue;
      running.delete(e.worker!);
      core.complete(r.job.stageKey, r.job.attempt, {});
      last = clock.now();
    } else if (e.kind === 'crash') {
      const w = e.worker!;
      crashes++;
      up.set(w, false);
      const r = running.get(w);
      if (r) {
        // Work since the last checkpoint is lost; the lease runs out and another worker resumes.
        const total = durationOf(r.job.stageKey);
        const done = total - r.from + (clock.now() - r.start) / 1000;
        const training = r.job.kind.startsWith('train_');
        const step = total * CHECKPOINT_FRACTION;
        const ck = training ? Math.floor(done / step) * step : 0;
        lostWork += done - ck;
        if (training && ck > (checkpointed.get(r.job.stageKey) ?? 0)) checkpointed.set(r.job.stageKey, ck);
        running.delete(w);
      }
      events.push({ t: clock.now() + DOWN_S * 1000, kind: 'recover', worker: w });
    } else if (e.kind === 'recover') {
      register(e.worker!, true);
      if (core.getSweep(asSweepId('sw-bench')).status === 'running') {
        events.push({ t: clock.now() - Math.log(1 - failRng.next()) * mtbfMs, kind: 'crash', worker: e.worker });
      }
    } else if (e.kind === 'heartbeat') {
      for (const r of running.values()) {
        const ck = checkpointed.get(r.job.stageKey);
        // Report checkpoints written so far (the sim writes them every 5 % of the work).
        const total = durationOf(r.job.stageKey);
        const done = total - r.from + (clock.now() - r.start) / 1000;
        const step = total * CHECKPOINT_FRACTION;
        const now = r.job.kind.startsWith('train_') ? Math.floor(done / step) * step : 0;
        if (now > (ck ?? 0)) checkpointed.set(r.job.stageKey, now);
        const best = checkpointed.get(r.job.stageKey);
        core.heartbeat(r.job.stageKey, r.job.attempt, best ? { checkpoint: `ckpt@${best}` } : {});
      }
      core.tick();
      for (const w of workers) if (up.get(w)) core.registerWorker({ id: w, resources: w.startsWith('gpu') ? gpu : cpu, kinds: w.startsWith('gpu') ? [...TRAINER_KINDS] : [...EVALUATOR_KINDS] });
      if (core.getSweep(asSweepId('sw-bench')).status === 'running') events.push({ t: clock.now() + HEARTBEAT_MS, kind: 'heartbeat' });
    }
    core.takeChanges();
    dispatch();
    if (core.getSweep(asSweepId('sw-bench')).status !== 'running') break;
  }
  const sweep = core.getSweep(asSweepId('sw-bench'));
  const makespan = last / 1000;
  const lowerBound = Math.max(criticalPath, trainerWork / GPUS);
  return {
    makespan,
    lowerBound,
    criticalPath,
    trainerWork,
    stagesRun,
    crashes,
    lostWork,
    requestedWork,
    uniqueWork,
    succeeded: core.counts(sweep).succeeded,
  };
}

