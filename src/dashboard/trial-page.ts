/**
 * One trial: mAP, per-class AP, precision/recall curves, training losses per stage, the stage
 * timeline with every attempt (retries visible), the Table 5 timing breakdown and the
 * resolved config that reproduces it.
 */
import { lineChart } from '../plot/index.ts';
import { timelineSvg } from '../plot/timeline.ts';
import { formatAxisValue } from './comparison.ts';
import { duration, pct, prettyJson, statusBadge, utc } from './format.ts';
import { html, pathSegment, raw, type SafeHtml } from './html.ts';
import type { Page } from './layout.ts';
import type { SweepSummary, TimingBreakdown, TrialDetail } from './view-model.ts';

/** A chart from src/plot (which escapes its own text) in a framed box. */
function chart(svg: string): SafeHtml {
  return html`<div class="chart">${raw(svg)}</div>`;
}

function classApTable(t: TrialDetail): SafeHtml {
  if (t.classAp.length === 0) return html`<p class="empty">Not evaluated yet.</p>`;
  const has07 = t.classAp.some((c) => c.voc07 !== undefined);
  const has10 = t.classAp.some((c) => c.voc2010 !== undefined);
  const mean = (k: 'voc07' | 'voc2010') => {
    const v = t.classAp.map((c) => c[k]).filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  };
  const bar = (v: number | undefined) => (v === undefined ? '' : html`<span class="apbar" style="width:${(v * 80).toFixed(0)}px"></span>`);
  return html`<table id="class-ap">
<thead><tr><th>class</th>${has07 ? html`<th class="num">AP VOC07 (%)</th>` : ''}${has10 ? html`<th class="num">AP VOC2010 (%)</th>` : ''}</tr></thead>
<tbody>${t.classAp.map((c) => html`<tr><td>${c.className}</td>${has07 ? html`<td class="num">${pct(c.voc07)}${bar(c.voc07)}</td>` : ''}${has10 ? html`<td class="num">${pct(c.voc2010)}</td>` : ''}</tr>`)}
<tr class="total"><td>mean (mAP)</td>${has07 ? html`<td class="num">${pct(mean('voc07'))}</td>` : ''}${has10 ? html`<td class="num">${pct(mean('voc2010'))}</td>` : ''}</tr></tbody>
</table>`;
}

function prCurves(t: TrialDetail): SafeHtml {
  if (t.prCurves.length === 0) return html`<p class="empty">No precision/recall curves yet.</p>`;
  const ap = new Map(t.classAp.map((c) => [c.className, c.voc2010 ?? c.voc07]));
  return html`<div class="grid" id="pr-curves">${t.prCurves.map((c) => {
    const a = ap.get(c.className);
    return chart(
      lineChart({
        series: [{ name: c.className, x: c.points.map((p) => p.x), y: c.points.map((p) => p.y) }],
        title: a === undefined ? c.className : `${c.className} (AP ${pct(a)})`,
        xLabel: 'recall',
        yLabel: 'precision',
        xDomain: [0, 1],
        yDomain: [0, 1],
        width: 250,
        height: 200,
        legend: false,
      }),
    );
  })}</div>`;
}

function lossCurves(t: TrialDetail): SafeHtml {
  if (t.losses.length === 0) return html`<p class="empty">No training losses recorded yet.</p>`;
  return html`<div class="grid" id="loss-curves">${t.losses.map((s) =>
    chart(
      lineChart({
        series: s.series.map((x) => ({ name: x.name, x: x.points.map((p) => p.x), y: x.points.map((p) => p.y) })),
        title: s.step !== undefined ? `step ${s.step}: ${s.stage}` : s.stage,
        xLabel: 'iteration',
        yLabel: 'loss',
        width: 420,
        height: 240,
      }),
    ),
  )}</div>`;
}

