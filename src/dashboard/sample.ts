/**
 * Deterministic sample sweeps for the screenshots script, the browser test and demos of the
 * dashboard without a cluster: a finished anchor-settings sweep shaped like the paper's
 * Table 8 (two seeds per setting) and a running λ sweep like Table 9. The numbers are
 * illustrative, drawn around the paper's; each trial's AP values are computed from its own
 * precision/recall curves, so the pages are self-consistent.
 */
import { Rng } from '../util/rng.ts';
import type { MemorySweep } from './memory-source.ts';
import {
  jobId,
  sweepId,
  trialId,
  workerId,
  type AxisValue,
  type ClassApView,
  type CurvePoint,
  type JobAttemptView,
  type PrCurveView,
  type RunStatus,
  type StageLossView,
  type TrialDetail,
} from './view-model.ts';

export const VOC_CLASSES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** VOC2007 11-point AP of a precision/recall curve (max precision at recall ≥ t, t = 0, 0.1, …, 1). */
export function ap11(points: readonly CurvePoint[]): number {
  let sum = 0;
  for (let i = 0; i <= 10; i++) {
    const t = i / 10;
    let p = 0;
    for (const q of points) if (q.x >= t - 1e-12 && q.y > p) p = q.y;
    sum += p;
  }
  return sum / 11;
}

/** All-point AP (VOC2010+) of a curve whose precision is already the monotone envelope. */
export function apArea(points: readonly CurvePoint[]): number {
  let prev = 0;
  let area = 0;
  for (const q of points) {
    area += (q.x - prev) * q.y;
    prev = q.x;
  }
  return area;
}

/** The VOC07 11-point AP of these curves runs above their area: aim this much off (calibrated on the sample). */
const TARGET_BIAS = 0.02;

/** A monotone precision/recall envelope whose all-point AP is close to `target`. */
function prCurve(rng: Rng, target: number): CurvePoint[] {
  const maxRecall = rng.uniform(0.86, 0.97);
  const a = rng.uniform(2.5, 4);
  // AP of p(r) = 1 − c (r/R)^a over [0, R] is R (1 − c / (a + 1)).
  // (c > 1 lets precision reach 0 before the last recall, for hard classes.)
  const c = Math.min(2, Math.max(0, (1 - target / maxRecall) * (a + 1)));
  const pts: CurvePoint[] = [];
  for (let i = 1; i <= 60; i++) {
    const r = (maxRecall * i) / 60;
    pts.push({ x: r, y: Math.max(0, 1 - c * (r / maxRecall) ** a) });
  }
  return pts;
}

function lossSeries(rng: Rng, names: readonly [string, number][], iterations: number): StageLossView['series'] {
  return names.map(([name, start]) => {
    const pts: CurvePoint[] = [];
    const floor = start * rng.uniform(0.18, 0.3);
    for (let it = 0; it <= iterations; it += iterations / 120) {
      const clean = floor + (start - floor) * Math.exp(-it / (iterations * 0.18));
      pts.push({ x: it, y: Math.max(0, clean * (1 + 0.12 * rng.normal())) });
    }
    return { name, points: pts };
  });
}

const STAGES: readonly { step: number; stage: string; hours: number; gpu: boolean }[] = [
  { step: 1, stage: 'train_rpn', hours: 2.2, gpu: true },
  { step: 2, stage: 'generate_proposals', hours: 0.4, gpu: true },
  { step: 3, stage: 'train_fast_rcnn', hours: 2.6, gpu: true },
  { step: 4, stage: 'train_rpn', hours: 1.7, gpu: true },
  { step: 5, stage: 'generate_proposals', hours: 0.4, gpu: true },
  { step: 6, stage: 'train_fast_rcnn', hours: 2.0, gpu: true },
  { step: 7, stage: 'assemble', hours: 0.05, gpu: false },
  { step: 8, stage: 'detect', hours: 0.5, gpu: true },
  { step: 9, stage: 'evaluate', hours: 0.08, gpu: false },
];

