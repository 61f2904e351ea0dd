/**
 * The demo's result tables, from the coordinator's sweep detail and the locally expanded
 * trials (which know each trial's axis values):
 *
 * - the comparison shaped like the paper's Tables 8/9: one row per anchor setting, one column
 *   per other axis point (λ, training mode), VOC07 mAP in percent (mean ± std over repeats);
 * - one line per trial: its setting, status, mAP and the compute time of its stages.
 *
 * Pure functions over plain data, so they are tested without a coordinator.
 */
import { canonicalJson } from '../pipeline/canonical-json.ts';
import type { Assignment, TrialPlan } from '../pipeline/sweep-spec.ts';
import { formatDuration } from '../util/progress.ts';

/** What the tables need of one trial (built by `trialResults`). */
export interface TrialResult {
  index: number;
  assignments: Assignment;
  /** Anchor base size of the trial, to show scales in pixels. */
  anchorBaseSize: number;
  seed: number;
  status: string;
  /** VOC07 11-point mAP as a fraction, when evaluated. */
  voc07?: number;
  /** VOC2010+ all-point mAP as a fraction, when evaluated. */
  voc2010?: number;
  /** Seconds of its training stages (train_rpn, train_fast_rcnn, train_joint). */
  trainSeconds: number;
  /** Seconds of all its stages (training, proposals, detection, evaluation). */
  stageSeconds: number;
  error?: string;
}

/** The parts of `SweepDetail` the tables read (the generated gRPC type satisfies it). */
export interface SweepDetailLike {
  trials: { index: number; status: string; metrics_json: string; error: string; stages: { key: string }[] }[];
  stages: { key: string; kind: string; result_json: string }[];
}

const TRAINING_KINDS = new Set(['train_rpn', 'train_fast_rcnn', 'train_joint']);

