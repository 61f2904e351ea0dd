/**
 * One sweep: its comparison table (paper-shaped, from the axes) and its trial table with
 * status, progress and mAP under each protocol.
 */
import { comparisonTable, formatAxisValue, type ComparisonTable } from './comparison.ts';
import { duration, pct, pctAggregate, progressBar, statusBadge, utc } from './format.ts';
import { html, pathSegment, type SafeHtml } from './html.ts';
import type { Page } from './layout.ts';
import { METRICS, RUN_STATUSES, type SweepView } from './view-model.ts';

const VERSUS: Record<string, string> = {
  best: 'best',
  indistinguishable: '≈ best (95 % CIs overlap)',
  worse: 'below best',
  unknown: '–',
};

export function comparisonTableHtml(t: ComparisonTable): SafeHtml {
  if (t.rows.length === 0) return html`<p class="empty">No trials yet.</p>`;
  const metricLabel = (k: string) => METRICS.find((m) => m.key === k)?.label ?? k;
  return html`<table class="comparison">
<thead><tr>${t.axes.map((a) => html`<th>${a.label ?? a.name}</th>`)}${t.metrics.map((k) => html`<th class="num">${metricLabel(k)}</th>`)}<th class="num">n</th><th class="num">95 % CI (±)</th><th>vs. best</th></tr></thead>
<tbody>${t.rows.map((r) => {
    const primary = t.primary ? r.cells[t.primary] : undefined;
    return html`<tr class="${r.versusBest === 'best' ? 'best' : ''}">${r.settings.map((v) => html`<td>${formatAxisValue(v)}</td>`)}${t.metrics.map((k) => html`<td class="num">${pctAggregate(r.cells[k])}</td>`)}<td class="num">${primary?.n ?? 0}${r.unfinished ? html` <span class="muted">(+${r.unfinished} not finished)</span>` : ''}</td><td class="num">${primary?.ci95 !== undefined ? (primary.ci95 * 100).toFixed(1) : '–'}</td><td>${VERSUS[r.versusBest]}</td></tr>`;
  })}</tbody>
<caption>${t.paperRef ? `Shaped like the paper's ${t.paperRef}. ` : ''}Mean ± sample std over repeats (seeds), in %; rows whose 95 % confidence interval overlaps the best row's are not distinguishable from it.</caption>
</table>`;
}

export function sweepBody(sweep: SweepView): SafeHtml {
  const table = comparisonTable(sweep);
  const counts = RUN_STATUSES.filter((s) => sweep.trialCounts[s] > 0).map((s) => html`${statusBadge(s)} ${sweep.trialCounts[s]} `);
  const showProgress = sweep.trials.some((t) => t.status === 'running');
  const metricCols = METRICS.filter((m) => sweep.trials.some((t) => t.map[m.key] !== undefined));
  const rows = sweep.trials.map(
    (t) => html`<tr data-trial="${t.id}">
<td><a href="/sweeps/${pathSegment(sweep.id)}/trials/${pathSegment(t.id)}">${t.id}</a></td>
${sweep.axes.map((a) => html`<td>${t.axes[a.name] === undefined ? '–' : formatAxisValue(t.axes[a.name])}</td>`)}
<td class="num">${t.seed ?? t.repeat}</td>
<td>${statusBadge(t.status)}</td>
${showProgress ? html`<td>${t.status === 'running' ? progressBar(t.progress) : ''}</td>` : ''}
${metricCols.map((m) => html`<td class="num">${pct(t.map[m.key])}</td>`)}
<td class="num">${t.startedAt !== undefined ? duration((t.finishedAt ?? Date.now()) - t.startedAt) : '–'}</td>
<td class="err">${t.error ?? ''}</td>
</tr>`,
  );
  return html`<h1>${sweep.name}</h1>
<p class="sub">${statusBadge(sweep.status)} · <code>${sweep.id}</code> · submitted ${utc(sweep.createdAt)}${sweep.dataset ? ` · ${sweep.dataset}` : ''}${sweep.mode ? ` · ${sweep.mode}` : ''} · <a href="/api/sweeps/${pathSegment(sweep.id)}">JSON</a></p>
<p>${counts}</p>
<h2>${table.title}</h2>
${comparisonTableHtml(table)}
<h2>Trials</h2>
<table id="trials">
<thead><tr><th>trial</th>${sweep.axes.map((a) => html`<th>${a.label ?? a.name}</th>`)}<th class="num">seed</th><th>status</th>${showProgress ? html`<th>progress</th>` : ''}${metricCols.map((m) => html`<th class="num">${m.label}</th>`)}<th class="num">time</th><th>error</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function sweepPage(sweep: SweepView): Page {
  return {
    title: sweep.name,
    crumbs: [
      ['sweeps', '/'],
      [sweep.name, `/sweeps/${pathSegment(sweep.id)}`],
    ],
    liveSweep: sweep.id,
    body: sweepBody(sweep),
  };
}
