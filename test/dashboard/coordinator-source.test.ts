/**
 * The dashboard over a real Coordinator (file state store, in-process bus): a sweep runs to
 * the end with one lost worker, and the view model, the counters and the pages show it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventBus } from '../../src/bus/event-bus.ts';
import { FileStateStore } from '../../src/bus/file-state-store.ts';
import { Coordinator } from '../../src/coordinator/service.ts';
import type { WorkerResources } from '../../src/coordinator/types.ts';
import type { JsonObject } from '../../src/pipeline/executor.ts';
import { asWorkerId } from '../../src/pipeline/ids.ts';
import { STAGE_KINDS } from '../../src/pipeline/stage-kind.ts';
import { coordinatorSource, recordCoordinatorMetrics, scoresOf } from '../../src/dashboard/coordinator-source.ts';
import { createCoordinatorMetrics } from '../../src/dashboard/metrics.ts';
import { startDashboard } from '../../src/dashboard/server.ts';
import { sweepId, type DashboardEvent } from '../../src/dashboard/view-model.ts';

const SPEC = `name: lambda <b>sweep</b>
base:
  dataset: { name: shapes, limit: 4 }
  backbone: { name: small }
  mode: end2end
  iterations: { joint: 10 }
axes:
  - grid:
      rpn.lambda: [1, 10]
`;
const gpu: WorkerResources = { gpus: 1, gpuModel: 'sim', gpuMemoryMb: 16000, cpuCores: 8, memoryMb: 65536, cpuFallback: false };

/** A VOC report as the evaluator writes it: two classes, curves sampled at recall 0, 0.5, 1. */
function vocReport(mAP07: number): JsonObject {
  return {
    kind: 'voc',
    mAP07,
    mAP: mAP07 + 0.02,
    classes: [
      { name: 'circle', npos: 3, ndet: 5, ap07: mAP07 + 0.1, ap: mAP07 + 0.12 },
      { name: 'square', npos: 2, ndet: 4, ap07: mAP07 - 0.1, ap: mAP07 - 0.08 },
    ],
    curves: [
      { name: 'circle', x: [0, 0.5, 1], y: [1, 0.8, null] },
      { name: 'square', x: [0, 0.5, 1], y: [1, 0.5, 0.2] },
    ],
  };
}