function parseObject(json: string): Record<string, unknown> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Join the coordinator's trials (by index) with the local plans. */
export function trialResults(detail: SweepDetailLike, plans: readonly TrialPlan[]): TrialResult[] {
  const stageInfo = new Map(detail.stages.map((s) => [s.key, { kind: s.kind, seconds: num(parseObject(s.result_json).seconds) ?? 0 }]));
  const byIndex = new Map(plans.map((p) => [p.index, p]));
  return detail.trials
    .slice()
    .sort((a, b) => a.index - b.index)
    .map((t) => {
      const plan = byIndex.get(t.index);
      const metrics = parseObject(t.metrics_json);
      let trainSeconds = 0;
      let stageSeconds = 0;
      for (const ref of t.stages) {
        const s = stageInfo.get(ref.key);
        if (!s) continue;
        stageSeconds += s.seconds;
        if (TRAINING_KINDS.has(s.kind)) trainSeconds += s.seconds;
      }
      return {
        index: t.index,
        assignments: plan?.assignments ?? {},
        anchorBaseSize: plan?.config.anchors.baseSize ?? 16,
        seed: plan?.seed ?? 0,
        status: t.status,
        voc07: num(metrics.voc07),
        voc2010: num(metrics.voc2010),
        trainSeconds,
        stageSeconds,
        error: t.error || undefined,
      };
    });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One axis value as a reader of the paper would write it. */
export function formatField(path: string, value: unknown, baseSize = 16): string {
  if (path === 'anchors.scales' && Array.isArray(value)) {
    return `${plural(value.length, 'scale')} (${value.map((s) => `${Number(s) * baseSize}²`).join(', ')})`;
  }
  if (path === 'anchors.ratios' && Array.isArray(value)) return `${plural(value.length, 'ratio')} (${value.join(', ')})`;
  if (path === 'rpn.lambda') return `λ=${String(value)}`;
  if (path === 'mode') return String(value);
  return `${path.split('.').pop()}=${typeof value === 'string' ? value : canonicalJson(value)}`;
}

function formatPoint(fields: readonly string[], a: Assignment, baseSize: number): string {
  return fields.map((f) => (f in a ? formatField(f, a[f], baseSize) : `${f.split('.').pop()}=base`)).join(', ');
}

/** Mean ± sample std of the values, in percent. */
export function formatPercent(values: readonly number[]): string {
  if (values.length === 0) return '—';
  const pct = values.map((v) => 100 * v);
  const mean = pct.reduce((s, v) => s + v, 0) / pct.length;
  if (pct.length === 1) return mean.toFixed(1);
  const std = Math.sqrt(pct.reduce((s, v) => s + (v - mean) ** 2, 0) / (pct.length - 1));
  return `${mean.toFixed(1)} ± ${std.toFixed(1)}`;
}

/** Left-aligned first column, right-aligned others, two spaces apart. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Rows: the anchor settings (axis fields under `anchors.`; the first axis field when there
 * are none). Columns: the other axis fields (λ, mode). Cells: VOC07 mAP in percent, mean ± std
 * over the trials of the cell (repeats), "failed" when none of them succeeded.
 */
export function comparisonTable(results: readonly TrialResult[]): string {
  const fields = [...new Set(results.flatMap((r) => Object.keys(r.assignments)))];
  let rowFields = fields.filter((f) => f.startsWith('anchors.'));
  if (rowFields.length === 0) rowFields = fields.slice(0, 1);
  const colFields = fields.filter((f) => !rowFields.includes(f) && f !== 'seed');
  const key = (fs: string[], a: Assignment) => canonicalJson(fs.map((f) => a[f] ?? null));
  const rows = new Map<string, { label: string; cells: Map<string, TrialResult[]> }>();
  const cols = new Map<string, string>();
  for (const r of results) {
    const rk = key(rowFields, r.assignments);
    const ck = key(colFields, r.assignments);
    if (!cols.has(ck)) cols.set(ck, colFields.length > 0 ? formatPoint(colFields, r.assignments, r.anchorBaseSize) : 'mAP');
    let row = rows.get(rk);
    if (!row) rows.set(rk, (row = { label: rowFields.length > 0 ? formatPoint(rowFields, r.assignments, r.anchorBaseSize) : 'base', cells: new Map() }));
    const cell = row.cells.get(ck) ?? [];
    cell.push(r);
    row.cells.set(ck, cell);
  }
  const header = [rowFields.some((f) => f.startsWith('anchors.')) ? 'anchors' : 'setting', ...cols.values()];
  const body = [...rows.values()].map((row) => [
    row.label,
    ...[...cols.keys()].map((ck) => {
      const cell = row.cells.get(ck) ?? [];
      const maps = cell.map((t) => t.voc07).filter((v): v is number => v !== undefined);
      if (maps.length > 0) return formatPercent(maps);
      if (cell.some((t) => t.status === 'failed')) return 'failed';
      if (cell.some((t) => t.status === 'cancelled')) return 'cancelled';
      return '—';
    }),
  ]);
  return renderTable(header, body);
}

/** One row per trial: setting, status, VOC07 / VOC2010 mAP (%), training and total stage time. */
export function trialTable(results: readonly TrialResult[]): string {
  const fields = [...new Set(results.flatMap((r) => Object.keys(r.assignments)))];
  const has2010 = results.some((r) => r.voc2010 !== undefined);
  const repeats = new Set(results.map((r) => r.seed)).size > 1;
  const header = ['trial', 'status', 'VOC07 mAP', ...(has2010 ? ['VOC2010 mAP'] : []), 'training', 'all stages'];
  const rows = results.map((r) => [
    `t${r.index}  ${[fields.length > 0 ? formatPoint(fields, r.assignments, r.anchorBaseSize) : 'base', ...(repeats ? [`seed=${r.seed}`] : [])].join(', ')}`,
    r.status,
    r.voc07 !== undefined ? formatPercent([r.voc07]) : '—',
    ...(has2010 ? [r.voc2010 !== undefined ? formatPercent([r.voc2010]) : '—'] : []),
    formatDuration(r.trainSeconds),
    formatDuration(r.stageSeconds),
  ]);
  const errors = results.filter((r) => r.error).map((r) => `  t${r.index}: ${r.error}`);
  return [renderTable(header, rows), ...(errors.length > 0 ? ['', 'failures:', ...errors] : [])].join('\n');
}
