/**
 * Integration: a real nats-server, a real S3 server, the coordinator, two trainers and an
 * evaluator as separate processes run a 2 anchor settings × 2 λ alternating-training sweep
 * (plus a second sweep sharing every training stage), through a trainer SIGKILL, a coordinator
 * SIGKILL + restart, and a NATS restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Cluster, waitUntil } from './cluster.ts';
import { expectedValue, stepsOf } from './fixtures/sim-executors.ts';
import { listAll } from '../../src/storage/object-store.ts';
import type { SweepDetail__Output } from '../../src/generated/frcnn/v1/SweepDetail.ts';
import { connectNats } from '../../src/bus/nats-connection.ts';
import { NatsEventBus } from '../../src/bus/nats-event-bus.ts';
import type { CoordinatorEvent, StageRecord } from '../../src/coordinator/types.ts';
import { NatsStateStore } from '../../src/bus/nats-state-store.ts';
import { asSweepId } from '../../src/pipeline/ids.ts';

const sweepYaml = (name: string, metrics: string) => `name: ${name}
base:
  dataset: { name: shapes, limit: 8 }
  backbone: { name: small }
  mode: alt-opt
  iterations: { rpn1: 60, fastRcnn1: 6, rpn2: 6, fastRcnn2: 6 }
  checkpointEvery: 3
  shards: { proposals: 2, detect: 1 }
  metrics: [${metrics}]
axes:
  - grid:
      anchors.scales: [[2, 4], [4, 8]]
      rpn.lambda: [1, 10]
`;

test('a sweep survives a lost trainer, a coordinator restart and a NATS restart; shared stages run once', { timeout: 120_000 }, async () => {
  // A lease TTL of a few seconds: short enough to see a lost trainer quickly, long enough that
  // a loaded CI machine does not lose healthy leases.
  const cluster = await Cluster.start({ leaseTtlMs: 4000, stepMs: 40 });
  const { client } = cluster;
  const logs = () => cluster.logs();
  let natsConn: Awaited<ReturnType<typeof connectNats>> | undefined;
  try {
    await Promise.all([cluster.startWorker('trainer', 't1'), cluster.startWorker('trainer', 't2'), cluster.startWorker('evaluator', 'e1')]);

    // A malformed sweep is refused with the path of the bad field, and nothing is scheduled.
    await assert.rejects(client.submitSweep({ spec: sweepYaml('bad', 'voc07').replace('rpn.lambda: [1, 10]', 'rpn.lambda: [1, "ten"]'), source_name: 'bad.yaml' }), {
      code: grpc.status.INVALID_ARGUMENT,
      details: /bad\.yaml:\d+: axes\[0\]\.grid\.rpn\.lambda\[1\]: .*expected number/,
    });
    assert.equal((await client.listSweeps()).sweeps.length, 0);

    const s1 = (await client.submitSweep({ spec: sweepYaml('anchors-x-lambda', 'voc07'), source_name: 's1.yaml', idempotency_key: 's1' })).sweep!;
    // The same trials scored with another metric: every stage but evaluate is shared, even while running.
    const s2 = (await client.submitSweep({ spec: sweepYaml('rescored', 'voc07, coco'), source_name: 's2.yaml' })).sweep!;
    assert.equal(s1.trials, 4);
    assert.equal(s1.stages, 4 * 14);

    // Followers: `frcnn sweep watch` (through the coordinator restart) and a NATS subscriber.
    const watcher = await cluster.spawn('watch', ['sweep', 'watch', s1.id, '--coordinator', cluster.address]);
    natsConn = await connectNats({ url: cluster.nats.url, name: 'test-subscriber' });
    const natsEvents: CoordinatorEvent[] = [];
    const bus = new NatsEventBus(natsConn);
    bus.subscribe(asSweepId(s1.id), (e) => natsEvents.push(e));

    // 1. SIGKILL the trainer running a step-1 RPN once it has reported a checkpoint.
    const victim = await waitUntil(
      'an RPN stage past its first checkpoints',
      async () => {
        const d = await client.getSweep(s1.id);
        return d.stages.find((s) => s.kind === 'train_rpn' && s.status === 'running' && (s.progress?.done ?? 0) >= 7 && (s.progress?.done ?? 0) < 50);
      },
      30_000,
      logs,
    );
    await cluster.kill(victim.worker_id);
    await cluster.startWorker('trainer', 't3');

    // 2. Kill the coordinator mid-sweep and start it again on the same state.
    const before = await waitUntil(
      'a third of the stages committed',
      async () => {
        const d = await client.getSweep(s1.id);
        return d.sweep!.stages_committed >= 18 && d;
      },
      60_000,
      logs,
    );
    await cluster.kill('coordinator');
    await cluster.startCoordinator();

    // 3. Restart NATS mid-sweep.
    await waitUntil('more progress after the coordinator restart', async () => (await client.getSweep(s1.id)).sweep!.stages_committed >= 30, 60_000, logs);
    await cluster.nats.restart();

    const done = async (id: string) => {
      const d = await client.getSweep(id);
      return d.sweep!.status !== 'running' && d;
    };
    const d1 = await waitUntil('sweep 1 done', () => done(s1.id), 90_000, logs);
    const d2 = await waitUntil('sweep 2 done', () => done(s2.id), 30_000, logs);
    assert.equal(d1.sweep!.status, 'succeeded', `${d1.sweep!.message}\n${logs()}`);
    assert.equal(d2.sweep!.status, 'succeeded');
    for (const t of [...d1.trials, ...d2.trials]) assert.ok(JSON.parse(t.metrics_json).mAP >= 0, t.label);

    // Shared stages ran once: 4 × 13 stages shared by both sweeps + 4 evaluates each.
    const keys = new Map([...d1.stages, ...d2.stages].map((s) => [s.key, s]));
    assert.equal(keys.size, 4 * 13 + 4 + 4);
    const runs = await listAll(cluster.store, 'runs/');
    const runsOf = (key: string) => runs.filter((r) => r.key.startsWith(`runs/${key}/`)).length;
    // The coordinator's durable records (NATS KV) say how each attempt ended.
    const records = new Map(
      (await (await NatsStateStore.open(natsConn, { bucket: 'frcnn_state' })).loadAll())
        .filter((e) => e.key.startsWith('stage.'))
        .map((e) => [e.key.slice('stage.'.length), e.value as StageRecord]),
    );
    for (const s of keys.values()) {
      assert.equal(s.status, 'committed');
      // One execution per attempt, exactly one committed; any other attempt was lost (the
      // killed trainer, or a lease that ran out), never a second completed run.
      // (An attempt whose lease ran out before its worker started it leaves no run marker.)
      assert.ok(runsOf(s.key) >= 1 && runsOf(s.key) <= s.attempts, `${s.name}: ${runsOf(s.key)} runs for ${s.attempts} attempts`);
      const outcomes = records.get(s.key)!.attempts.map((a) => a.outcome);
      assert.equal(outcomes.filter((o) => o === 'committed').length, 1, `${s.name}: ${outcomes}`);
      assert.ok(outcomes.every((o) => o === 'committed' || o === 'lost'), `${s.name}: ${outcomes}`);
      if (s.key !== victim.key && s.attempts > 1) console.error(`note: ${s.name} needed ${s.attempts} attempts (${outcomes.join(', ')})`);
    }
    assert.equal(records.get(victim.key)!.attempts[0].outcome, 'lost');
    assert.equal(records.get(victim.key)!.attempts[0].reason, 'worker-lost');

    // The killed job finished on another trainer, resumed from its checkpoint, with the same result.
    const resumed = keys.get(victim.key)!;
    assert.ok(resumed.attempts >= 2);
    const res = JSON.parse(resumed.result_json) as { value: number; startStep: number };
    assert.ok(res.startStep >= 3, `resumed at step ${res.startStep}`);
    assert.equal(res.value, expectedValue(resumed.key, [], stepsOf({ spec: { kind: 'train_rpn', step: 1, init: 'imagenet', freezeConv: false }, config: { iterations: 60 } as never })));

    // No stage committed before the coordinator restart ran again after it.
    for (const s of before.stages.filter((x) => x.status === 'committed')) {
      assert.equal(keys.get(s.key)!.attempts, s.attempts, `${s.name} rerun after the restart`);
    }

    // A completion with a stale fencing token (the killed trainer's lease) is refused.
    await assert.rejects(client.completeJob({ worker_id: victim.worker_id, stage_key: victim.key, fencing_token: 1, result_json: '{}' }), {
      code: grpc.status.ABORTED,
      details: /stale lease/,
    });
    // The watcher followed the sweep to its end across the coordinator restart; NATS subscribers got the events.
    assert.equal(await watcher.exited, 0, watcher.output().slice(-2000));
    assert.match(watcher.output(), /sweep\s+succeeded: 4 succeeded, 0 failed/);
    assert.match(watcher.output(), /coordinator unavailable; reconnecting/);
    await waitUntil('sweep.done on NATS', async () => natsEvents.some((e) => e.type === 'sweep.done'), 5000);
    assert.ok(natsEvents.filter((e) => e.type === 'job.done').length >= 20, `${natsEvents.length} events on NATS`);
    await bus.close();

    // SIGTERM drains a trainer: it stops taking work and exits 0.
    const t3 = cluster.procs.get('t3')!;
    t3.child.kill('SIGTERM');
    assert.equal(await t3.exited, 0, t3.output().slice(-2000));
    assert.match(t3.output(), /"msg":"draining/);

    // Re-submitting with the idempotency key returns the first sweep.
    const again = await client.submitSweep({ spec: sweepYaml('anchors-x-lambda', 'voc07'), source_name: 's1.yaml', idempotency_key: 's1' });
    assert.equal(again.created, false);
    assert.equal(again.sweep!.id, s1.id);
    void (d1 satisfies SweepDetail__Output);
  } finally {
    await natsConn?.close();
    await cluster.stop();
  }
});
