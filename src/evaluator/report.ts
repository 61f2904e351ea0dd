/**
 * Evaluation reports: a JSON document (what the dashboard and `frcnn report` read) and a
 * self-contained HTML page (inline CSS and SVG, no scripts) with the summary numbers, a
 * per-class table and precision/recall (or recall/IoU) curves.
 */
import { barChart, lineChart, type Series } from '../plot/index.ts';
import { escapeXml } from '../plot/svg.ts';
import { InputError } from '../util/errors.ts';
import { perCategoryAp, type CocoResult } from './coco-eval.ts';
import { formatFixed } from './format.ts';
import { linspace } from './numeric.ts';
import type { ProposalRecallResult } from './proposal-recall.ts';
import type { VocResult } from './voc-eval.ts';

export const REPORT_VERSION = 1;

/** A curve sampled for plotting; null where the curve does not reach. */
export interface Curve {
  name: string;
  x: number[];
  y: (number | null)[];
}

interface ReportBase {
  version: typeof REPORT_VERSION;
  title: string;
  /** ISO time the report was built. */
  createdAt: string;
  /** What was evaluated (file paths, dataset, model), shown as given. */
  inputs: Record<string, string>;
}

export interface VocReport extends ReportBase {
  kind: 'voc';
  ovthresh: number;
  mAP07: number | null;
  mAP: number | null;
  classes: { name: string; npos: number; ndet: number; ap07: number | null; ap: number | null }[];
  /** Interpolated precision (envelope) at recall 0, 0.01, …, per class. */
  curves: Curve[];
}

export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

export interface CocoReport extends ReportBase {
  kind: 'coco';
  stats: number[];
  statNames: string[];
  /** Per category (area all, maxDets 100): AP@[.5:.95], AP50, AP75; -1 without ground truth. */
  categories: { id: number | string; name: string; ap: number; ap50: number; ap75: number }[];
  /** Precision at the 101 recall thresholds averaged over categories, at IoU .50, .75 and over .50:.95. */
  curves: Curve[];
}

export interface ProposalReport extends ReportBase {
  kind: 'proposals';
  thresholds: number[];
  numPos: number;
  numImages: number;
  rows: { topN: number; meanProposals: number; recalls: number[]; ar: number }[];
  /** Recall as a function of the IoU threshold (0.5 … 1.0), per proposal count. */
  curves: Curve[];
}

export type EvalReport = VocReport | CocoReport | ProposalReport;

export type ReportInput =
  | { kind: 'voc'; result: VocResult }
  | { kind: 'coco'; result: CocoResult }
  | { kind: 'proposals'; result: ProposalRecallResult };

export interface ReportMeta {
  title?: string;
  inputs?: Record<string, string>;
  /** Fixed time for reproducible output (tests); default now. */
  createdAt?: Date;
}

const nullIfNaN = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Precision envelope of a PR curve read at recall 0, 0.01, …, 1 (null past the last recall). */
export function interpolatedPr(recall: ArrayLike<number>, precision: ArrayLike<number>, points = 101): Curve['y'] {
  const n = recall.length;
  const env = new Float64Array(n);
  let best = 0;
  for (let i = n - 1; i >= 0; i--) {
    best = Math.max(best, precision[i]);
    env[i] = best;
  }
  const xs = linspace(0, 1, points);
  const out: Curve['y'] = [];
  let i = 0;
  for (const r of xs) {
    while (i < n && recall[i] < r) i++;
    out.push(i < n ? env[i] : null);
  }
  return out;
}

function vocReport(result: VocResult, base: ReportBase): VocReport {
  const xs = Array.from(linspace(0, 1, 101));
  return {
    ...base,
    kind: 'voc',
    ovthresh: result.ovthresh,
    mAP07: nullIfNaN(result.mAP07),
    mAP: nullIfNaN(result.mAP),
    classes: result.classes.map((c) => ({ name: c.name, npos: c.npos, ndet: c.ndet, ap07: nullIfNaN(c.ap07), ap: nullIfNaN(c.ap) })),
    curves: result.classes.filter((c) => c.npos > 0).map((c) => ({ name: c.name, x: xs, y: interpolatedPr(c.recall, c.precision) })),
  };
}

