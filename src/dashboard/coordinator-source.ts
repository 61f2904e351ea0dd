/**
 * The dashboard's view of a running `Coordinator` (src/coordinator): records to view model,
 * coordinator events to page updates, and coordinator events to the Prometheus counters
 * (lease expiries, retries by failure class, stage durations).
 *
 * Metrics of a trial come from its evaluate stage's result, in any of the shapes the
 * evaluator produces: a report (`{kind: 'voc', mAP07, mAP, classes, curves}`,
 * `{kind: 'coco', stats}`), reports keyed by protocol (`{voc: …, coco: …}`), or flat numbers
 * (`{mAP07, mAP, cocoAP}`). The Table 5 timing comes from a `timing` object
 * (`{convMs, proposalMs, regionWiseMs, device}`) in the result of the trial's detect stage(s).
 */
import type { Coordinator, SweepDetail, SweepSummary as CoordinatorSweep } from '../coordinator/index.ts';
import type { AttemptRecord, CoordinatorEvent, StageRecord, TrialRecord } from '../coordinator/types.ts';
import type { Json, JsonObject } from '../pipeline/executor.ts';
import type { SweepSpec } from '../pipeline/sweep-spec.ts';
import type { CoordinatorMetrics } from './metrics.ts';
import type { DashboardSource } from './source.ts';
import {
  jobId,
  sweepId,
  trialId,
  workerId,
  type AttemptOutcome,
  type AxisValue,
  type AxisView,
  type ClassApView,
  type ClusterStats,
  type DashboardEvent,
  type MapScores,
  type PrCurveView,
  type RunStatus,
  type StageLossView,
  type SweepSummary,
  type SweepView,
  type TimingBreakdown,
  type TrialDetail,
  type TrialSummary,
} from './view-model.ts';

/** Longest reuse of a coordinator snapshot without an event (ms). */
const SNAPSHOT_REUSE_MS = 1_000;

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: Json | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The sweep's axes: each field of a grid axis, and each field set by the points of a list axis. */
export function axesOf(spec: SweepSpec): AxisView[] {
  const out: AxisView[] = [];
  for (const axis of spec.axes) {
    if (axis.type === 'grid') {
      for (const [name, values] of Object.entries(axis.fields)) out.push({ name, values: values as AxisValue[] });
    } else {
      const fields = new Map<string, AxisValue[]>();
      for (const point of axis.points) {
        for (const [name, v] of Object.entries(point)) {
          const values = fields.get(name) ?? [];
          if (!values.some((x) => JSON.stringify(x) === JSON.stringify(v))) values.push(v as AxisValue);
          fields.set(name, values);
        }
      }
      for (const [name, values] of fields) out.push({ name, values });
    }
  }
  return out;
}

