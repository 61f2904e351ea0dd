import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinatorCore } from '../../src/coordinator/core.ts';
import { ManualClock } from '../../src/coordinator/clock.ts';
import { asSweepId, asWorkerId, type SweepId } from '../../src/pipeline/ids.ts';
import { addWorkers, gpu, runAll, submit, sweepStatus, tinySpec } from './helpers.ts';

const lambdaAxis = { axes: [{ grid: { 'rpn.lambda': [1, 10] } }] };

test('a sweep runs to the end; stages shared across trials and sweeps run once', () => {
  const clock = new ManualClock(1000);
  const core = new CoordinatorCore(clock);
  const workers = addWorkers(core, 3);
  // Two test-time settings share every training stage (alt-opt: 9 shared, 3 own each: detect, merge, evaluate).
  submit(core, 'sw-a', tinySpec({ axes: [{ grid: { 'test.scoreThreshold': [0.05, 0.1] } }] }));
  const ran = runAll(core, workers);
  assert.equal(new Set(ran).size, ran.length, 'no stage key ran twice');
  assert.equal(ran.length, 9 + 2 * 3);
  assert.equal(sweepStatus(core, 'sw-a'), 'succeeded');
  assert.deepEqual(core.trialsOf(asSweepId('sw-a')).map((t) => t.metrics), [{ mAP: 0.5 }, { mAP: 0.5 }]);
  // A second sweep with a new metric re-runs only evaluate for the old settings.
  const { created } = submit(core, 'sw-b', tinySpec({ base: { ...(tinySpec().base as object), metrics: ['voc07', 'coco'] } }));
  assert.ok(created);
  const ran2 = runAll(core, workers);
  assert.equal(ran2.length, 1);
  assert.equal(core.getStage(ran2[0] as never)?.kind, 'evaluate');
  // Re-submitting a finished sweep's spec reuses everything: done at once.
  submit(core, 'sw-c', tinySpec({ axes: [{ grid: { 'test.scoreThreshold': [0.05, 0.1] } }] }));
  assert.equal(sweepStatus(core, 'sw-c'), 'succeeded');
  assert.equal(runAll(core, workers).length, 0);
});

test('idempotency key returns the same sweep, and refuses a different spec', () => {
  const core = new CoordinatorCore(new ManualClock());
  const a = submit(core, 'sw-1', tinySpec(lambdaAxis), 'key-1');
  const b = submit(core, 'sw-2', tinySpec(lambdaAxis), 'key-1');
  assert.equal(b.created, false);
  assert.equal(b.sweep.id, a.sweep.id);
  assert.throws(() => submit(core, 'sw-3', tinySpec(), 'key-1'), { name: 'IdempotencyConflictError' });
});

