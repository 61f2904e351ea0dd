/**
 * A line chart as a self-contained SVG string: several series, axes with nice ticks, axis
 * labels, a title and a legend. No dependencies, no script; text is escaped. Used for
 * precision/recall curves (evaluator) and loss curves (dashboard).
 *
 *   lineChart({ title: 'PR', xLabel: 'recall', yLabel: 'precision', xDomain: [0, 1], yDomain: [0, 1],
 *               series: [{ name: 'cat', x: rec, y: prec }] })
 */
import { escapeXml, px } from './svg.ts';
import { formatTick, niceTicks } from './ticks.ts';

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** CSS colour; default from the palette by series index. */
  color?: string;
  dashed?: boolean;
  /** Draw as steps (horizontal then vertical), as precision envelopes are. Default false. */
  step?: boolean;
}

export interface LineChartOptions {
  series: Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels. Default 560 × 360. */
  width?: number;
  height?: number;
  /** Axis ranges; default the data's extent (y from 0 when all data are ≥ 0). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Legend on the right of the plot; default true when there are 2+ series. */
  legend?: boolean;
  /** Accessible description; default the title. */
  description?: string;
  /** Prefix of element ids, unique within a page that inlines several charts. Default a counter. */
  id?: string;
}

let chartCount = 0;

/** Tableau-10: distinguishable, colour-blind-friendlier than the defaults of old tools. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function extent(series: Series[], key: 'x' | 'y'): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s[key].length; i++) {
      const v = s[key][i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Render the chart; returns `<svg …>…</svg>`. */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 560;
  const height = opts.height ?? 360;
  const legend = opts.legend ?? opts.series.length > 1;
  const legendWidth = legend ? Math.min(180, 24 + 7 * Math.max(0, ...opts.series.map((s) => s.name.length))) : 0;
  const m = { top: opts.title ? 32 : 12, right: 16 + legendWidth, bottom: opts.xLabel ? 46 : 30, left: opts.yLabel ? 62 : 46 };
  const pw = Math.max(10, width - m.left - m.right);
  const ph = Math.max(10, height - m.top - m.bottom);
  const [x0, x1] = opts.xDomain ?? extent(opts.series, 'x');
  let [y0, y1] = opts.yDomain ?? extent(opts.series, 'y');
  if (!opts.yDomain && y0 > 0) y0 = 0;
  if (y1 === y0) y1 = y0 + 1;
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0 || 1)) * pw;
  const sy = (v: number) => m.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const clipId = `${opts.id ?? `chart${++chartCount}`}-clip`;
  const out: string[] = [];
  const title = opts.title ? escapeXml(opts.title) : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
      `role="img" font-family="system-ui, sans-serif" font-size="11">`,
  );
  out.push(`<title>${escapeXml(opts.description ?? opts.title ?? 'chart')}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  if (title) out.push(`<text x="${px(m.left + pw / 2)}" y="20" text-anchor="middle" font-size="13" font-weight="600">${title}</text>`);
  // grid and ticks
  for (const t of niceTicks(y0, y1, 5)) {
    const y = px(sy(t));
    out.push(`<line x1="${m.left}" x2="${px(m.left + pw)}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${escapeXml(formatTick(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1, 6)) {
    const x = px(sx(t));
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${px(m.top + ph)}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${px(m.top + ph + 16)}" text-anchor="middle" fill="#444">${escapeXml(formatTick(t))}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${px(pw)}" height="${px(ph)}" fill="none" stroke="#888"/>`);
  if (opts.xLabel) out.push(`<text x="${px(m.left + pw / 2)}" y="${height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) {
    out.push(`<text transform="translate(14 ${px(m.top + ph / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>`);
  }
  // series, clipped to the plot area
  out.push(`<clipPath id="${escapeXml(clipId)}"><rect x="${m.left}" y="${m.top}" width="${px(pw)}" height="${px(ph)}"/></clipPath>`);
  out.push(`<g clip-path="url(#${escapeXml(clipId)})" fill="none" stroke-width="1.6" stroke-linejoin="round">`);
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const n = Math.min(s.x.length, s.y.length);
    const parts: string[] = [];
    let pen = false;
    for (let j = 0; j < n; j++) {
      const x = s.x[j];
      const y = s.y[j];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false; // a gap
        continue;
      }
      if (!pen) parts.push(`M${px(sx(x))} ${px(sy(y))}`);
      else if (s.step) parts.push(`H${px(sx(x))}V${px(sy(y))}`);
      else parts.push(`L${px(sx(x))} ${px(sy(y))}`);
      pen = true;
    }
    if (parts.length === 0) return;
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    out.push(`<path d="${parts.join('')}" stroke="${escapeXml(color)}"${dash}><title>${escapeXml(s.name)}</title></path>`);
  });
  out.push('</g>');
  if (legend) {
    const lx = m.left + pw + 12;
    opts.series.forEach((s, i) => {
      const y = m.top + 8 + i * 16;
      if (y > m.top + ph) return;
      const color = s.color ?? PALETTE[i % PALETTE.length];
      const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
      out.push(`<line x1="${lx}" x2="${lx + 16}" y1="${y}" y2="${y}" stroke="${escapeXml(color)}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${lx + 22}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n');
}
