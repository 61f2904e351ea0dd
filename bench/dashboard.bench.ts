/**
 * Dashboard rendering and serving cost, with baselines measured in the same run.
 *
 *   npm run bench:dashboard [-- --trials 1024 --requests 200]
 *
 * Scenario: a sweep of `trials` trials over three axes with five seeds each (the comparison
 * table aggregates them), and a finished trial with 20 precision/recall curves, four training
 * stages of 400 loss points and a retried attempt.
 * Figures: ms to render the sweep page and the trial page (HTML, comparison table, SVG
 * charts, escaping) against JSON.stringify of the same view model (what the JSON API costs);
 * sweep pages served per second over HTTP against /healthz (the server's own overhead).
 */
import { parseArgs } from 'node:util';
import { layout } from '../src/dashboard/layout.ts';
import { MemorySource } from '../src/dashboard/memory-source.ts';
import { sampleTrial } from '../src/dashboard/sample.ts';
import { startDashboard } from '../src/dashboard/server.ts';
import { sweepPage } from '../src/dashboard/sweep-page.ts';
import { trialPage } from '../src/dashboard/trial-page.ts';
import { sweepId, trialId, type SweepView, type TrialDetail } from '../src/dashboard/view-model.ts';
import { summarize } from '../src/dashboard/memory-source.ts';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '1024' }, requests: { type: 'string', default: '200' } } });
const N = Number(values.trials);
const REQUESTS = Number(values.requests);
const NOW = Date.UTC(2026, 10, 26);

function timeIt(fn: () => unknown, minMs = 300): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n += 1;
  }
  return (performance.now() - t0) / n;
}

const lambdas = [0.1, 1, 10, 100];
const scales = [[8], [16], [8, 16, 32]];
const ratios = [[1], [0.5, 1, 2]];
const id = sweepId('sw-bench');
const full: TrialDetail[] = [];
for (let i = 0; i < N; i++) {
  const axes = { 'rpn.lossLambda': lambdas[i % 4], 'anchors.scales': scales[Math.floor(i / 4) % 3], 'anchors.ratios': ratios[Math.floor(i / 12) % 2] };
  full.push({
    id: trialId(`t${i}`), sweepId: id, status: 'succeeded', axes, repeat: Math.floor(i / 24), seed: i,
    map: { voc07: 0.6 + ((i * 7919) % 100) / 1000, voc2010: 0.62 + ((i * 104729) % 100) / 1000 },
    startedAt: NOW - 3600_000, finishedAt: NOW, classAp: [], prCurves: [], losses: [], attempts: [],
  });
}
const sweep: SweepView = {
  ...summarize({
    sweep: { id, name: 'bench', status: 'succeeded', createdAt: NOW - 86400_000, axes: [
      { name: 'rpn.lossLambda', values: lambdas },
      { name: 'anchors.scales', values: scales },
      { name: 'anchors.ratios', values: ratios },
    ] },
    trials: full,
  }),
  trials: full,
};
const trial = sampleTrial({ sweep: id, id: 't0', axes: full[0].axes, repeat: 0, target: 0.7, start: NOW - 20 * 3600_000, status: 'succeeded', withRetry: true, now: NOW });
// Four stages of 400 loss points (the coordinator keeps at most 400 per stage).
const losses = trial.losses.map((l) => ({ ...l, series: l.series.map((s) => ({ ...s, points: Array.from({ length: 400 }, (_, k) => ({ x: k * 100, y: 1 / (1 + k / 50) })) })) }));
const heavy: TrialDetail = { ...trial, losses, prCurves: trial.prCurves.map((c) => ({ ...c, points: Array.from({ length: 101 }, (_, k) => ({ x: k / 100, y: 1 - (k / 100) ** 3 })) })) };

const sweepHtml = timeIt(() => layout(sweepPage(sweep)).value);
const sweepJson = timeIt(() => JSON.stringify(sweep));
const trialHtml = timeIt(() => layout(trialPage(sweep, heavy, NOW)).value);
const trialJson = timeIt(() => JSON.stringify(heavy));
const bytes = Buffer.byteLength(layout(sweepPage(sweep)).value);

const source = new MemorySource([{ sweep: { id, name: 'bench', status: 'succeeded', createdAt: NOW, axes: sweep.axes }, trials: full }]);
const server = await startDashboard(source, { port: 0, host: '127.0.0.1' });
async function rate(path: string): Promise<number> {
  await (await fetch(server.url + path)).text();
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i++) await (await fetch(server.url + path)).text();
  return REQUESTS / ((performance.now() - t0) / 1000);
}
const pageRate = await rate(`/sweeps/${id}`);
const healthRate = await rate('/healthz');
await server.close();

console.log(`sweep page, ${N} trials (${(bytes / 1024).toFixed(0)} KiB): render ${sweepHtml.toFixed(2)} ms  | baseline JSON.stringify ${sweepJson.toFixed(2)} ms (${(sweepHtml / sweepJson).toFixed(1)}×)`);
console.log(`trial page, 20 PR curves + ${losses.length}×400 loss points: render ${trialHtml.toFixed(2)} ms  | baseline JSON.stringify ${trialJson.toFixed(2)} ms (${(trialHtml / trialJson).toFixed(1)}×)`);
console.log(`HTTP, sequential keep-alive: sweep page ${pageRate.toFixed(0)} req/s  | baseline /healthz ${healthRate.toFixed(0)} req/s`);