test('a lost lease goes to another worker with a new fencing token; the stale worker is refused', () => {
  const clock = new ManualClock(0);
  const core = new CoordinatorCore(clock, { leaseTtlMs: 1000, initialBackoffMs: 100 });
  const [w0, w1] = addWorkers(core, 2);
  submit(core, 'sw-a', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' } }));
  const job = core.lease(w0)!;
  assert.equal(job.kind, 'train_joint');
  assert.equal(job.attempt, 1);
  assert.equal(core.lease(w1), undefined, 'nothing else is ready');
  clock.advance(600);
  core.heartbeat(job.stageKey, 1, { progress: { done: 5, total: 10, unit: 'it', losses: { loss: 1.5 } }, checkpoint: 'stages/x/attempts/a1/ckpt-5/' });
  clock.advance(1001);
  assert.equal(core.tick(), 1, 'lease expired');
  const st = core.getStage(job.stageKey)!;
  assert.equal(st.attempts[0].outcome, 'lost');
  assert.equal(st.failures.infrastructure, 1);
  assert.equal(core.lease(w1), undefined, 'backing off before the retry');
  clock.advance(100);
  const retry = core.lease(w1)!;
  assert.equal(retry.attempt, 2);
  assert.equal(retry.resumeFrom, 'stages/x/attempts/a1/ckpt-5/', 'resumes from the last checkpoint');
  assert.equal(retry.artifactPrefix, `stages/${job.stageKey}/attempts/a2/`);
  // The old worker comes back: its heartbeat and its result are refused.
  assert.throws(() => core.heartbeat(job.stageKey, 1), { name: 'StaleLeaseError' });
  assert.throws(() => core.complete(job.stageKey, 1, {}), { name: 'StaleLeaseError', message: /token 1, current 2/ });
  core.complete(job.stageKey, 2, { iterations: 10 });
  assert.deepEqual(core.complete(job.stageKey, 2, {}), { duplicate: true }, 'a repeated completion is accepted');
  assert.throws(() => core.complete(job.stageKey, 1, {}), { name: 'StaleLeaseError' });
  assert.deepEqual(core.getStage(job.stageKey)!.lossHistory, [{ step: 5, losses: { loss: 1.5 } }]);
});

test('job failures have their own budget; the trial fails with the reason and the sweep goes on', () => {
  const clock = new ManualClock(0);
  const core = new CoordinatorCore(clock, { jobRetries: 1, infraRetries: 3, initialBackoffMs: 0 });
  const [w] = addWorkers(core, 1);
  submit(core, 'sw-a', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' }, ...lambdaAxis }));
  // Infrastructure failures (OOM) do not spend the job budget.
  let j = core.lease(w)!;
  const bad = j.stageKey;
  core.fail(bad, j.attempt, 'oom', 'wasm heap exhausted');
  j = core.lease(w)!;
  assert.equal(j.stageKey, bad);
  core.fail(bad, j.attempt, 'nan-loss', 'loss is NaN at iteration 3');
  j = core.lease(w)!;
  assert.equal(j.stageKey, bad, 'one job retry');
  core.fail(bad, j.attempt, 'nan-loss', 'loss is NaN at iteration 3');
  assert.equal(core.getStage(bad)!.status, 'failed');
  runAll(core, [w]);
  const trials = core.trialsOf(asSweepId('sw-a'));
  const failed = trials.find((t) => t.status === 'failed')!;
  assert.deepEqual(failed.error, { stage: bad, name: 'joint', reason: 'nan-loss', message: 'loss is NaN at iteration 3' });
  assert.equal(trials.filter((t) => t.status === 'succeeded').length, 1);
  assert.equal(sweepStatus(core, 'sw-a'), 'failed');
  assert.equal(core.getSweep(asSweepId('sw-a')).message, '1 of 2 trials failed');
  const st = core.getStage(bad)!;
  assert.deepEqual(st.failures, { infrastructure: 1, job: 2 });
  assert.deepEqual(st.attempts.map((a) => a.reason), ['oom', 'nan-loss', 'nan-loss']);
});

test('bad input is not retried; infrastructure retries back off exponentially', () => {
  const clock = new ManualClock(0);
  const core = new CoordinatorCore(clock, { infraRetries: 2, initialBackoffMs: 1000 });
  const [w] = addWorkers(core, 1);
  submit(core, 'sw-a', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' } }));
  let j = core.lease(w)!;
  assert.deepEqual(core.fail(j.stageKey, j.attempt, 'preempted', 'node drained'), { retryAt: 1000 });
  clock.set(1000);
  j = core.lease(w)!;
  assert.deepEqual(core.fail(j.stageKey, j.attempt, 'worker-lost', 'gone'), { retryAt: 3000 });
  clock.set(3000);
  j = core.lease(w)!;
  assert.deepEqual(core.fail(j.stageKey, j.attempt, 'oom', 'oom'), {}, 'third infrastructure failure exhausts a budget of 2 retries');
  assert.equal(sweepStatus(core, 'sw-a'), 'failed');

  const core2 = new CoordinatorCore(new ManualClock(0));
  const [w2] = addWorkers(core2, 1);
  submit(core2, 'sw-b', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' } }));
  j = core2.lease(w2)!;
  core2.fail(j.stageKey, j.attempt, 'bad-input', 'annotation 12: box with zero area');
  assert.equal(core2.getStage(j.stageKey)!.status, 'failed');
});

test('a drained lease is released without spending a budget and resumes from its checkpoint', () => {
  const core = new CoordinatorCore(new ManualClock(0));
  const [w0, w1] = addWorkers(core, 2);
  submit(core, 'sw-a', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' } }));
  const j = core.lease(w0)!;
  core.release(j.stageKey, j.attempt, 'ckpt-7');
  const k = core.lease(w1)!;
  assert.equal(k.stageKey, j.stageKey);
  assert.equal(k.resumeFrom, 'ckpt-7');
  assert.deepEqual(core.getStage(j.stageKey)!.failures, { infrastructure: 0, job: 0 });
});

test('restored from its records, the coordinator keeps leases and never reruns a committed stage', () => {
  const clock = new ManualClock(0);
  const core = new CoordinatorCore(clock, { leaseTtlMs: 1000 });
  const [w] = addWorkers(core, 1);
  submit(core, 'sw-a', tinySpec(lambdaAxis));
  const done: string[] = [];
  for (let i = 0; i < 5; i++) {
    const j = core.lease(w)!;
    core.complete(j.stageKey, j.attempt, {});
    done.push(j.stageKey);
  }
  const running = core.lease(w)!;
  core.takeChanges();
  const snapshot = JSON.parse(JSON.stringify({ sweeps: core.listSweeps(), trials: [...core.allTrials()], stages: [...core.allStages()] }));
  clock.advance(5000);
  const restored = CoordinatorCore.restore(snapshot, clock, { leaseTtlMs: 1000 });
  // The running lease survives the restart (with a fresh TTL) and its worker can finish it.
  restored.heartbeat(running.stageKey, running.attempt);
  restored.complete(running.stageKey, running.attempt, {});
  assert.throws(() => restored.lease(w), { name: 'UnknownWorkerError' }, 'workers register again');
  const [w2] = addWorkers(restored, 1, 'again');
  const ran = runAll(restored, [w2]);
  for (const k of [...done, running.stageKey]) assert.ok(!ran.includes(k), 'committed stage rerun');
  assert.equal(sweepStatus(restored, 'sw-a'), 'succeeded');
});

test('per-sweep parallelism limit and fairness between sweeps', () => {
  const core = new CoordinatorCore(new ManualClock(0));
  const workers = addWorkers(core, 6);
  // Distinct datasets: no stage is shared between the three sweeps.
  const e2e = (name: string, limit: number, extra: Record<string, unknown>) =>
    tinySpec({ name, base: { ...(tinySpec().base as object), mode: 'end2end', dataset: { name: 'shapes', limit } }, axes: [{ grid: { seed: [1, 2, 3, 4, 5, 6, 7, 8] } }], ...extra });
  submit(core, 'sw-a', e2e('a', 10, { limits: { parallelism: 2 } }));
  submit(core, 'sw-b', e2e('b', 11, {}));
  submit(core, 'sw-c', e2e('c', 12, {}));
  const jobs = workers.map((w) => core.lease(w)!);
  const bySweep = (id: string) => jobs.filter((j) => j.sweepIds.includes(id as SweepId)).length;
  assert.deepEqual([bySweep('sw-a'), bySweep('sw-b'), bySweep('sw-c')], [2, 2, 2], 'round robin over sweeps');
  const more = addWorkers(core, 4, 'x').map((w) => core.lease(w)!);
  assert.ok(more.every((j) => !j.sweepIds.includes(asSweepId('sw-a'))), 'sweep a stays at its limit of 2');
});

test('scheduling prefers the longest remaining path', () => {
  const core = new CoordinatorCore(new ManualClock(0));
  submit(core, 'sw-a', tinySpec({ axes: [{ list: [{ mode: 'end2end', 'iterations.joint': 50 }, { mode: 'alt-opt' }] }] }));
  const [w] = addWorkers(core, 1);
  // alt-opt's chain (4 × 10 iterations + proposals + ...) is longer than end2end's 50 iterations × 1.3.
  assert.equal(core.lease(w)!.kind, 'train_rpn');
});

test('cancelling a sweep revokes the leases only it needed', () => {
  const core = new CoordinatorCore(new ManualClock(0));
  const [w0, w1] = addWorkers(core, 2);
  submit(core, 'sw-a', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' } }));
  submit(core, 'sw-b', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end', seed: 5 } }));
  const ja = core.lease(w0)!;
  const jb = core.lease(w1)!;
  const [a] = [ja, jb].filter((j) => j.sweepIds.includes(asSweepId('sw-a')));
  core.takeChanges();
  core.cancelSweep(asSweepId('sw-a'));
  assert.throws(() => core.heartbeat(a.stageKey, a.attempt), { name: 'StaleLeaseError' });
  const other = a === ja ? jb : ja;
  core.heartbeat(other.stageKey, other.attempt);
  assert.equal(sweepStatus(core, 'sw-a'), 'cancelled');
  const { events } = core.takeChanges();
  assert.deepEqual(events.map((e) => e.type), ['trial.done', 'sweep.done']);
  assert.equal(core.lease(w0), undefined, 'cancelled work is not scheduled');
  assert.throws(() => core.lease(asWorkerId('nobody')), { name: 'UnknownWorkerError' });
  core.registerWorker({ id: asWorkerId('cpu'), resources: { ...gpu, gpus: 0 }, kinds: ['train_joint'] });
});

test('a worker declared lost that speaks again before anyone took over keeps its lease', () => {
  const clock = new ManualClock(0);
  const core = new CoordinatorCore(clock, { leaseTtlMs: 1000, initialBackoffMs: 100 });
  const [w0, w1] = addWorkers(core, 2);
  submit(core, 'sw-a', tinySpec({ base: { ...(tinySpec().base as object), mode: 'end2end' } }));
  const job = core.lease(w0)!;
  clock.advance(1001);
  core.tick();
  assert.equal(core.getStage(job.stageKey)!.status, 'pending');
  // Its heartbeat arrives before the retry was leased: token 1 is still the latest, so it is valid.
  core.heartbeat(job.stageKey, 1);
  const st = core.getStage(job.stageKey)!;
  assert.equal(st.status, 'running');
  assert.deepEqual(st.failures, { infrastructure: 0, job: 0 });
  clock.advance(200);
  assert.equal(core.lease(w1), undefined, 'not handed out twice');
  core.complete(job.stageKey, 1, {});
  assert.equal(core.getStage(job.stageKey)!.status, 'committed');
  assert.equal(core.getStage(job.stageKey)!.attempts.length, 1);
});
