/**
 * Paper-shaped comparison tables from a sweep's axes: one row per combination of axis
 * settings (e.g. anchor settings as in Table 8, λ as in Table 9, proposal settings as in
 * Table 2), one column per metric, repeats (seeds) aggregated as mean ± std with n and a 95 %
 * confidence interval. Rows whose interval overlaps the best row's are flagged as not
 * distinguishable from it: the paper's ZF result is 59.88 ± 0.39 over five runs, and smaller
 * single-run differences mean nothing.
 */
import { METRICS, type AxisValue, type AxisView, type MetricKey, type SweepView, type TrialSummary } from './view-model.ts';

export interface Aggregate {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 when n = 1. */
  std: number;
  /** Half-width of the 95 % confidence interval of the mean (Student t); undefined when n = 1. */
  ci95?: number;
}

export interface ComparisonRow {
  /** One setting per row axis, in the order of `ComparisonTable.axes`. */
  settings: readonly AxisValue[];
  cells: Partial<Record<MetricKey, Aggregate>>;
  /** Trials of this setting not finished yet (their numbers are not in the cells). */
  unfinished: number;
  /** Relation to the best row on the table's primary metric. */
  versusBest: 'best' | 'indistinguishable' | 'worse' | 'unknown';
}

export interface ComparisonTable {
  title: string;
  /** The table of the paper this one mirrors, when the axes say so. */
  paperRef?: string;
  axes: readonly AxisView[];
  /** Metrics that at least one finished trial has, in METRICS order (VOC07 before any result). */
  metrics: readonly MetricKey[];
  /** The metric rows are compared on (the first of `metrics`). */
  primary?: MetricKey;
  rows: readonly ComparisonRow[];
}

/** Two-sided 95 % Student t quantiles t(0.975, df) for df = 1..30. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const Z_975 = 1.959964;

export function tQuantile975(df: number): number {
  if (df < 1) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  if (df <= 30) return T_975[Math.floor(df) - 1];
  // Beyond the table the quantile approaches z; 1/df interpolation is within 0.003 of the exact value.
  return Z_975 + ((T_975[29] - Z_975) * 30) / df;
}

/** Mean, sample std and 95 % CI of repeated measurements. */
export function aggregate(values: readonly number[]): Aggregate {
  const n = values.length;
  if (n === 0) throw new RangeError('aggregate of no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  const std = Math.sqrt(ss / (n - 1));
  return { n, mean, std, ci95: (tQuantile975(n - 1) * std) / Math.sqrt(n) };
}

/** Canonical text of an axis value, used both as a grouping key and for display. */
export function formatAxisValue(v: AxisValue): string {
  if (Array.isArray(v)) return `[${v.map(formatAxisValue).join(', ')}]`;
  if (v === null) return 'none';
  return String(v);
}

const PAPER_TABLES: readonly [RegExp, string][] = [
  [/anchor|scales|ratios/i, 'Table 8 (anchor settings)'],
  [/lambda|λ/i, 'Table 9 (λ)'],
  [/proposal|nms|top_?n|no_?cls|no_?reg|post_?nms|pre_?nms/i, 'Table 2 (proposal settings)'],
  [/backbone|net/i, 'Table 3 (networks)'],
];

function paperReference(axes: readonly AxisView[]): string | undefined {
  const refs = new Set<string>();
  for (const a of axes) for (const [re, ref] of PAPER_TABLES) if (re.test(a.name)) refs.add(ref);
  return refs.size ? [...refs].join(', ') : undefined;
}

/** The comparison table of a sweep: rows in the axes' declared order, only settings that have trials. */
export function comparisonTable(sweep: Pick<SweepView, 'axes' | 'trials'>): ComparisonTable {
  const axes = sweep.axes;
  const groups = new Map<string, { settings: AxisValue[]; trials: TrialSummary[] }>();
  for (const t of sweep.trials) {
    const settings = axes.map((a) => t.axes[a.name] ?? null);
    const key = JSON.stringify(settings.map(formatAxisValue));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { settings, trials: [] }));
    g.trials.push(t);
  }
  const order = (settings: readonly AxisValue[]): number[] =>
    settings.map((v, i) => {
      const k = axes[i].values.findIndex((x) => formatAxisValue(x) === formatAxisValue(v));
      return k < 0 ? Number.MAX_SAFE_INTEGER : k;
    });
  const sorted = [...groups.values()].sort((a, b) => {
    const oa = order(a.settings);
    const ob = order(b.settings);
    for (let i = 0; i < oa.length; i++) if (oa[i] !== ob[i]) return oa[i] - ob[i];
    return 0;
  });

  const found = METRICS.map((m) => m.key).filter((k) => sweep.trials.some((t) => t.status === 'succeeded' && t.map[k] !== undefined));
  // Before any result the table keeps the paper's shape with the VOC07 column.
  const metrics: MetricKey[] = found.length ? found : ['voc07'];
  const primary = metrics[0];
  const rows: ComparisonRow[] = sorted.map((g) => {
    const done = g.trials.filter((t) => t.status === 'succeeded');
    const cells: Partial<Record<MetricKey, Aggregate>> = {};
    for (const k of metrics) {
      const vals = done.map((t) => t.map[k]).filter((v): v is number => v !== undefined);
      if (vals.length) cells[k] = aggregate(vals);
    }
    return { settings: g.settings, cells, unfinished: g.trials.length - done.length, versusBest: 'unknown' as const };
  });

  if (primary) {
    let best: ComparisonRow | undefined;
    for (const r of rows) {
      const c = r.cells[primary];
      if (c && (!best || c.mean > best.cells[primary]!.mean)) best = r;
    }
    if (best) {
      const b = best.cells[primary]!;
      for (const r of rows) {
        const c = r.cells[primary];
        if (r === best) r.versusBest = 'best';
        else if (!c || c.ci95 === undefined || b.ci95 === undefined) r.versusBest = 'unknown';
        // Overlapping 95 % intervals: the data do not separate the two settings.
        else r.versusBest = b.mean - b.ci95 <= c.mean + c.ci95 ? 'indistinguishable' : 'worse';
      }
    }
  }

  const names = axes.map((a) => a.label ?? a.name);
  return {
    title: names.length ? `mAP by ${names.join(' × ')}` : 'mAP',
    paperRef: paperReference(axes),
    axes,
    metrics,
    primary,
    rows,
  };
}
