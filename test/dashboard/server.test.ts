import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { MemorySource } from '../../src/dashboard/memory-source.ts';
import { sampleSweeps, sampleTrial } from '../../src/dashboard/sample.ts';
import { startDashboard, type DashboardServer } from '../../src/dashboard/server.ts';
import { sweepId, type SweepSummary, type SweepView, type TrialDetail } from '../../src/dashboard/view-model.ts';
import type { ComparisonTable } from '../../src/dashboard/comparison.ts';

type SweepJson = SweepView & { comparison: ComparisonTable };

const NOW = Date.UTC(2026, 10, 26, 9);
const TOKEN = 's3cret-token';
let source: MemorySource;
let server: DashboardServer;

before(async () => {
  source = new MemorySource(sampleSweeps(NOW));
  source.setCluster({ jobsByState: { pending: 3, running: 1, succeeded: 40 }, pendingGpuJobs: 2, runningGpuJobs: 1, workers: 3 });
  server = await startDashboard(source, { port: 0, host: '127.0.0.1', token: TOKEN, maxBodyBytes: 1024, maxUrlBytes: 512, heartbeatMs: 100 });
});
after(() => server.close());

test('JSON API: sweeps list, sweep with its comparison table, trial detail, 404s', async () => {
  const list = (await (await fetch(`${server.url}/api/sweeps`)).json()) as { sweeps: SweepSummary[]; cluster: { workers: number } };
  assert.equal(list.cluster.workers, 3);
  assert.deepEqual(list.sweeps.map((s) => s.id), ['sw-lambda-c41d', 'sw-anchors-8f3a']);
  assert.equal(list.sweeps[1].trialCounts.succeeded, 12);

  const res = await fetch(`${server.url}/api/sweeps/sw-anchors-8f3a`);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  const sweep = (await res.json()) as SweepJson;
  assert.equal(sweep.trials.length, 12);
  assert.equal(sweep.comparison.rows.length, 6);
  assert.equal(sweep.comparison.paperRef, 'Table 8 (anchor settings)');
  assert.equal((sweep.trials[0] as Partial<TrialDetail>).prCurves, undefined, 'the sweep payload stays light');

  const trial = (await (await fetch(`${server.url}/api/sweeps/sw-anchors-8f3a/trials/t01`)).json()) as TrialDetail;
  assert.equal(trial.classAp.length, 20);
  assert.ok(trial.attempts.some((a) => a.attempt === 2), 'the retry is in the trial detail');

  const missing = await fetch(`${server.url}/api/sweeps/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: 'no sweep nope' });
  assert.equal((await fetch(`${server.url}/api/sweeps/sw-anchors-8f3a/trials/t99`)).status, 404);
  assert.equal((await fetch(`${server.url}/no/such/page`)).status, 404);
});

test('pages: full HTML with security headers, fragments without the shell', async () => {
  const res = await fetch(`${server.url}/sweeps/sw-anchors-8f3a`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const body = await res.text();
  assert.match(body, /^<!doctype html>/);
  assert.match(body, /<table id="trials">/);
  const frag = await (await fetch(`${server.url}/sweeps/sw-anchors-8f3a?fragment=1`)).text();
  assert.ok(!frag.includes('<!doctype'));
  assert.match(frag, /<table id="trials">/);
  const trial = await (await fetch(`${server.url}/sweeps/sw-anchors-8f3a/trials/t01`)).text();
  for (const id of ['class-ap', 'pr-curves', 'loss-curves', 'attempts', 'timing']) assert.ok(trial.includes(`id="${id}"`), id);
  assert.equal((await fetch(`${server.url}/static/live.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  const head = await fetch(`${server.url}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('health, readiness, scaling signal and Prometheus metrics', async () => {
  assert.equal(await (await fetch(`${server.url}/healthz`)).text(), 'ok\n');
  assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  source.isReady = false;
  assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
  source.isReady = true;
  assert.deepEqual(await (await fetch(`${server.url}/api/scaling`)).json(), { gpuTrainersWanted: 3, pendingGpuJobs: 2, runningGpuJobs: 1, workers: 3 });
  server.metrics.leaseExpiries.inc();
  server.metrics.stageDuration.observe({ stage: 'train_rpn' }, 7200);
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  assert.match(text, /^frcnn_jobs\{state="pending"\} 3$/m);
  assert.match(text, /^frcnn_jobs\{state="failed"\} 0$/m);
  assert.match(text, /^frcnn_workers 3$/m);
  assert.match(text, /^frcnn_pending_gpu_jobs 2$/m);
  assert.match(text, /^frcnn_running_gpu_jobs 1$/m);
  assert.match(text, /^frcnn_lease_expiries_total 1$/m);
  assert.match(text, /^frcnn_stage_duration_seconds_count\{stage="train_rpn"\} 1$/m);
  assert.match(text, /^frcnn_http_requests_total\{route="healthz",code="200"\} 1$/m);
  assert.match(text, /^frcnn_http_requests_total\{route="readyz",code="503"\} 1$/m);
});

test('cancel needs the bearer token; wrong methods, long targets and big bodies are refused', async () => {
  const url = `${server.url}/api/sweeps/sw-lambda-c41d/cancel`;
  const anon = await fetch(url, { method: 'POST' });
  assert.equal(anon.status, 401);
  assert.equal(anon.headers.get('www-authenticate'), 'Bearer realm="frcnn"');
  assert.equal((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.equal((await fetch(`${server.url}/api/sweeps/nope/cancel`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
  const big = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x'.repeat(4096) });
  assert.equal(big.status, 413);
  assert.equal((await fetch(`${server.url}/api/sweeps`, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${server.url}/api/sweeps?${'q'.repeat(600)}`)).status, 414);
  const ok = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 202);
  const sweep = (await (await fetch(`${server.url}/api/sweeps/sw-lambda-c41d`)).json()) as SweepView;
  assert.equal(sweep.status, 'cancelled');
  assert.ok(sweep.trials.every((t) => t.status === 'succeeded' || t.status === 'cancelled'));
});

