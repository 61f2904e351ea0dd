import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw } from '../../src/dashboard/html.ts';
import { layout } from '../../src/dashboard/layout.ts';
import { summarize } from '../../src/dashboard/memory-source.ts';
import { sampleTrial } from '../../src/dashboard/sample.ts';
import { sweepPage } from '../../src/dashboard/sweep-page.ts';
import { sweepsPage } from '../../src/dashboard/sweeps-page.ts';
import { trialPage } from '../../src/dashboard/trial-page.ts';
import { sweepId, trialId, workerId, type SweepView } from '../../src/dashboard/view-model.ts';

const EVIL = '<script>alert("x")</script>';

test('escapeHtml escapes the five special characters', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('html template escapes interpolations, keeps nested templates and raw markup', () => {
  const inner = html`<b>${EVIL}</b>`;
  const out = html`<p title="${'"quoted"'}">${inner}${[1, '<i>', null, undefined, false]}${raw('<svg/>')}</p>`;
  assert.equal(out.value, '<p title="&quot;quoted&quot;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</b>1&lt;i&gt;<svg/></p>');
});

test('every page escapes injected sweep, axis, trial, class, stage and worker names', () => {
  const now = Date.UTC(2026, 10, 26, 12);
  const t = sampleTrial({ sweep: EVIL, id: EVIL, axes: { [EVIL]: EVIL }, repeat: 0, target: 0.7, start: now - 3600_000 * 20, status: 'succeeded', withRetry: true, now });
  const trial = {
    ...t,
    classAp: t.classAp.map((c, i) => (i === 0 ? { ...c, className: EVIL } : c)),
    prCurves: t.prCurves.map((c, i) => (i === 0 ? { ...c, className: EVIL } : c)),
    losses: t.losses.map((l) => ({ ...l, stage: EVIL, series: l.series.map((s) => ({ ...s, name: EVIL })) })),
    attempts: t.attempts.map((a) => ({ ...a, stage: EVIL, workerId: workerId(EVIL), reason: EVIL })),
    timing: t.timing && { ...t.timing, device: EVIL },
    error: EVIL,
    config: { [EVIL]: EVIL },
  };
  const summary = summarize({
    sweep: { id: sweepId(EVIL), name: EVIL, status: 'running', createdAt: now, dataset: EVIL, mode: EVIL, axes: [{ name: EVIL, label: EVIL, values: [EVIL] }] },
    trials: [trial],
  });
  const sweep: SweepView = { ...summary, trials: [trial] };
  const pages = [
    layout(sweepsPage([summary], { jobsByState: {}, pendingGpuJobs: 0, runningGpuJobs: 0, workers: 0 })).value,
    layout(sweepPage(sweep)).value,
    layout(trialPage(summary, trial, now)).value,
  ];
  for (const p of pages) {
    assert.ok(!p.includes('<script>alert'), 'an injected <script> reached the markup');
    assert.ok(p.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), 'the injected name is shown as text');
    // The only script element is the page's own live-update script.
    assert.equal(p.match(/<script/g)?.length, 1);
  }
  // Links carry the id percent-encoded, never raw.
  assert.ok(pages[0].includes(`/sweeps/${encodeURIComponent(EVIL)}`));
  assert.equal(trialId(EVIL), EVIL);
});

test('config JSON keeps scalar lists on one line and stays valid JSON', async () => {
  const { prettyJson } = await import('../../src/dashboard/format.ts');
  const value = { anchors: { scales: [8, 16, 32], ratios: [0.5, 1, 2] }, name: 'x<y', list: [{ a: 1 }], empty: {}, skip: undefined };
  const text = prettyJson(value);
  assert.equal(text, '{\n  "anchors": {\n    "scales": [8, 16, 32],\n    "ratios": [0.5, 1, 2]\n  },\n  "name": "x<y",\n  "list": [\n    {\n      "a": 1\n    }\n  ],\n  "empty": {}\n}');
  assert.deepEqual(JSON.parse(text), { anchors: value.anchors, name: 'x<y', list: [{ a: 1 }], empty: {} });
});
