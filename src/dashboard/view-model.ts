/**
 * The dashboard's view model: what the pages, the JSON API and the live updates show, in
 * plain data. The dashboard knows the coordinator only through `DashboardSource`
 * (./source.ts), which produces these objects; rendering is pure functions of them.
 *
 * Times are epoch milliseconds; metrics are fractions in [0, 1] (pages print percentages,
 * as the paper's tables do); durations are milliseconds.
 */

// Ids are the pipeline's branded ids, so values pass between coordinator and dashboard as they are.
import { asJobId, asSweepId, asTrialId, asWorkerId, type JobId, type SweepId, type TrialId, type WorkerId } from '../pipeline/ids.ts';

export type { JobId, SweepId, TrialId, WorkerId };
export const sweepId = asSweepId;
export const trialId = asTrialId;
export const jobId = asJobId;
export const workerId = asWorkerId;

/** Life cycle of a sweep, a trial or a job. */
export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** A value a trial takes on one sweep axis (scalars, or lists such as anchor scales [8,16,32]). */
export type AxisValue = string | number | boolean | null | readonly AxisValue[];

/** One sweep axis: a config path (e.g. `rpn.lossLambda`) and the settings swept over it. */
export interface AxisView {
  /** Config path, e.g. `anchors.scales`. */
  name: string;
  /** Human label, e.g. "anchor scales"; defaults to the name. */
  label?: string;
  values: readonly AxisValue[];
}

/** Mean average precision of one trial under each protocol (absent until evaluated). */
export interface MapScores {
  /** VOC2007 11-point mAP. */
  voc07?: number;
  /** VOC2010+ all-point mAP. */
  voc2010?: number;
  /** COCO AP@[.5:.95]. */
  coco?: number;
}
export type MetricKey = keyof MapScores;
export const METRICS: readonly { key: MetricKey; label: string }[] = [
  { key: 'voc07', label: 'mAP VOC07 (%)' },
  { key: 'voc2010', label: 'mAP VOC2010 (%)' },
  { key: 'coco', label: 'AP COCO (%)' },
];

export interface TrialSummary {
  id: TrialId;
  sweepId: SweepId;
  status: RunStatus;
  /** The trial's setting on each of the sweep's axes, keyed by axis name. */
  axes: Readonly<Record<string, AxisValue>>;
  /** Repeat index (0-based) among trials with the same axis settings; its seed. */
  repeat: number;
  seed?: number;
  map: MapScores;
  /** Fraction of the trial's stage work done, in [0, 1]. */
  progress?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Why it failed (worker lost, out of memory, NaN loss, bad input...). */
  error?: string;
}

export interface SweepSummary {
  id: SweepId;
  name: string;
  status: RunStatus;
  createdAt: number;
  finishedAt?: number;
  /** Dataset and training mode, e.g. "VOC07 trainval → test", "alternating, VGG16". */
  dataset?: string;
  mode?: string;
  axes: readonly AxisView[];
  trialCounts: Readonly<Record<RunStatus, number>>;
  /** Best trial's VOC07 mAP so far. */
  bestVoc07?: number;
}

export interface SweepView extends SweepSummary {
  trials: readonly TrialSummary[];
}

/** Stages of the alternating-training DAG and its alternatives (DESIGN.md, "Training modes"). */
export type StageKind =
  | 'train_rpn'
  | 'generate_proposals'
  | 'train_fast_rcnn'
  | 'assemble'
  | 'train_joint'
  | 'detect'
  | 'evaluate';

/** How an attempt at a job ended; `lost` = the worker stopped heartbeating and the lease expired. */
export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'lost' | 'cancelled';

/** One attempt at one stage job on one worker: a bar of the stage timeline and a row of the attempts table. */
export interface JobAttemptView {
  jobId: JobId;
  stage: StageKind | string;
  /** Step of the DAG (1..7 for alternating training), for labels such as "4 train_rpn". */
  step?: number;
  /** 1-based; attempts after the first are retries. */
  attempt: number;
  workerId: WorkerId;
  startedAt: number;
  /** Absent while running. */
  endedAt?: number;
  outcome: AttemptOutcome;
  reason?: string;
}

/** Per-class AP of one trial, under the protocols that were computed. */
export interface ClassApView {
  className: string;
  voc07?: number;
  voc2010?: number;
}

export interface CurvePoint {
  x: number;
  y: number;
}

/** Precision (y) against recall (x) for one class. */
export interface PrCurveView {
  className: string;
  points: readonly CurvePoint[];
}

/** Training losses of one stage: one series per loss term, y against iteration x. */
export interface StageLossView {
  stage: string;
  step?: number;
  series: readonly { name: string; points: readonly CurvePoint[] }[];
}

/** Table 5 of the paper: per-image test time of each part of the detector, in ms. */
export interface TimingBreakdown {
  /** e.g. "K40 GPU, VGG16" or "2-core CPU, wasm". */
  device: string;
  convMs: number;
  proposalMs: number;
  regionWiseMs: number;
}

export interface TrialDetail extends TrialSummary {
  /** Resolved config and provenance (code version, dataset digest, backend): what reproduces it. */
  config?: Readonly<Record<string, unknown>>;
  classAp: readonly ClassApView[];
  prCurves: readonly PrCurveView[];
  losses: readonly StageLossView[];
  attempts: readonly JobAttemptView[];
  timing?: TimingBreakdown;
}

/** Gauges the coordinator reports at scrape time (the counters and histograms are pushed, see metrics.ts). */
export interface ClusterStats {
  jobsByState: Readonly<Partial<Record<RunStatus, number>>>;
  /** Jobs that need a GPU, have their inputs ready, and wait for a trainer. */
  pendingGpuJobs: number;
  /** Jobs that hold a GPU trainer now. Pending + running is the number of trainers wanted. */
  runningGpuJobs: number;
  workers: number;
}

/** What changed; pages re-fetch the part they show. */
export type DashboardEvent =
  | { type: 'sweep'; sweepId: SweepId }
  | { type: 'trial'; sweepId: SweepId; trialId: TrialId }
  | { type: 'cluster' };