/** Reads SSE frames from /api/events until `want` update events arrived. */
function readEvents(path: string, want: number, onOpen: () => void): Promise<{ events: string[]; comments: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buf = '';
      const events: string[] = [];
      let comments = 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (frame.startsWith(':')) comments += 1;
          const data = /^data: (.*)$/m.exec(frame);
          if (/^event: update$/m.test(frame) && data) events.push(data[1]);
          if (frame.startsWith('retry:')) onOpen();
        }
        if (events.length >= want && comments > 0) {
          req.destroy();
          resolve({ events, comments });
        }
      });
    });
    req.on('error', (e) => (e.message.includes('aborted') ? undefined : reject(e)));
    req.end();
  });
}

test('SSE: updates for the watched sweep only, merged within the update window, with heartbeats', async () => {
  const lambda = sweepId('sw-lambda-c41d');
  const got = readEvents('/api/events?sweep=sw-lambda-c41d', 2, () => {
    source.putTrial(sweepId('sw-anchors-8f3a'), sampleTrial({ sweep: 'sw-anchors-8f3a', id: 't13', axes: {}, repeat: 0, target: 0.7, start: NOW, status: 'running', stagesDone: 1, now: NOW }));
    // Progress reports in a burst: the first goes out at once, the rest merge into one (the last).
    for (const stagesDone of [2, 3, 4]) {
      source.putTrial(lambda, sampleTrial({ sweep: lambda, id: 't4', axes: { 'rpn.lossLambda': 100 }, repeat: 0, target: 0.69, start: NOW, status: 'running', stagesDone, now: NOW }));
    }
    source.setCluster({ jobsByState: {}, pendingGpuJobs: 0, runningGpuJobs: 0, workers: 1 });
    source.setSweepStatus(lambda, 'running');
  });
  const t0 = Date.now();
  const { events } = await got;
  assert.ok(Date.now() - t0 >= 400, 'the merged update waits for the end of the window');
  assert.deepEqual(events.map((e) => JSON.parse(e)), [
    { type: 'trial', sweepId: 'sw-lambda-c41d', trialId: 't4' },
    { type: 'sweep', sweepId: 'sw-lambda-c41d' },
  ]);
});

test('pages are re-rendered as soon as the source reports a change', async () => {
  const url = `${server.url}/sweeps/sw-anchors-8f3a?fragment=1`;
  const before = await (await fetch(url)).text();
  assert.equal(await (await fetch(url)).text(), before);
  assert.ok(!before.includes('data-trial="t20"'));
  const id = sweepId('sw-anchors-8f3a');
  source.putTrial(id, sampleTrial({ sweep: id, id: 't20', axes: {}, repeat: 0, target: 0.7, start: NOW, status: 'running', stagesDone: 1, now: NOW }));
  assert.ok((await (await fetch(url)).text()).includes('data-trial="t20"'));
});
