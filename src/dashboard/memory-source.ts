/**
 * A `DashboardSource` over objects held in memory: used by the tests, the screenshots script
 * and embedded runs that build their view model themselves. Mutations notify subscribers,
 * which is what drives the live updates.
 */
import type { DashboardSource } from './source.ts';
import {
  RUN_STATUSES,
  type ClusterStats,
  type DashboardEvent,
  type RunStatus,
  type SweepId,
  type SweepSummary,
  type SweepView,
  type TrialDetail,
  type TrialId,
} from './view-model.ts';

export interface MemorySweep {
  sweep: Omit<SweepView, 'trialCounts' | 'bestVoc07' | 'trials'>;
  trials: TrialDetail[];
}

/** Counts per status and the best VOC07 mAP, derived so they can never disagree with the trials. */
export function summarize(s: MemorySweep): SweepSummary {
  const counts = Object.fromEntries(RUN_STATUSES.map((st) => [st, 0])) as Record<RunStatus, number>;
  let best: number | undefined;
  for (const t of s.trials) {
    counts[t.status] += 1;
    if (t.map.voc07 !== undefined && (best === undefined || t.map.voc07 > best)) best = t.map.voc07;
  }
  return { ...s.sweep, trialCounts: counts, bestVoc07: best };
}

export class MemorySource implements DashboardSource {
  private readonly data = new Map<SweepId, MemorySweep>();
  private readonly listeners = new Set<(e: DashboardEvent) => void>();
  private cluster: ClusterStats = { jobsByState: {}, pendingGpuJobs: 0, runningGpuJobs: 0, workers: 0 };
  isReady = true;

  constructor(sweeps: MemorySweep[] = []) {
    for (const s of sweeps) this.data.set(s.sweep.id, s);
  }

  async sweeps(): Promise<readonly SweepSummary[]> {
    return [...this.data.values()].map(summarize).sort((a, b) => b.createdAt - a.createdAt);
  }

  async sweep(id: SweepId): Promise<SweepView | undefined> {
    const s = this.data.get(id);
    if (!s) return undefined;
    // The sweep page lists trial summaries; the heavy per-trial parts stay on the trial page.
    const trials = s.trials.map(({ config: _c, classAp: _a, prCurves: _p, losses: _l, attempts: _j, timing: _t, ...summary }) => summary);
    return { ...summarize(s), trials };
  }

  async trial(sweepId: SweepId, id: TrialId): Promise<TrialDetail | undefined> {
    return this.data.get(sweepId)?.trials.find((t) => t.id === id);
  }

  async stats(): Promise<ClusterStats> {
    return this.cluster;
  }

  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async cancelSweep(id: SweepId): Promise<boolean> {
    const s = this.data.get(id);
    if (!s) return false;
    for (const t of s.trials) if (t.status === 'pending' || t.status === 'running') t.status = 'cancelled';
    s.sweep = { ...s.sweep, status: 'cancelled' };
    this.emit({ type: 'sweep', sweepId: id });
    return true;
  }

  async ready(): Promise<boolean> {
    return this.isReady;
  }

  /** Adds or replaces a sweep and tells subscribers. */
  putSweep(s: MemorySweep): void {
    this.data.set(s.sweep.id, s);
    this.emit({ type: 'sweep', sweepId: s.sweep.id });
  }

  /** Adds or replaces one trial of a known sweep and tells subscribers. */
  putTrial(sweepId: SweepId, trial: TrialDetail): void {
    const s = this.data.get(sweepId);
    if (!s) throw new Error(`unknown sweep ${sweepId}`);
    const i = s.trials.findIndex((t) => t.id === trial.id);
    if (i >= 0) s.trials[i] = trial;
    else s.trials.push(trial);
    this.emit({ type: 'trial', sweepId, trialId: trial.id });
  }

  setSweepStatus(sweepId: SweepId, status: RunStatus): void {
    const s = this.data.get(sweepId);
    if (!s) throw new Error(`unknown sweep ${sweepId}`);
    s.sweep = { ...s.sweep, status };
    this.emit({ type: 'sweep', sweepId });
  }

  setCluster(stats: ClusterStats): void {
    this.cluster = stats;
    this.emit({ type: 'cluster' });
  }

  private emit(e: DashboardEvent): void {
    for (const l of this.listeners) l(e);
  }
}
