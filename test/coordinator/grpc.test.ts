import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator } from '../../src/coordinator/service.ts';
import { startCoordinatorServer } from '../../src/coordinator/grpc/server.ts';
import { CoordinatorClient } from '../../src/coordinator/grpc/client.ts';
import { jobFromMsg } from '../../src/coordinator/grpc/convert.ts';
import { FileStateStore } from '../../src/bus/file-state-store.ts';
import { MemoryEventBus } from '../../src/bus/event-bus.ts';
import type { SweepEvent__Output } from '../../src/generated/frcnn/v1/SweepEvent.ts';

const SPEC = `name: grpc-test
base:
  dataset: { name: shapes, limit: 4 }
  backbone: { name: small }
  mode: end2end
  iterations: { joint: 10 }
`;

const resources = { gpus: 0, cpu_cores: 2, memory_mb: 4096, cpu_fallback: true };

test('the gRPC API end to end: auth, validation, lease, heartbeat, fencing, watch', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-grpc-'));
  const store = await FileStateStore.open(dir);
  const coordinator = await Coordinator.open({ store, bus: new MemoryEventBus(), leaseTtlMs: 2000 });
  const server = await startCoordinatorServer(coordinator, { host: '127.0.0.1', port: 0, token: 's3cret' });
  const client = new CoordinatorClient({ address: server.address, token: 's3cret' });
  const anonymous = new CoordinatorClient({ address: server.address });
  try {
    await assert.rejects(anonymous.listSweeps(), { code: grpc.status.UNAUTHENTICATED });
    await assert.rejects(new CoordinatorClient({ address: server.address, token: 'wrong' }).listSweeps(), { code: grpc.status.UNAUTHENTICATED });

    // A malformed sweep is refused with the path of the bad field; nothing is scheduled.
    await assert.rejects(client.submitSweep({ spec: SPEC.replace('joint: 10', 'joint: -1'), source_name: 'bad.yaml' }), {
      code: grpc.status.INVALID_ARGUMENT,
      details: /bad\.yaml:6: base\.iterations\.joint: Too small/,
    });
    assert.equal((await client.listSweeps()).sweeps.length, 0);

    const { sweep, created } = await client.submitSweep({ spec: SPEC, source_name: 'ok.yaml', idempotency_key: 'k1' });
    assert.ok(created);
    assert.equal(sweep!.trials, 1);
    const again = await client.submitSweep({ spec: SPEC, source_name: 'ok.yaml', idempotency_key: 'k1' });
    assert.equal(again.created, false);
    assert.equal(again.sweep!.id, sweep!.id);

    const events: SweepEvent__Output[] = [];
    const watch = client.watchSweep(sweep!.id);
    const watched = new Promise<void>((resolve, reject) => {
      watch.on('data', (e: SweepEvent__Output) => events.push(e));
      watch.on('end', resolve);
      watch.on('error', reject);
    });

    const reg = await client.registerWorker({ worker_id: 'w1', resources, kinds: ['train_joint', 'detect', 'merge_detections', 'evaluate'] });
    assert.equal(Number(reg.lease_ttl_ms), 2000);
    await assert.rejects(client.registerWorker({ worker_id: 'w 1', resources, kinds: ['train_joint'] }), { code: grpc.status.INVALID_ARGUMENT, details: /worker_id/ });
    await assert.rejects(client.leaseJob('nobody', 0), { code: grpc.status.FAILED_PRECONDITION, details: /unknown worker/ });

    for (let n = 0; n < 4; n++) {
      const { job } = await client.leaseJob('w1', 1000);
      assert.ok(job, `job ${n}`);
      const j = jobFromMsg(job);
      await client.heartbeat({ worker_id: 'w1', stage_key: j.stageKey, fencing_token: j.attempt, progress: { done: 5, total: 10, unit: 'it', losses: { loss: 0.5 } } });
      await assert.rejects(client.completeJob({ worker_id: 'w1', stage_key: j.stageKey, fencing_token: j.attempt + 1, result_json: '{}' }), {
        code: grpc.status.ABORTED,
        details: /stale lease/,
      });
      await assert.rejects(client.completeJob({ worker_id: 'w1', stage_key: j.stageKey, fencing_token: j.attempt, result_json: '[1]' }), { code: grpc.status.INVALID_ARGUMENT });
      await client.completeJob({ worker_id: 'w1', stage_key: j.stageKey, fencing_token: j.attempt, result_json: j.kind === 'evaluate' ? '{"mAP":0.42}' : '{}' });
    }
    await watched;
    assert.equal(events[0].type, 'snapshot');
    assert.equal(events.at(-1)!.type, 'sweep.done');
    assert.ok(events.some((e) => e.type === 'job.progress'));
    const detail = await client.getSweep(sweep!.id);
    assert.equal(detail.sweep!.status, 'succeeded');
    assert.deepEqual(JSON.parse(detail.trials[0].metrics_json), { mAP: 0.42 });
    await assert.rejects(client.getSweep('sw-nope'), { code: grpc.status.NOT_FOUND });
  } finally {
    client.close();
    anonymous.close();
    await server.close();
    await coordinator.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
