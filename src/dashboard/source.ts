/**
 * What the dashboard needs from the coordinator, as an interface: the HTTP server is tested
 * against an in-memory source (./memory-source.ts) and runs against the real coordinator
 * through an adapter. Read methods return `undefined` for unknown ids (the server answers 404).
 */
import type {
  ClusterStats,
  DashboardEvent,
  SweepId,
  SweepSummary,
  SweepView,
  TrialDetail,
  TrialId,
} from './view-model.ts';

export interface DashboardSource {
  sweeps(): Promise<readonly SweepSummary[]>;
  sweep(id: SweepId): Promise<SweepView | undefined>;
  trial(sweepId: SweepId, trialId: TrialId): Promise<TrialDetail | undefined>;
  stats(): Promise<ClusterStats>;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (event: DashboardEvent) => void): () => void;
  /** Cancels a sweep's pending and running work; false when the sweep is unknown. */
  cancelSweep(id: SweepId): Promise<boolean>;
  /** False while the coordinator cannot serve (state store not loaded, NATS down): `/readyz` answers 503. */
  ready(): Promise<boolean>;
}