const TRIAL_STATUS: Record<TrialRecord['status'], RunStatus> = { queued: 'pending', running: 'running', succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled' };

/** mAP under each protocol from an evaluate result (see the module comment for the shapes). */
export function scoresOf(metrics: JsonObject | undefined): MapScores {
  if (!metrics) return {};
  const voc = isObject(metrics.voc) ? metrics.voc : metrics.kind === 'voc' || metrics.kind === undefined ? metrics : undefined;
  const coco = isObject(metrics.coco) ? metrics.coco : metrics.kind === 'coco' ? metrics : undefined;
  const stats = coco && Array.isArray(coco.stats) ? num(coco.stats[0]) : undefined;
  return {
    voc07: num(voc?.mAP07) ?? num(metrics.voc07),
    voc2010: num(voc?.mAP) ?? num(metrics.voc2010),
    coco: stats ?? num(metrics.cocoAP) ?? (typeof metrics.coco === 'number' ? metrics.coco : undefined),
  };
}

function classesOf(metrics: JsonObject | undefined): { classAp: ClassApView[]; prCurves: PrCurveView[] } {
  const voc = !metrics ? undefined : isObject(metrics.voc) ? metrics.voc : metrics;
  const classes = voc && Array.isArray(voc.classes) ? voc.classes.filter(isObject) : [];
  const classAp = classes.map((c) => ({ className: String(c.name), voc07: num(c.ap07), voc2010: num(c.ap) }));
  const curves = voc && Array.isArray(voc.curves) ? voc.curves.filter(isObject) : [];
  const prCurves = curves.map((c) => {
    const xs = Array.isArray(c.x) ? c.x : [];
    const ys = Array.isArray(c.y) ? c.y : [];
    const points: { x: number; y: number }[] = [];
    // null marks recall the detector never reached: the curve ends there.
    xs.forEach((x, i) => {
      const y = num(ys[i]);
      if (num(x) !== undefined && y !== undefined) points.push({ x: x as number, y });
    });
    return { className: String(c.name), points };
  });
  return { classAp, prCurves };
}

/** Step of the alternating-training recipe (1..7) a stage is, when it is one. */
function altOptStep(stage: StageRecord): number | undefined {
  const s = stage.spec;
  switch (s.kind) {
    case 'train_rpn':
      return s.step === 1 ? 1 : 4;
    case 'generate_proposals':
    case 'merge_proposals':
      return 'step' in s ? (s.step === 1 ? 2 : 5) : undefined;
    case 'train_fast_rcnn':
      return s.step === 1 ? 3 : 6;
    case 'assemble':
      return 7;
    default:
      return undefined;
  }
}

function outcomeOf(a: AttemptRecord): AttemptOutcome {
  switch (a.outcome) {
    case undefined:
      return 'running';
    case 'committed':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'lost':
      return 'lost';
    // Handed back on a drain, or taken away when the stage was no longer needed.
    case 'released':
    case 'revoked':
      return 'cancelled';
  }
}

function timingOf(stages: readonly StageRecord[]): TimingBreakdown | undefined {
  for (const s of stages) {
    const t = s.result?.timing;
    if (s.kind === 'detect' && isObject(t)) {
      const conv = num(t.convMs);
      const proposal = num(t.proposalMs);
      const region = num(t.regionWiseMs);
      if (conv !== undefined && proposal !== undefined && region !== undefined) {
        return { device: typeof t.device === 'string' ? t.device : 'unknown device', convMs: conv, proposalMs: proposal, regionWiseMs: region };
      }
    }
  }
  return undefined;
}

function trialSummary(t: TrialRecord, stages: ReadonlyMap<string, StageRecord>): TrialSummary {
  const own = t.stages.map((s) => stages.get(s.key)).filter((s): s is StageRecord => s !== undefined);
  const committed = own.filter((s) => s.status === 'committed').length;
  return {
    id: trialId(t.id),
    sweepId: sweepId(t.sweepId),
    status: TRIAL_STATUS[t.status],
    axes: t.assignments as Record<string, AxisValue>,
    repeat: t.repeat,
    seed: t.seed,
    map: scoresOf(t.metrics),
    progress: own.length ? committed / own.length : undefined,
    startedAt: t.startedAt,
    finishedAt: t.endedAt,
    error: t.error ? `${t.error.name}: ${t.error.reason}: ${t.error.message}` : undefined,
  };
}

function sweepSummary(s: CoordinatorSweep, trials: readonly TrialSummary[]): SweepSummary {
  const counts: Record<RunStatus, number> = { pending: s.counts.queued, running: s.counts.running, succeeded: s.counts.succeeded, failed: s.counts.failed, cancelled: s.counts.cancelled };
  const best = trials.reduce<number | undefined>((b, t) => (t.map.voc07 !== undefined && (b === undefined || t.map.voc07 > b) ? t.map.voc07 : b), undefined);
  const base = s.spec.base as JsonObject;
  const dataset = isObject(base.dataset) && typeof base.dataset.name === 'string' ? base.dataset.name : undefined;
  const backbone = isObject(base.backbone) && typeof base.backbone.name === 'string' ? base.backbone.name : undefined;
  const mode = typeof base.mode === 'string' ? base.mode : undefined;
  return {
    id: sweepId(s.id),
    name: s.name,
    status: s.status,
    createdAt: s.submittedAt,
    finishedAt: s.endedAt,
    dataset,
    mode: [mode, backbone].filter(Boolean).join(', ') || undefined,
    axes: axesOf(s.spec),
    trialCounts: counts,
    bestVoc07: best,
  };
}

function trialDetail(t: TrialRecord, detail: SweepDetail): TrialDetail {
  const stages = new Map(detail.stages.map((s) => [s.key as string, s]));
  const own = t.stages.map((s) => stages.get(s.key)).filter((s): s is StageRecord => s !== undefined);
  const losses: StageLossView[] = own
    .filter((s) => s.lossHistory.length > 0)
    .map((s) => {
      const names = [...new Set(s.lossHistory.flatMap((p) => Object.keys(p.losses)))];
      return {
        stage: s.name,
        step: altOptStep(s),
        series: names.map((name) => ({
          name,
          points: s.lossHistory.filter((p) => num(p.losses[name]) !== undefined).map((p) => ({ x: p.step, y: p.losses[name] })),
        })),
      };
    });
  const attempts = own.flatMap((s) =>
    s.attempts.map((a) => ({
      jobId: jobId(a.jobId),
      stage: s.name,
      step: altOptStep(s),
      attempt: a.attempt,
      workerId: workerId(a.workerId),
      startedAt: a.startedAt,
      endedAt: a.endedAt,
      outcome: outcomeOf(a),
      reason: a.reason ? `${a.reason}${a.message ? `: ${a.message}` : ''}` : a.outcome === 'released' ? 'released by the worker (drain)' : undefined,
    })),
  );
  return {
    ...trialSummary(t, stages),
    config: { ...(t.config as object), seed: t.seed, label: t.label },
    ...classesOf(t.metrics),
    losses,
    attempts,
    timing: timingOf(own),
  };
}

/** Pushes the coordinator's events into the Prometheus counters; returns the unsubscribe function. */
export function recordCoordinatorMetrics(coordinator: Coordinator, metrics: CoordinatorMetrics): () => void {
  const started = new Map<string, number>();
  return coordinator.subscribe((e: CoordinatorEvent) => {
    if (e.type === 'job.started') started.set(e.jobId, e.at);
    if (e.type === 'job.done' || e.type === 'job.failed' || e.type === 'job.released') {
      const t0 = started.get(e.jobId);
      started.delete(e.jobId);
      if (e.type === 'job.done' && t0 !== undefined) metrics.stageDuration.observe({ stage: e.kind }, (e.at - t0) / 1000);
    }
    if (e.type === 'job.failed') {
      if (e.reason === 'worker-lost') metrics.leaseExpiries.inc();
      if (e.retryAt !== undefined) metrics.jobRetries.inc({ kind: e.failureClass });
    }
  });
}

/** Adapts a `Coordinator` to the dashboard. */
export function coordinatorSource(coordinator: Coordinator): DashboardSource {
  // snapshot() deep-copies the whole state: pages and scrapes share one until an event says
  // it changed, or a second passes (registering a worker raises no event).
  let cached: { snap: ReturnType<Coordinator['snapshot']>; at: number } | undefined;
  coordinator.subscribe(() => {
    cached = undefined;
  });
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > SNAPSHOT_REUSE_MS) cached = { snap: coordinator.snapshot(), at: Date.now() };
    return cached.snap;
  };
  const detail = (id: string): SweepDetail | undefined => {
    try {
      return coordinator.sweepDetail(sweepId(id));
    } catch (err) {
      if (err instanceof Error && err.name === 'NotFoundError') return undefined;
      throw err;
    }
  };
  return {
    async sweeps() {
      const snap = snapshot();
      const stages = new Map(snap.stages.map((s) => [s.key as string, s]));
      return snap.sweeps.map((s) => sweepSummary(s, snap.trials.filter((t) => t.sweepId === s.id).map((t) => trialSummary(t, stages)))).sort((a, b) => b.createdAt - a.createdAt);
    },
    async sweep(id): Promise<SweepView | undefined> {
      const d = detail(id);
      if (!d) return undefined;
      const stages = new Map(d.stages.map((s) => [s.key as string, s]));
      const trials = d.trials.map((t) => trialSummary(t, stages));
      return { ...sweepSummary(d.sweep, trials), trials };
    },
    async trial(sid, tid) {
      const d = detail(sid);
      const t = d?.trials.find((x) => x.id === tid);
      return d && t ? trialDetail(t, d) : undefined;
    },
    async stats(): Promise<ClusterStats> {
      const snap = snapshot();
      // Only stages some queued or running trial still needs are scheduled (and worth a trainer).
      const wanted = new Set(snap.trials.filter((t) => t.status === 'queued' || t.status === 'running').flatMap((t) => t.stages.map((s) => s.key as string)));
      const jobsByState: Partial<Record<RunStatus, number>> = {};
      let pendingGpuJobs = 0;
      let runningGpuJobs = 0;
      const status = new Map(snap.stages.map((s) => [s.key as string, s.status]));
      for (const s of snap.stages) {
        const state: RunStatus = s.status === 'committed' ? 'succeeded' : s.status;
        jobsByState[state] = (jobsByState[state] ?? 0) + 1;
        // A stage still waiting for its inputs would leave a new trainer idle: count ready ones.
        const ready = Object.values(s.inputs).every((k) => status.get(k) === 'committed');
        if (s.resources.gpu && s.status === 'pending' && ready && wanted.has(s.key)) pendingGpuJobs += 1;
        if (s.resources.gpu && s.status === 'running') runningGpuJobs += 1;
      }
      return { jobsByState, pendingGpuJobs, runningGpuJobs, workers: snap.workers.length };
    },
    subscribe(listener) {
      return coordinator.subscribe((e: CoordinatorEvent) => {
        for (const s of e.sweepIds) {
          const event: DashboardEvent = 'trialId' in e ? { type: 'trial', sweepId: sweepId(s), trialId: trialId(e.trialId) } : { type: 'sweep', sweepId: sweepId(s) };
          listener(event);
        }
        if (e.type.startsWith('job.')) listener({ type: 'cluster' });
      });
    },
    async cancelSweep(id) {
      try {
        await coordinator.cancelSweep(sweepId(id), 'cancelled from the dashboard');
        return true;
      } catch (err) {
        if (err instanceof Error && err.name === 'NotFoundError') return false;
        throw err;
      }
    },
    // The source exists only once Coordinator.open has loaded the state: from then on the
    // coordinator serves (writes wait and retry while NATS restarts).
    async ready() {
      return true;
    },
  };
}