/** Builds one trial: curves, AP table, losses, attempts (with a lost worker on trial 1), timing. */
export function sampleTrial(opts: {
  sweep: string;
  id: string;
  axes: Record<string, AxisValue>;
  repeat: number;
  target: number;
  start: number;
  status: RunStatus;
  /** For running trials: how many stages have finished. */
  stagesDone?: number;
  withRetry?: boolean;
  now: number;
}): TrialDetail {
  const rng = new Rng(0x5eed ^ (opts.id.length * 7919) ^ [...opts.id].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 17));
  const done = opts.status === 'succeeded' ? STAGES.length : (opts.stagesDone ?? 0);
  const attempts: JobAttemptView[] = [];
  const losses: StageLossView[] = [];
  let t = opts.start;
  const gpuWorker = `trainer-gpu-${rng.int(0, 3)}`;
  for (const s of STAGES.slice(0, Math.min(STAGES.length, done + (opts.status === 'running' ? 1 : 0)))) {
    const dur = s.hours * 3600_000 * rng.uniform(0.9, 1.1);
    const worker = s.gpu ? gpuWorker : 'evaluator-0';
    const job = jobId(`${opts.id}-s${s.step}`);
    if (opts.withRetry && s.step === 3) {
      // The first attempt's worker stopped heartbeating; the job resumed elsewhere from its checkpoint.
      const lostAfter = dur * 0.45;
      attempts.push({ jobId: job, stage: s.stage, step: s.step, attempt: 1, workerId: workerId(worker), startedAt: t, endedAt: t + lostAfter, outcome: 'lost', reason: 'worker lost: lease expired after 60 s without heartbeat' });
      t += lostAfter + 75_000;
      attempts.push({ jobId: job, stage: s.stage, step: s.step, attempt: 2, workerId: workerId('trainer-gpu-3'), startedAt: t, endedAt: t + dur * 0.6, outcome: 'succeeded' });
      t += dur * 0.6 + 5_000;
    } else {
      const running = s.step > done;
      attempts.push({ jobId: job, stage: s.stage, step: s.step, attempt: 1, workerId: workerId(worker), startedAt: t, endedAt: running ? undefined : t + dur, outcome: running ? 'running' : 'succeeded' });
      t += running ? 0 : dur + 5_000;
    }
    if (s.stage === 'train_rpn' && s.step <= done) losses.push({ stage: s.stage, step: s.step, series: lossSeries(rng, [['rpn_cls', 0.69], ['rpn_bbox', 0.25]], s.step === 1 ? 80000 : 60000) });
    if (s.stage === 'train_fast_rcnn' && s.step <= done) losses.push({ stage: s.stage, step: s.step, series: lossSeries(rng, [['cls', 3.0], ['bbox', 0.9]], s.step === 3 ? 40000 : 30000) });
  }

  let classAp: ClassApView[] = [];
  let prCurves: PrCurveView[] = [];
  let map: TrialDetail['map'] = {};
  if (opts.status === 'succeeded') {
    // Classes differ a lot (bottle vs. cat), repeats little: a fixed offset per class, small noise per run.
    prCurves = VOC_CLASSES.map((className, i) => {
      const classOffset = ((((i * 37) % 21) - 10) / 10) * 0.12;
      return { className, points: prCurve(rng, Math.min(0.95, Math.max(0.3, opts.target + TARGET_BIAS + classOffset + 0.015 * rng.normal()))) };
    });
    classAp = prCurves.map((c) => ({ className: c.className, voc07: ap11(c.points), voc2010: apArea(c.points) }));
    const mean = (k: 'voc07' | 'voc2010') => classAp.reduce((a, c) => a + (c[k] ?? 0), 0) / classAp.length;
    map = { voc07: mean('voc07'), voc2010: mean('voc2010') };
  }
  return {
    id: trialId(opts.id),
    sweepId: sweepId(opts.sweep),
    status: opts.status,
    axes: opts.axes,
    repeat: opts.repeat,
    seed: 1000 + opts.repeat,
    map,
    progress: done / STAGES.length,
    startedAt: opts.start,
    finishedAt: opts.status === 'succeeded' ? t : undefined,
    config: {
      backbone: 'vgg16',
      mode: 'alternating',
      dataset: 'voc07 trainval → voc07 test',
      ...opts.axes,
      seed: 1000 + opts.repeat,
      backend: 'tensorflow (CUDA 11.2, cuDNN 8.1)',
      codeVersion: '0.1.0',
    },
    classAp,
    prCurves,
    losses,
    attempts,
    timing: opts.status === 'succeeded' ? { device: 'K40 GPU, VGG16', convMs: 141 * rng.uniform(0.97, 1.03), proposalMs: 10 * rng.uniform(0.9, 1.1), regionWiseMs: 47 * rng.uniform(0.97, 1.03) } : undefined,
  };
}

