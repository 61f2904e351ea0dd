/** Number, time and status formatting shared by the pages. */
import type { Aggregate } from './comparison.ts';
import { html, type SafeHtml } from './html.ts';
import type { RunStatus } from './view-model.ts';

/** A fraction as a percentage with one decimal, as the paper prints mAP ("69.9"); "–" when absent. */
export function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : (v * 100).toFixed(1);
}

/** "59.9 ± 0.4" for n > 1, "59.9" for a single run; std in percentage points. */
export function pctAggregate(a: Aggregate | undefined): string {
  if (!a) return '–';
  return a.n > 1 ? `${pct(a.mean)} ± ${(a.std * 100).toFixed(1)}` : pct(a.mean);
}

/** UTC timestamp to the minute (seconds when `seconds`), e.g. "2026-11-26 08:24Z". */
export function utc(ms: number | undefined, seconds = false): string {
  if (ms === undefined) return '–';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}Z`;
}

/** Human duration: "850 ms", "12.3 s", "4 min 05 s", "2 h 07 min". */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function statusBadge(status: RunStatus | string): SafeHtml {
  return html`<span class="badge status-${status.replace(/[^a-z]/g, '')}">${status}</span>`;
}

/** A progress bar for a fraction in [0, 1]. */
export function progressBar(fraction: number | undefined): SafeHtml {
  if (fraction === undefined) return html``;
  const p = Math.max(0, Math.min(1, fraction));
  return html`<span class="progress" title="${(p * 100).toFixed(0)} %"><span style="width:${(p * 100).toFixed(1)}%"></span></span>`;
}

/** JSON with two-space indentation, but lists of numbers, strings or booleans on one line ("scales": [8, 16, 32]). */
export function prettyJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
