/**
 * A multi-series line chart as a standalone SVG string (no script, no external fonts): used
 * by the dashboard for precision/recall curves and training losses. Every text that comes
 * from data (series names, titles) is escaped.
 */
import { PALETTE, escapeXml, niceTicks, num, tickLabel } from './svg-text.ts';

export interface ChartSeries {
  name: string;
  /** Points in drawing order (x ascending for curves over time). */
  points: readonly { x: number; y: number }[];
  color?: string;
}

export interface SeriesChartOptions {
  title?: string;
  xLabel: string;
  yLabel: string;
  /** Pixels. @default 520 × 300 */
  width?: number;
  height?: number;
  /** Fixed axis ranges (e.g. [0, 1] for precision and recall); otherwise from the data. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Draw a step function (precision/recall envelopes are steps). */
  step?: boolean;
  /** Legend right of the plot; off for one series. @default series.length > 1 */
  legend?: boolean;
}

const DEFAULT_WIDTH = 520;
const DEFAULT_HEIGHT = 300;
/** Above this many points a series is thinned to keep the SVG small; curves stay visually identical. */
const MAX_POINTS = 600;

function thin(points: readonly { x: number; y: number }[]): readonly { x: number; y: number }[] {
  if (points.length <= MAX_POINTS) return points;
  const stride = points.length / MAX_POINTS;
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < MAX_POINTS; i++) out.push(points[Math.floor(i * stride)]);
  out.push(points[points.length - 1]);
  return out;
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 1] : [lo, hi];
}

export function seriesChartSvg(series: readonly ChartSeries[], options: SeriesChartOptions): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  const legend = options.legend ?? series.length > 1;
  const legendWidth = legend ? Math.min(170, 24 + 7 * Math.max(...series.map((s) => s.name.length), 4)) : 0;
  const m = { top: options.title ? 28 : 12, right: 12 + legendWidth, bottom: 42, left: 54 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;

  const all = series.flatMap((s) => s.points);
  const [x0, x1] = options.xDomain ?? extent(all.map((p) => p.x));
  const yData = extent(all.map((p) => p.y));
  const [y0, y1] = options.yDomain ?? [Math.min(0, yData[0]), yData[1]];
  const xt = niceTicks(x0, x1, Math.max(2, Math.floor(pw / 80)));
  const yt = niceTicks(y0, y1, Math.max(2, Math.floor(ph / 50)));
  const xmin = options.xDomain ? x0 : Math.min(x0, xt[0]);
  const xmax = options.xDomain ? x1 : Math.max(x1, xt[xt.length - 1]);
  const ymin = options.yDomain ? y0 : Math.min(y0, yt[0]);
  const ymax = options.yDomain ? y1 : Math.max(y1, yt[yt.length - 1]);
  const sx = (x: number) => m.left + ((x - xmin) / (xmax - xmin || 1)) * pw;
  const sy = (y: number) => m.top + ph - ((y - ymin) / (ymax - ymin || 1)) * ph;
  const xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
  const yStep = yt.length > 1 ? yt[1] - yt[0] : 1;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title ?? `${options.yLabel} against ${options.xLabel}`)}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  if (options.title) parts.push(`<text x="${m.left}" y="17" font-size="13" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`);
  for (const t of yt) {
    if (t < ymin || t > ymax) continue;
    const y = num(sy(t));
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${tickLabel(t, yStep)}</text>`);
  }
  for (const t of xt) {
    if (t < xmin || t > xmax) continue;
    const x = num(sx(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#888"/>`);
    parts.push(`<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle" fill="#555">${tickLabel(t, xStep)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 6}" text-anchor="middle" fill="#333">${escapeXml(options.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(13 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(options.yLabel)}</text>`,
  );

  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = thin(s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (pts.length === 0) return;
    let d = `M${num(sx(pts[0].x))},${num(sy(pts[0].y))}`;
    for (let k = 1; k < pts.length; k++) {
      if (options.step) d += `H${num(sx(pts[k].x))}V${num(sy(pts[k].y))}`;
      else d += `L${num(sx(pts[k].x))},${num(sy(pts[k].y))}`;
    }
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"><title>${escapeXml(s.name)}</title></path>`,
    );
    if (legend) {
      const ly = m.top + 6 + i * 15;
      const lx = m.left + pw + 12;
      parts.push(`<line x1="${lx}" x2="${lx + 14}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`);
      parts.push(`<text x="${lx + 19}" y="${ly}" dominant-baseline="middle" fill="#333">${escapeXml(s.name)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
