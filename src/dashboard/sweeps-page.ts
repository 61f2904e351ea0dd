/** The sweeps list: every sweep with its status, trial counts and best VOC07 mAP; cluster gauges. */
import { duration, pct, statusBadge, utc } from './format.ts';
import { html, pathSegment, type SafeHtml } from './html.ts';
import type { Page } from './layout.ts';
import { RUN_STATUSES, type ClusterStats, type SweepSummary } from './view-model.ts';

export function sweepsBody(sweeps: readonly SweepSummary[], stats: ClusterStats): SafeHtml {
  const jobs = RUN_STATUSES.map((s) => html`<div class="card"><div class="v">${stats.jobsByState[s] ?? 0}</div><div class="k">jobs ${s}</div></div>`);
  const rows = sweeps.map((s) => {
    const total = RUN_STATUSES.reduce((a, st) => a + s.trialCounts[st], 0);
    const end = s.finishedAt ?? (s.status === 'running' || s.status === 'pending' ? undefined : s.createdAt);
    return html`<tr data-sweep="${s.id}">
<td><a href="/sweeps/${pathSegment(s.id)}">${s.name}</a><div class="muted">${s.id}</div></td>
<td>${statusBadge(s.status)}</td>
<td>${s.axes.map((a) => a.label ?? a.name).join(' × ') || '–'}</td>
<td class="num">${s.trialCounts.succeeded} / ${total}${s.trialCounts.failed ? html` <span class="err">(${s.trialCounts.failed} failed)</span>` : ''}</td>
<td class="num">${pct(s.bestVoc07)}</td>
<td>${utc(s.createdAt)}</td>
<td class="num">${s.finishedAt !== undefined ? duration(s.finishedAt - s.createdAt) : end === undefined ? 'running' : '–'}</td>
</tr>`;
  });
  return html`<h1>Sweeps</h1>
<p class="sub">${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'} · ${stats.workers} worker${stats.workers === 1 ? '' : 's'} connected · ${stats.pendingGpuJobs} GPU job${stats.pendingGpuJobs === 1 ? '' : 's'} waiting</p>
<div class="cards">${jobs}</div>
${
  sweeps.length === 0
    ? html`<p class="empty">No sweeps yet. Submit one with <code>frcnn sweep submit sweep.yaml</code>.</p>`
    : html`<table id="sweeps">
<thead><tr><th>sweep</th><th>status</th><th>axes</th><th class="num">trials done</th><th class="num">best mAP VOC07 (%)</th><th>submitted (UTC)</th><th class="num">wall time</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`;
}

export function sweepsPage(sweeps: readonly SweepSummary[], stats: ClusterStats): Page {
  return { title: 'Sweeps', crumbs: [['sweeps', '/']], body: sweepsBody(sweeps, stats) };
}
