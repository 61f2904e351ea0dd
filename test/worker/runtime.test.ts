/**
 * The worker runtime against a real in-process coordinator over loopback gRPC and a real fs
 * object store: drain on SIGTERM gives the lease back with its checkpoint and another worker
 * resumes from it; a NaN loss spends the job budget and fails the trial with its reason while
 * the sweep goes on; a lease the coordinator revokes aborts the running job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator } from '../../src/coordinator/service.ts';
import { startCoordinatorServer } from '../../src/coordinator/grpc/server.ts';
import { CoordinatorClient } from '../../src/coordinator/grpc/client.ts';
import { FileStateStore } from '../../src/bus/file-state-store.ts';
import { MemoryEventBus } from '../../src/bus/event-bus.ts';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { WorkerRuntime } from '../../src/worker/runtime.ts';
import { executorRegistry, type StageExecutor } from '../../src/pipeline/executor.ts';
import { NanLossError } from '../../src/pipeline/failures.ts';
import { asSweepId } from '../../src/pipeline/ids.ts';
import type { StageKind } from '../../src/pipeline/stage-kind.ts';
import { listAll, type ObjectStore } from '../../src/storage/object-store.ts';
import { executors as sim } from './fixtures/sim-executors.ts';

const resources = { gpus: 0, gpuModel: '', gpuMemoryMb: 0, cpuCores: 2, memoryMb: 4096, cpuFallback: true };

async function setup(leaseTtlMs = 1200) {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-runtime-'));
  const state = await FileStateStore.open(join(dir, 'state'));
  const coordinator = await Coordinator.open({ store: state, bus: new MemoryEventBus(), leaseTtlMs, initialBackoffMs: 50 });
  const server = await startCoordinatorServer(coordinator, { host: '127.0.0.1', port: 0 });
  const store = new FsObjectStore(join(dir, 'store'));
  const clients: CoordinatorClient[] = [];
  const worker = (id: string, executors: StageExecutor<StageKind, ObjectStore>[], gpus = 0) => {
    const client = new CoordinatorClient({ address: server.address });
    clients.push(client);
    return new WorkerRuntime({ client, workerId: id, resources: { ...resources, gpus, gpuMemoryMb: gpus ? 16000 : 0 }, executors: executorRegistry(executors), store, leaseWaitMs: 300 });
  };
  const close = async () => {
    for (const c of clients) c.close();
    await server.close();
    await coordinator.close();
    await state.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { coordinator, worker, store, close };
}

const spec = (extra = '') => `name: rt
base:
  dataset: { name: shapes, limit: 4 }
  backbone: { name: small }
  mode: end2end
  iterations: { joint: 30 }
  checkpointEvery: 5
${extra}`;

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('drain gives the lease back with its checkpoint; another worker resumes from it', async () => {
  process.env.SIM_STEP_MS = '30';
  const { coordinator, worker, store, close } = await setup();
  try {
    const { sweep } = await coordinator.submitSweep({ text: spec(), source: 'rt.yaml' });
    const a = worker('a', sim);
    const running = a.run();
    await until(() => coordinator.sweepDetail(sweep.id).stages.some((s) => s.kind === 'train_joint' && s.checkpoint !== undefined));
    a.drain();
    await running;
    assert.deepEqual(a.jobs.map((j) => j.outcome), ['released']);
    const joint = coordinator.sweepDetail(sweep.id).stages.find((s) => s.kind === 'train_joint')!;
    assert.equal(joint.status, 'pending');
    assert.equal(joint.attempts[0].outcome, 'released');
    assert.deepEqual(joint.failures, { infrastructure: 0, job: 0 }, 'a drain spends no budget');

    const b = worker('b', sim);
    const done = b.run();
    await until(() => coordinator.sweepDetail(sweep.id).sweep.status !== 'running', 20_000);
    b.drain();
    await done;
    const d = coordinator.sweepDetail(sweep.id);
    assert.equal(d.sweep.status, 'succeeded');
    const j2 = d.stages.find((s) => s.kind === 'train_joint')!;
    assert.equal(j2.attempts[1].resumedFrom, joint.checkpoint);
    assert.ok((j2.result!.startStep as number) >= 5, 'resumed, not restarted');

    // Garbage collection: the released attempt's folder (its checkpoints) goes, the committed one stays.
    const a1 = `stages/${j2.key}/attempts/a1/`;
    const a2 = `stages/${j2.key}/attempts/a2/`;
    assert.ok((await listAll(store, a1)).length > 0);
    assert.ok((await coordinator.collectGarbage(store)) > 0);
    assert.deepEqual(await listAll(store, a1), []);
    assert.ok((await listAll(store, a2)).some((o) => o.key.endsWith('output.json')));
    assert.equal(await coordinator.collectGarbage(store), 0, 'nothing left to collect');
  } finally {
    await close();
  }
});

test('a NaN loss is retried once, then the trial fails with the reason while the sweep goes on', async () => {
  process.env.SIM_STEP_MS = '1';
  const { coordinator, worker, close } = await setup();
  try {
    const diverging: StageExecutor<StageKind, ObjectStore> = {
      kind: 'train_joint',
      async run(job, ctx) {
        if ((job.config as { seed: number }).seed === 13) throw new NanLossError('loss is NaN at iteration 7');
        return sim.find((e) => e.kind === 'train_joint')!.run(job, ctx);
      },
    };
    const { sweep } = await coordinator.submitSweep({ text: spec('axes:\n  - grid: { seed: [1, 13] }\n'), source: 'rt.yaml' });
    const w = worker('w', [...sim.filter((e) => e.kind !== 'train_joint'), diverging]);
    const run = w.run();
    await until(() => coordinator.sweepDetail(sweep.id).sweep.status !== 'running', 20_000);
    w.drain();
    await run;
    const d = coordinator.sweepDetail(asSweepId(sweep.id));
    assert.equal(d.sweep.status, 'failed');
    const failed = d.trials.find((t) => t.seed === 13)!;
    assert.equal(failed.status, 'failed');
    assert.deepEqual({ reason: failed.error!.reason, message: failed.error!.message, name: failed.error!.name }, { reason: 'nan-loss', message: 'loss is NaN at iteration 7', name: 'joint' });
    assert.equal(d.trials.find((t) => t.seed === 1)!.status, 'succeeded');
    const joint = d.stages.find((s) => s.key === failed.error!.stage)!;
    assert.deepEqual(joint.attempts.map((a) => a.reason), ['nan-loss', 'nan-loss']);
    assert.ok(joint.attempts[0].logTail!.some((l) => l.includes('NanLossError')), 'the failure carries its last lines');
  } finally {
    await close();
  }
});

test('cancelling the sweep revokes the lease and aborts the running job', async () => {
  process.env.SIM_STEP_MS = '30';
  const { coordinator, worker, close } = await setup(900);
  try {
    const { sweep } = await coordinator.submitSweep({ text: spec(), source: 'rt.yaml' });
    const w = worker('w', sim);
    const run = w.run();
    await until(() => coordinator.sweepDetail(sweep.id).stages.some((s) => s.status === 'running'));
    await coordinator.cancelSweep(sweep.id, 'test');
    await until(() => w.jobs.length === 1, 5000);
    assert.equal(w.jobs[0].outcome, 'lost', 'aborted at the next heartbeat');
    w.drain();
    await run;
  } finally {
    await close();
  }
});

test('a worker with two GPUs runs two jobs at once, one per device', async () => {
  process.env.SIM_STEP_MS = '10';
  const { coordinator, worker, close } = await setup();
  try {
    let now = 0;
    let peak = 0;
    const devices = new Set<number | undefined>();
    const joint = sim.find((e) => e.kind === 'train_joint')!;
    const counting: StageExecutor<StageKind, ObjectStore> = {
      kind: 'train_joint',
      async run(job, ctx) {
        devices.add(ctx.device);
        peak = Math.max(peak, ++now);
        try {
          return await joint.run(job, ctx);
        } finally {
          now--;
        }
      },
    };
    const { sweep } = await coordinator.submitSweep({ text: spec('axes:\n  - grid: { seed: [1, 2, 3, 4] }\n'), source: 'rt.yaml' });
    const w = worker('gpu2', [...sim.filter((e) => e.kind !== 'train_joint'), counting], 2);
    assert.equal(w.slots, 2);
    const run = w.run();
    await until(() => coordinator.sweepDetail(sweep.id).sweep.status !== 'running', 20_000);
    w.drain();
    await run;
    assert.equal(coordinator.sweepDetail(sweep.id).sweep.status, 'succeeded');
    assert.equal(peak, 2);
    assert.deepEqual([...devices].sort(), [0, 1]);
  } finally {
    await close();
  }
});