/** The paper's Table 8 settings (scales × ratios) with their VOC07 mAP, used as the sample's means. */
const TABLE8: readonly [AxisValue, AxisValue, number][] = [
  [[8], [1], 0.658],
  [[16], [1], 0.667],
  [[8], [0.5, 1, 2], 0.688],
  [[16], [0.5, 1, 2], 0.679],
  [[8, 16, 32], [1], 0.698],
  [[8, 16, 32], [0.5, 1, 2], 0.699],
];

/** Sample sweeps relative to `now` (epoch ms). */
export function sampleSweeps(now: number): MemorySweep[] {
  const day = 24 * 3600_000;
  const anchorsId = 'sw-anchors-8f3a';
  const anchorTrials: TrialDetail[] = [];
  TABLE8.forEach(([scales, ratios, target], i) => {
    for (let r = 0; r < 2; r++) {
      anchorTrials.push(
        sampleTrial({ sweep: anchorsId, id: `t${String(i * 2 + r + 1).padStart(2, '0')}`, axes: { 'anchors.scales': scales, 'anchors.ratios': ratios }, repeat: r, target, start: now - 2 * day + (i * 2 + r) * 1800_000, status: 'succeeded', withRetry: i === 0 && r === 0, now }),
      );
    }
  });
  const lambdaId = 'sw-lambda-c41d';
  const lambdas: [number, number, RunStatus, number][] = [
    [0.1, 0.672, 'succeeded', 9],
    [1, 0.689, 'succeeded', 9],
    [10, 0.699, 'running', 5],
    [100, 0.691, 'pending', 0],
  ];
  const lambdaTrials = lambdas.map(([lambda, target, status, stagesDone], i) =>
    sampleTrial({ sweep: lambdaId, id: `t${i + 1}`, axes: { 'rpn.lossLambda': lambda }, repeat: 0, target, start: now - 14 * 3600_000 + i * 600_000, status, stagesDone, now }),
  );
  for (const t of lambdaTrials) if (t.status === 'pending') Object.assign(t, { attempts: [], startedAt: undefined, progress: 0 });
  return [
    {
      sweep: {
        id: sweepId(anchorsId),
        name: 'anchor settings (VGG16, VOC07)',
        status: 'succeeded',
        createdAt: now - 2 * day - 60_000,
        finishedAt: Math.max(...anchorTrials.map((t) => t.finishedAt ?? 0)),
        dataset: 'VOC07 trainval → test',
        mode: 'alternating training, VGG16',
        axes: [
          { name: 'anchors.scales', label: 'anchor scales', values: [[8], [16], [8, 16, 32]] },
          { name: 'anchors.ratios', label: 'aspect ratios', values: [[1], [0.5, 1, 2]] },
        ],
      },
      trials: anchorTrials,
    },
    {
      sweep: {
        id: sweepId(lambdaId),
        name: 'λ of the RPN loss (VGG16, VOC07)',
        status: 'running',
        createdAt: now - 14 * 3600_000 - 60_000,
        dataset: 'VOC07 trainval → test',
        mode: 'alternating training, VGG16',
        axes: [{ name: 'rpn.lossLambda', label: 'λ', values: [0.1, 1, 10, 100] }],
      },
      trials: lambdaTrials,
    },
  ];
}
