/**
 * A horizontal bar chart as a self-contained SVG string: one row per category (e.g. per-class
 * AP), one bar per series in each row, value axis with nice ticks, legend, escaped text.
 * Rows keep their height, so 20 VOC classes and 80 COCO categories both stay readable.
 *
 *   barChart({ title: 'AP per class', categories: ['cat', 'dog'], series: [{ name: 'AP', values: [0.7, 0.6] }], xDomain: [0, 1] })
 */
import { PALETTE } from './line-chart.ts';
import { escapeXml, px } from './svg.ts';
import { formatTick, niceTicks } from './ticks.ts';

export interface BarSeries {
  name: string;
  /** One value per category; NaN draws no bar. */
  values: ArrayLike<number>;
  color?: string;
}

export interface BarChartOptions {
  categories: readonly string[];
  series: BarSeries[];
  title?: string;
  /** Label of the value axis. */
  xLabel?: string;
  /** Pixels; the height follows the number of rows. Default 560. */
  width?: number;
  /** Height of one bar. Default 12. */
  barHeight?: number;
  /** Value range; default [min(0, data), max(data)]. */
  xDomain?: [number, number];
  /** Print each value at the end of its bar with this many decimals; default none. */
  valueDigits?: number;
  /** Legend above the plot; default when there are 2+ series. */
  legend?: boolean;
}

/** Render the chart; returns `<svg …>…</svg>`. */
export function barChart(opts: BarChartOptions): string {
  const width = opts.width ?? 560;
  const bh = opts.barHeight ?? 12;
  const S = opts.series.length;
  const rowH = Math.max(1, S) * bh + 6;
  const legend = opts.legend ?? S > 1;
  const labelW = Math.min(200, 12 + 6.5 * Math.max(4, ...opts.categories.map((c) => c.length)));
  const m = { top: (opts.title ? 28 : 8) + (legend ? 18 : 0), right: opts.valueDigits !== undefined ? 48 : 16, bottom: opts.xLabel ? 44 : 28, left: labelW };
  const pw = Math.max(10, width - m.left - m.right);
  const ph = rowH * opts.categories.length;
  const height = m.top + ph + m.bottom;
  let lo = 0;
  let hi = -Infinity;
  for (const s of opts.series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (hi === -Infinity || hi === lo) hi = lo + 1;
  const [x0, x1] = opts.xDomain ?? [lo, hi];
  const sx = (v: number) => m.left + ((Math.min(Math.max(v, x0), x1) - x0) / (x1 - x0 || 1)) * pw;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
      `role="img" font-family="system-ui, sans-serif" font-size="11">`,
  );
  out.push(`<title>${escapeXml(opts.title ?? 'bar chart')}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  if (opts.title) out.push(`<text x="${px(m.left + pw / 2)}" y="18" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(opts.title)}</text>`);
  if (legend) {
    let lx = m.left;
    const ly = m.top - 12;
    opts.series.forEach((s, k) => {
      const color = s.color ?? PALETTE[k % PALETTE.length];
      out.push(`<rect x="${px(lx)}" y="${ly - 5}" width="10" height="10" fill="${escapeXml(color)}"/>`);
      out.push(`<text x="${px(lx + 14)}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
      lx += 24 + 6.5 * s.name.length;
    });
  }
  for (const t of niceTicks(x0, x1, 5)) {
    const x = px(sx(t));
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 14}" text-anchor="middle" fill="#444">${escapeXml(formatTick(t))}</text>`);
  }
  if (opts.xLabel) out.push(`<text x="${px(m.left + pw / 2)}" y="${height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  opts.categories.forEach((c, i) => {
    const y0 = m.top + i * rowH + 3;
    out.push(`<text x="${m.left - 6}" y="${px(y0 + (S * bh) / 2)}" text-anchor="end" dominant-baseline="middle">${escapeXml(c)}</text>`);
    opts.series.forEach((s, k) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      const color = s.color ?? PALETTE[k % PALETTE.length];
      const xa = sx(Math.min(0, v)); // sx clamps to the domain
      const xb = sx(Math.max(0, v));
      const y = y0 + k * bh;
      out.push(
        `<rect x="${px(xa)}" y="${px(y)}" width="${px(Math.max(0, xb - xa))}" height="${bh - 1}" fill="${escapeXml(color)}">` +
          `<title>${escapeXml(`${c} · ${s.name}: ${v}`)}</title></rect>`,
      );
      if (opts.valueDigits !== undefined) {
        out.push(`<text x="${px(xb + 4)}" y="${px(y + bh / 2)}" dominant-baseline="middle" fill="#333">${v.toFixed(opts.valueDigits)}</text>`);
      }
    });
  });
  const zero = px(sx(0));
  out.push(`<line x1="${zero}" x2="${zero}" y1="${m.top}" y2="${m.top + ph}" stroke="#888"/>`);
  out.push('</svg>');
  return out.join('\n');
}
