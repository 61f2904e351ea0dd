/**
 * A stage timeline (Gantt chart) as a standalone SVG string: one lane per worker, one bar per
 * attempt at a stage job, coloured by how the attempt ended, so retries (a red or grey bar
 * followed by another attempt, often on another worker) are visible at a glance. Text from
 * data (worker and stage names) is escaped.
 */
import { escapeXml, px as num } from './svg.ts';
import { niceTicks } from './ticks.ts';

export type TimelineOutcome = 'running' | 'succeeded' | 'failed' | 'lost' | 'cancelled';

export interface TimelineBar {
  /** Lane (worker) the bar is drawn in. */
  lane: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms; a running bar extends to `now`. */
  end?: number;
  /** Short text inside the bar, e.g. "1 train_rpn" or "4 train_rpn #2". */
  label: string;
  outcome: TimelineOutcome;
  /** Tooltip (SVG <title>) text. */
  detail?: string;
}

export interface TimelineOptions {
  title?: string;
  /** Epoch ms used as the end of running bars. */
  now: number;
  /** @default 960 */
  width?: number;
}

export const OUTCOME_COLORS: Readonly<Record<TimelineOutcome, string>> = {
  succeeded: '#2e7d32',
  running: '#1565c0',
  failed: '#c62828',
  lost: '#ef6c00',
  cancelled: '#9e9e9e',
};

const LANE_HEIGHT = 26;
const BAR_HEIGHT = 18;
const LABEL_WIDTH = 150;

/** Unit for tick labels so that the axis reads "0 10 20 min" rather than seconds in thousands. */
function timeUnit(spanMs: number): { ms: number; name: string } {
  if (spanMs >= 3 * 3600_000) return { ms: 3600_000, name: 'h' };
  if (spanMs >= 3 * 60_000) return { ms: 60_000, name: 'min' };
  return { ms: 1000, name: 's' };
}

export function timelineSvg(bars: readonly TimelineBar[], options: TimelineOptions): string {
  const width = options.width ?? 960;
  const lanes: string[] = [];
  for (const b of [...bars].sort((a, b) => a.start - b.start)) if (!lanes.includes(b.lane)) lanes.push(b.lane);
  const top = options.title ? 30 : 8;
  const legendY = top + lanes.length * LANE_HEIGHT + 36;
  const height = legendY + 16;
  const pw = width - LABEL_WIDTH - 16;

  const t0 = bars.length ? Math.min(...bars.map((b) => b.start)) : options.now;
  const t1 = bars.length ? Math.max(...bars.map((b) => b.end ?? options.now), t0 + 1000) : t0 + 1000;
  const unit = timeUnit(t1 - t0);
  const span = (t1 - t0) / unit.ms;
  const ticks = niceTicks(0, span, Math.max(2, Math.floor(pw / 90))).filter((t) => t >= 0 && t <= span * 1.0001);
  const sx = (t: number) => LABEL_WIDTH + ((t - t0) / (t1 - t0)) * pw;

  const p: string[] = [];
  p.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title ?? 'stage timeline')}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  p.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  if (options.title) p.push(`<text x="8" y="18" font-size="13" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`);
  lanes.forEach((lane, i) => {
    const y = top + i * LANE_HEIGHT;
    if (i % 2 === 0) p.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${pw}" height="${LANE_HEIGHT}" fill="#f6f7f9"/>`);
    const shown = lane.length > 22 ? `${lane.slice(0, 21)}…` : lane;
    p.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + LANE_HEIGHT / 2}" text-anchor="end" dominant-baseline="middle" fill="#333">${escapeXml(shown)}<title>${escapeXml(lane)}</title></text>`,
    );
  });
  const axisY = top + lanes.length * LANE_HEIGHT;
  p.push(`<line x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + pw}" y1="${axisY}" y2="${axisY}" stroke="#888"/>`);
  for (const t of ticks) {
    const x = num(LABEL_WIDTH + (t / span) * pw);
    p.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${axisY + 4}" stroke="#d0d4da" stroke-dasharray="2 3"/>`);
    p.push(`<text x="${x}" y="${axisY + 16}" text-anchor="middle" fill="#555">${t}</text>`);
  }
  p.push(`<text x="${LABEL_WIDTH + pw}" y="${axisY + 30}" text-anchor="end" fill="#333">time since first start (${unit.name})</text>`);

  for (const b of bars) {
    const lane = lanes.indexOf(b.lane);
    const x = sx(b.start);
    const w = Math.max(2, sx(b.end ?? options.now) - x);
    const y = top + lane * LANE_HEIGHT + (LANE_HEIGHT - BAR_HEIGHT) / 2;
    const color = OUTCOME_COLORS[b.outcome];
    const tip = escapeXml(b.detail ?? `${b.label} on ${b.lane}: ${b.outcome}`);
    p.push(`<g class="bar bar-${b.outcome}"><title>${tip}</title>`);
    p.push(
      `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${BAR_HEIGHT}" rx="3" fill="${color}"${b.outcome === 'running' ? ' fill-opacity="0.75"' : ''}/>`,
    );
    // Only label bars wide enough to hold the text (about 6 px per character at 11 px).
    const maxChars = Math.floor((w - 6) / 6);
    if (maxChars >= 3) {
      const text = b.label.length > maxChars ? `${b.label.slice(0, maxChars - 1)}…` : b.label;
      p.push(`<text x="${num(x + 4)}" y="${num(y + BAR_HEIGHT / 2)}" dominant-baseline="middle" fill="#fff">${escapeXml(text)}</text>`);
    }
    p.push('</g>');
  }

  let lx = LABEL_WIDTH;
  for (const [outcome, color] of Object.entries(OUTCOME_COLORS)) {
    p.push(`<rect x="${lx}" y="${legendY - 9}" width="12" height="12" rx="2" fill="${color}"/>`);
    p.push(`<text x="${lx + 16}" y="${legendY - 3}" dominant-baseline="middle" fill="#333">${outcome}</text>`);
    lx += 24 + outcome.length * 7;
  }
  p.push('</svg>');
  return p.join('');
}