function cocoReport(result: CocoResult, base: ReportBase): CocoReport {
  const [T, R, K, A, M] = result.counts;
  const ap = perCategoryAp(result);
  const ap50 = perCategoryAp(result, 0.5);
  const ap75 = perCategoryAp(result, 0.75);
  const meanCurve = (name: string, ts: number[]): Curve => {
    const y: (number | null)[] = [];
    for (let r = 0; r < R; r++) {
      let sum = 0;
      let n = 0;
      for (const t of ts) {
        for (let k = 0; k < K; k++) {
          const v = result.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      }
      y.push(n ? sum / n : null);
    }
    return { name, x: Array.from(result.params.recThrs), y };
  };
  const tOf = (thr: number) => [...Array(T).keys()].filter((t) => result.params.iouThrs[t] === thr);
  return {
    ...base,
    kind: 'coco',
    stats: result.stats,
    statNames: [...COCO_STAT_NAMES],
    categories: result.categoryIds.map((id, k) => ({ id, name: result.categoryNames[k], ap: ap[k], ap50: ap50[k], ap75: ap75[k] })),
    curves: [meanCurve('IoU=.50', tOf(0.5)), meanCurve('IoU=.75', tOf(0.75)), meanCurve('IoU=.50:.95', [...Array(T).keys()])],
  };
}

function proposalReport(result: ProposalRecallResult, base: ReportBase): ProposalReport {
  const ious = Array.from(linspace(0.5, 1, 51));
  return {
    ...base,
    kind: 'proposals',
    thresholds: Array.from(result.thresholds),
    numPos: result.numPos,
    numImages: result.numImages,
    rows: result.rows.map((r) => ({ topN: r.topN, meanProposals: r.meanProposals, recalls: Array.from(r.recalls), ar: r.ar })),
    curves: result.rows.map((r) => ({
      name: `${Number.isFinite(r.topN) ? r.topN : 'all'} proposals`,
      x: ious,
      y: ious.map((t) => {
        let n = 0;
        for (const v of r.gtOverlaps) if (v >= t) n++;
        return result.numPos ? n / result.numPos : null;
      }),
    })),
  };
}

/** Build the JSON document and the HTML page of an evaluation. */
export function buildReport(input: ReportInput, meta: ReportMeta = {}): { json: EvalReport; html: string } {
  const defaultTitle = { voc: 'PASCAL VOC evaluation', coco: 'COCO bbox evaluation', proposals: 'Proposal recall' }[input.kind];
  const base: ReportBase = {
    version: REPORT_VERSION,
    title: meta.title ?? defaultTitle,
    createdAt: (meta.createdAt ?? new Date()).toISOString(),
    inputs: meta.inputs ?? {},
  };
  const json =
    input.kind === 'voc' ? vocReport(input.result, base) : input.kind === 'coco' ? cocoReport(input.result, base) : proposalReport(input.result, base);
  return { json, html: renderReportHtml(json) };
}

/** Check a parsed report document enough to render it; errors name `source`. */
export function parseReport(doc: unknown, source: string): EvalReport {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(source, 'a report must be a JSON object');
  const r = doc as Record<string, unknown>;
  if (r.version !== REPORT_VERSION) throw new InputError(source, `unsupported report version ${JSON.stringify(r.version)} (want ${REPORT_VERSION})`);
  if (r.kind !== 'voc' && r.kind !== 'coco' && r.kind !== 'proposals') {
    throw new InputError(source, `"kind" must be "voc", "coco" or "proposals", got ${JSON.stringify(r.kind)}`);
  }
  const need: Record<EvalReport['kind'], string[]> = {
    voc: ['classes', 'curves'],
    coco: ['stats', 'statNames', 'categories', 'curves'],
    proposals: ['thresholds', 'rows', 'curves'],
  };
  for (const f of need[r.kind]) if (!Array.isArray(r[f])) throw new InputError(source, `missing array field "${f}"`);
  if (typeof r.title !== 'string') throw new InputError(source, 'missing field "title"');
  return doc as EvalReport;
}

// ---- HTML ----

/** Styles scoped to the report's section, so the dashboard can embed it beside its own. */
const CSS = `.frcnn-report{font:14px/1.45 system-ui,sans-serif;color:#222}
.frcnn-report h1{font-size:20px;margin:0 0 4px}.frcnn-report h2{font-size:16px;margin:28px 0 8px}
.frcnn-report table{border-collapse:collapse;font-variant-numeric:tabular-nums}
.frcnn-report th,.frcnn-report td{padding:3px 10px;border-bottom:1px solid #e3e3e3;text-align:right}
.frcnn-report th:first-child,.frcnn-report td:first-child{text-align:left}.frcnn-report th{background:#f6f6f6;font-weight:600}
.frcnn-report .meta td,.frcnn-report .meta th{text-align:left;border:none;padding:1px 10px 1px 0;color:#555;background:none}
.frcnn-report .stats{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.frcnn-report .stat{border:1px solid #ddd;border-radius:6px;padding:6px 12px;min-width:70px}
.frcnn-report .stat b{display:block;font-size:18px}.frcnn-report .stat span{color:#666;font-size:12px}
.frcnn-report .charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.frcnn-report svg{max-width:100%;height:auto}`;

const fmt = (v: number | null, digits = 4): string => (v === null || !Number.isFinite(v) ? '–' : v < 0 ? 'n/a' : formatFixed(v, digits));

function table(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

function statBoxes(items: [string, string][]): string {
  return `<div class="stats">${items.map(([k, v]) => `<div class="stat"><b>${escapeXml(v)}</b><span>${escapeXml(k)}</span></div>`).join('')}</div>`;
}

function toSeries(curves: Curve[]): Series[] {
  return curves.map((c) => ({ name: c.name, x: c.x, y: c.y.map((v) => (v === null ? NaN : v)) }));
}

function body(r: EvalReport): string {
  if (r.kind === 'voc') {
    const rows = r.classes.map((c) => [c.name, String(c.npos), String(c.ndet), fmt(c.ap07), fmt(c.ap)]);
    return [
      statBoxes([
        ['mAP (VOC07 11-point)', fmt(r.mAP07)],
        ['mAP (VOC2010+ all-point)', fmt(r.mAP)],
        ['IoU threshold', String(r.ovthresh)],
      ]),
      '<h2>Per-class AP</h2>',
      `<div class="charts">${table(['class', 'objects', 'detections', 'AP (11-point)', 'AP (all-point)'], rows)}${barChart({
        title: 'AP per class',
        categories: r.classes.map((c) => c.name),
        series: [
          { name: 'all-point', values: r.classes.map((c) => c.ap ?? NaN) },
          { name: '11-point', values: r.classes.map((c) => c.ap07 ?? NaN) },
        ],
        xDomain: [0, 1],
        xLabel: 'AP',
        width: 440,
      })}</div>`,
      '<h2>Precision / recall</h2>',
      `<div class="charts">${lineChart({
        id: 'voc-pr',
        title: 'Interpolated precision per class',
        xLabel: 'recall',
        yLabel: 'precision',
        xDomain: [0, 1],
        yDomain: [0, 1],
        width: 760,
        height: 440,
        series: toSeries(r.curves),
      })}</div>`,
    ].join('\n');
  }
  if (r.kind === 'coco') {
    const rows = r.categories.map((c) => [c.name, String(c.id), fmt(c.ap, 3), fmt(c.ap50, 3), fmt(c.ap75, 3)]);
    return [
      statBoxes(r.statNames.map((n, i) => [n, fmt(r.stats[i], 3)])),
      '<h2>Per-category AP (area all, 100 detections)</h2>',
      `<div class="charts">${table(['category', 'id', 'AP', 'AP50', 'AP75'], rows)}${barChart({
        title: 'AP per category',
        categories: r.categories.map((c) => c.name),
        series: [
          { name: 'AP@[.5:.95]', values: r.categories.map((c) => (c.ap < 0 ? NaN : c.ap)) },
          { name: 'AP50', values: r.categories.map((c) => (c.ap50 < 0 ? NaN : c.ap50)) },
        ],
        xDomain: [0, 1],
        xLabel: 'AP',
        width: 440,
      })}</div>`,
      '<h2>Precision / recall</h2>',
      `<div class="charts">${lineChart({
        id: 'coco-pr',
        title: 'Precision averaged over categories',
        xLabel: 'recall',
        yLabel: 'precision',
        xDomain: [0, 1],
        yDomain: [0, 1],
        series: toSeries(r.curves),
      })}</div>`,
    ].join('\n');
  }
  const thr = r.thresholds;
  const rows = r.rows.map((row) => [
    Number.isFinite(row.topN) ? String(row.topN) : 'all',
    formatFixed(row.meanProposals, 1),
    ...row.recalls.map((v) => fmt(v, 3)),
    fmt(row.ar, 3),
  ]);
  return [
    statBoxes([
      ['ground-truth boxes', String(r.numPos)],
      ['images', String(r.numImages)],
    ]),
    '<h2>Recall at IoU thresholds</h2>',
    table(['proposals', 'mean used', ...thr.map((t) => `@${formatFixed(t, 2)}`), 'AR'], rows),
    '<h2>Recall vs IoU</h2>',
    `<div class="charts">${lineChart({
      id: 'proposal-recall',
      title: 'Recall of ground truth vs IoU threshold',
      xLabel: 'IoU overlap threshold',
      yLabel: 'recall',
      xDomain: [0.5, 1],
      yDomain: [0, 1],
      series: toSeries(r.curves),
    })}</div>`,
  ].join('\n');
}

/**
 * The report as one `<section class="frcnn-report">` with its (scoped) styles: what the
 * dashboard embeds. No scripts; every text is escaped.
 */
export function renderReportSection(r: EvalReport): string {
  const meta = Object.entries(r.inputs).map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`);
  meta.push(`<tr><th>created</th><td>${escapeXml(r.createdAt)}</td></tr>`);
  return `<section class="frcnn-report">
<style>${CSS}</style>
<h1>${escapeXml(r.title)}</h1>
<table class="meta">${meta.join('')}</table>
${body(r)}
</section>`;
}

/** The self-contained HTML page of a report. */
export function renderReportHtml(r: EvalReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(r.title)}</title>
<style>body{margin:24px auto;max-width:1100px;padding:0 16px}</style>
</head>
<body>
${renderReportSection(r)}
</body>
</html>
`;
}
