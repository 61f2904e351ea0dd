/**
 * Small helpers shared by the dashboard's SVG charts: escaping of text that ends up in the
 * markup (class, stage and worker names come from users), number formatting for ticks, and
 * "nice" tick positions.
 */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for SVG/XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

/** Coordinates with at most two decimals keep the markup small. */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * About `count` evenly spaced round tick values covering [min, max] (steps of 1, 2 or 5
 * times a power of ten), e.g. niceTicks(0, 1, 5) = [0, 0.2, 0.4, 0.6, 0.8, 1].
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`ticks of [${min}, ${max}]`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  // Multiplying the index (not accumulating) keeps 0.1-steps free of drift like 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Tick label: integers as is, others with as few digits as the step needs. */
export function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 6));
}

/** Okabe–Ito and Tableau-like colours: distinguishable, also for colour-blind readers. */
export const PALETTE = [
  '#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000',
  '#8c564b', '#7f7f7f', '#17becf', '#bcbd22', '#9467bd', '#1f77b4', '#ff7f0e', '#2ca02c',
  '#d62728', '#e377c2', '#aec7e8', '#98df8a',
];