function timeline(t: TrialDetail, now: number): SafeHtml {
  if (t.attempts.length === 0) return html`<p class="empty">No stage has started yet.</p>`;
  const timelineChart = timelineSvg(
    t.attempts.map((a) => {
      const label = `${a.step !== undefined ? `${a.step} ` : ''}${a.stage}${a.attempt > 1 ? ` #${a.attempt}` : ''}`;
      return {
        lane: a.workerId,
        start: a.startedAt,
        end: a.endedAt,
        label,
        outcome: a.outcome,
        detail: `${label} on ${a.workerId}: ${a.outcome}${a.reason ? ` (${a.reason})` : ''}, ${duration((a.endedAt ?? now) - a.startedAt)}`,
      };
    }),
    { now, width: 1000 },
  );
  const rows = [...t.attempts]
    .sort((a, b) => a.startedAt - b.startedAt)
    .map(
      (a) => html`<tr class="attempt-${a.outcome}"><td>${a.step ?? ''}</td><td>${a.stage}</td><td class="nw"><code>${a.jobId}</code></td><td class="num nw">${a.attempt}${a.attempt > 1 ? html` <span class="muted">(retry)</span>` : ''}</td><td class="nw">${a.workerId}</td><td class="nw">${utc(a.startedAt, true)}</td><td class="num nw">${duration((a.endedAt ?? now) - a.startedAt)}</td><td>${statusBadge(a.outcome)}</td><td class="err">${a.reason ?? ''}</td></tr>`,
    );
  return html`<div class="chart">${raw(timelineChart)}</div>
<table id="attempts">
<thead><tr><th>step</th><th>stage</th><th>job</th><th class="num">attempt</th><th>worker</th><th>started (UTC)</th><th class="num">duration</th><th>outcome</th><th>reason</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** Table 5 of the paper: conv | proposal | region-wise | total ms per image, and frames per second. */
export function timingTable(timing: TimingBreakdown | undefined): SafeHtml {
  if (!timing) return html`<p class="empty">Not measured yet (measured by the detect stage).</p>`;
  const total = timing.convMs + timing.proposalMs + timing.regionWiseMs;
  return html`<table id="timing">
<thead><tr><th>device</th><th class="num">conv (ms)</th><th class="num">proposal (ms)</th><th class="num">region-wise (ms)</th><th class="num">total (ms)</th><th class="num">rate (fps)</th></tr></thead>
<tbody><tr><td>${timing.device}</td><td class="num">${timing.convMs.toFixed(0)}</td><td class="num">${timing.proposalMs.toFixed(0)}</td><td class="num">${timing.regionWiseMs.toFixed(0)}</td><td class="num">${total.toFixed(0)}</td><td class="num">${total > 0 ? (1000 / total).toFixed(1) : '–'}</td></tr></tbody>
<caption>Per-image test time, as in Table 5 of the paper; region-wise includes NMS, pooling, fully-connected and softmax layers.</caption>
</table>`;
}

export function trialBody(sweep: SweepSummary, t: TrialDetail, now = Date.now()): SafeHtml {
  const cards = [
    ['mAP VOC07', pct(t.map.voc07)],
    ['mAP VOC2010', pct(t.map.voc2010)],
    ['AP COCO', pct(t.map.coco)],
    ['wall time', t.startedAt !== undefined ? duration((t.finishedAt ?? now) - t.startedAt) : '–'],
    ['attempts', String(t.attempts.length)],
  ].map(([k, v]) => html`<div class="card"><div class="v">${v}</div><div class="k">${k}</div></div>`);
  const settings = sweep.axes.map((a) => html`<code>${a.label ?? a.name} = ${t.axes[a.name] === undefined ? '–' : formatAxisValue(t.axes[a.name])}</code> `);
  return html`<h1>Trial ${t.id}</h1>
<p class="sub">${statusBadge(t.status)} · sweep <a href="/sweeps/${pathSegment(sweep.id)}">${sweep.name}</a> · ${settings} · seed ${t.seed ?? '–'} · <a href="/api/sweeps/${pathSegment(sweep.id)}/trials/${pathSegment(t.id)}">JSON</a></p>
${t.error ? html`<p class="err">${t.error}</p>` : ''}
<div class="cards">${cards}</div>
<h2>Per-class AP</h2>
${classApTable(t)}
<h2>Precision / recall</h2>
${prCurves(t)}
<h2>Training losses</h2>
${lossCurves(t)}
<h2>Stage timeline</h2>
${timeline(t, now)}
<h2>Timing (ms per image)</h2>
${timingTable(t.timing)}
<h2>Resolved config</h2>
${t.config ? html`<pre>${prettyJson(t.config)}</pre>` : html`<p class="empty">Not recorded.</p>`}`;
}

export function trialPage(sweep: SweepSummary, t: TrialDetail, now = Date.now()): Page {
  return {
    title: `trial ${t.id}`,
    crumbs: [
      ['sweeps', '/'],
      [sweep.name, `/sweeps/${pathSegment(sweep.id)}`],
      [t.id, `/sweeps/${pathSegment(sweep.id)}/trials/${pathSegment(t.id)}`],
    ],
    liveSweep: sweep.id,
    body: trialBody(sweep, t, now),
  };
}