test('a coordinator sweep through the dashboard source: summaries, trial detail, retries, metrics, pages', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-dash-'));
  const coordinator = await Coordinator.open({ store: await FileStateStore.open(dir), bus: new MemoryEventBus(), leaseTtlMs: 300, initialBackoffMs: 100 });
  const source = coordinatorSource(coordinator);
  const metrics = createCoordinatorMetrics();
  const stopMetrics = recordCoordinatorMetrics(coordinator, metrics);
  const events: DashboardEvent[] = [];
  const unsubscribe = source.subscribe((e) => events.push(e));
  const server = await startDashboard(source, { port: 0, host: '127.0.0.1', metrics });
  try {
    const { sweep } = await coordinator.submitSweep({ text: SPEC, source: 'lambda.yaml' });
    const id = sweepId(sweep.id);
    const kinds = [...STAGE_KINDS];
    await coordinator.registerWorker({ id: asWorkerId('gpu-a'), resources: gpu, kinds });
    await coordinator.registerWorker({ id: asWorkerId('gpu-b'), resources: gpu, kinds });

    let stats = await source.stats();
    assert.equal(stats.workers, 2);
    // Registering raises no event (the shared snapshot may lag a second); the next event refreshes it.
    await coordinator.registerWorker({ id: asWorkerId('cpu-c'), resources: { ...gpu, gpus: 0 }, kinds: ['evaluate'] });
    assert.ok(stats.pendingGpuJobs >= 1, 'train_joint needs a GPU');

    // gpu-a takes the first training job and goes silent: its lease expires.
    const lost = await coordinator.lease(asWorkerId('gpu-a'));
    assert.ok(lost);
    stats = await source.stats();
    assert.equal(stats.runningGpuJobs, 1);
    assert.equal(stats.workers, 3, 'the lease event refreshed the snapshot');
    for (let i = 0; i < 50 && metrics.leaseExpiries.get() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(metrics.leaseExpiries.get(), 1);
    assert.equal(metrics.jobRetries.get({ kind: 'infrastructure' }), 1);

    // gpu-b runs everything to the end, reporting losses, detect timing and VOC reports.
    let mAP = 0.6;
    for (;;) {
      const job = await coordinator.lease(asWorkerId('gpu-b'), 1500);
      if (!job) break;
      if (job.kind === 'train_joint') {
        for (const done of [5, 10]) {
          await coordinator.heartbeat(job.stageKey, job.attempt, { progress: { done, total: 10, unit: 'it', losses: { rpn_cls: 0.7 / done, cls: 2 / done } } });
        }
      }
      const result: JsonObject =
        job.kind === 'evaluate' ? vocReport((mAP += 0.05)) : job.kind === 'detect' ? { timing: { device: 'sim GPU', convMs: 141, proposalMs: 10, regionWiseMs: 47 } } : {};
      await coordinator.complete(job.stageKey, job.attempt, result);
    }

    const [summary] = await source.sweeps();
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.name, 'lambda <b>sweep</b>');
    assert.deepEqual(summary.axes, [{ name: 'rpn.lambda', values: [1, 10] }]);
    assert.equal(summary.trialCounts.succeeded, 2);
    assert.equal(summary.dataset, 'shapes');

    const view = (await source.sweep(id))!;
    assert.deepEqual(view.trials.map((t) => t.axes['rpn.lambda']).sort(), [1, 10]);
    assert.ok(view.trials.every((t) => t.status === 'succeeded' && t.progress === 1 && t.map.voc07 !== undefined));
    assert.equal(summary.bestVoc07, Math.max(...view.trials.map((t) => t.map.voc07!)));

    const withRetry = await Promise.all(view.trials.map((t) => source.trial(id, t.id)));
    const detail = withRetry.find((t) => t!.attempts.some((a) => a.outcome === 'lost'))!;
    assert.ok(detail, 'the lost attempt is in a trial');
    const lostAttempt = detail.attempts.find((a) => a.outcome === 'lost')!;
    assert.equal(lostAttempt.workerId, 'gpu-a');
    assert.match(lostAttempt.reason ?? '', /^worker-lost/);
    const retry = detail.attempts.find((a) => a.jobId !== lostAttempt.jobId && a.stage === lostAttempt.stage)!;
    assert.equal(retry.attempt, 2);
    assert.equal(retry.outcome, 'succeeded');
    assert.equal(detail.losses.length, 1);
    assert.deepEqual(detail.losses[0].series.map((s) => s.name).sort(), ['cls', 'rpn_cls']);
    assert.deepEqual(detail.losses[0].series.find((s) => s.name === 'cls')!.points, [{ x: 5, y: 0.4 }, { x: 10, y: 0.2 }]);
    assert.deepEqual(detail.classAp.map((c) => c.className), ['circle', 'square']);
    assert.deepEqual(detail.prCurves[0].points, [{ x: 0, y: 1 }, { x: 0.5, y: 0.8 }], 'the curve stops where recall ends (null)');
    assert.deepEqual(detail.timing, { device: 'sim GPU', convMs: 141, proposalMs: 10, regionWiseMs: 47 });
    assert.equal(await source.trial(id, view.trials[0].id.replace(/\d+$/, '99') as typeof view.trials[0]['id']), undefined);

    stats = await source.stats();
    assert.equal(stats.pendingGpuJobs + stats.runningGpuJobs, 0);
    assert.ok((stats.jobsByState.succeeded ?? 0) >= 4);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /^frcnn_stage_duration_seconds_count\{stage="train_joint"\} 2$/m);
    assert.match(text, /^frcnn_lease_expiries_total 1$/m);

    const page = await (await fetch(`${server.url}/sweeps/${id}`)).text();
    assert.ok(page.includes('lambda &lt;b&gt;sweep&lt;/b&gt;') && !page.includes('<b>sweep'));
    assert.ok(page.includes('Table 9 (λ)'));
    const trialPage = await (await fetch(`${server.url}/sweeps/${id}/trials/${detail.id}`)).text();
    assert.match(trialPage, /class="bar bar-lost"/);

    assert.ok(events.some((e) => e.type === 'trial' && e.sweepId === id));
    assert.ok(events.some((e) => e.type === 'cluster'));
    assert.equal(await source.cancelSweep(sweepId('sw-nope')), false);
    assert.equal(await source.sweep(sweepId('sw-nope')), undefined);
  } finally {
    unsubscribe();
    stopMetrics();
    await server.close();
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('evaluate results in every shape the evaluator writes give the same scores', () => {
  assert.deepEqual(scoresOf({ mAP: 0.42 }), { voc07: undefined, voc2010: 0.42, coco: undefined });
  assert.deepEqual(scoresOf({ kind: 'voc', mAP07: 0.7, mAP: 0.72 }), { voc07: 0.7, voc2010: 0.72, coco: undefined });
  assert.deepEqual(scoresOf({ kind: 'coco', stats: [0.21, 0.42] }), { voc07: undefined, voc2010: undefined, coco: 0.21 });
  assert.deepEqual(scoresOf({ voc: { mAP07: 0.7, mAP: 0.72 }, coco: { stats: [0.3] } }), { voc07: 0.7, voc2010: 0.72, coco: 0.3 });
  assert.deepEqual(scoresOf({ mAP07: null, mAP: 0.5 }), { voc07: undefined, voc2010: 0.5, coco: undefined });
  assert.deepEqual(scoresOf(undefined), {});
});
