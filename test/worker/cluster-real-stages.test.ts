/**
 * Integration with the real stage functions: a real nats-server, a real S3 server, the
 * coordinator, two trainers and an evaluator (built-in executors, wasm backend, one thread each)
 * run a tiny 2 anchor settings × 2 λ alternating-training sweep on a generated shapes dataset
 * uploaded to the bucket, through a trainer SIGKILL mid-RPN-training; a second sweep rescoring
 * the same trials shares every stage but evaluate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, waitUntil, type Proc } from './cluster.ts';
import { connectNats } from '../../src/bus/nats-connection.ts';
import { NatsStateStore } from '../../src/bus/nats-state-store.ts';
import type { StageRecord } from '../../src/coordinator/types.ts';
import { generateShapesDataset } from '../../src/data/shapes-dataset.ts';
import { buildTrialDag, expandSweep, parseSweepSpec } from '../../src/pipeline/index.ts';
import { uploadDataset } from '../../src/trainer/dataset-source.ts';

// rpn1 is long enough (checkpoints every 2 of 24 iterations, ~0.25 s each) to be caught mid-training; the
// other stages are as short as they can be.
const sweepYaml = (name: string, root: string, digest: string, metrics: string) => `name: ${name}
base:
  dataset: { name: tiny-shapes, root: "${root}", digest: "${digest}" }
  backbone: { name: small }
  mode: alt-opt
  image: { shortSide: 64, maxSize: 64 }
  rpn: { batchSize: 32 }
  proposals:
    minSize: 4
    train: { preNmsTopN: 300, postNmsTopN: 50 }
    test: { preNmsTopN: 300, postNmsTopN: 50 }
  roi: { pool: align, batchSize: 16 }
  iterations: { rpn1: 24, fastRcnn1: 2, rpn2: 2, fastRcnn2: 2 }
  checkpointEvery: 2
  shards: { proposals: 1, detect: 1 }
  seed: 3
  metrics: [${metrics}]
axes:
  - grid:
      anchors.scales: [[1, 2], [2, 4]]
      rpn.lambda: [1, 10]
`;

test('the real stages run a sweep end to end on the cluster, through a lost trainer; shared stages run once', { timeout: 180_000 }, async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'frcnn-cluster-real-'));
  // Workers inherit this process's environment: one wasm thread each, a private dataset cache.
  Object.assign(process.env, { FRCNN_BACKEND: 'wasm', FRCNN_THREADS: '1', FRCNN_CACHE_DIR: join(tmp, 'cache') });
  const cluster = await Cluster.start({ leaseTtlMs: 4000 });
  const { client } = cluster;
  const logs = () => cluster.logs(25);
  let natsConn: Awaited<ReturnType<typeof connectNats>> | undefined;
  // Built-in executors: no `--executors`.
  const startWorker = (role: 'trainer' | 'evaluator', id: string): Promise<Proc> =>
    cluster.spawn(id, [role, '--coordinator', cluster.address, '--id', id, '--lease-wait-ms', '2000'], /"msg":"registered"/);
  try {
    const local = join(tmp, 'shapes');
    await generateShapesDataset({ out: local, train: 12, test: 4, size: 64, seed: 5 });
    const up = await uploadDataset(local, cluster.store, 'tiny-shapes');
    assert.equal(up.root, 'store:datasets/tiny-shapes');

    await Promise.all([startWorker('trainer', 't1'), startWorker('trainer', 't2'), startWorker('evaluator', 'e1')]);

    const spec1 = sweepYaml('real-anchors-x-lambda', up.root, up.record.digest, 'voc07');
    const spec2 = sweepYaml('real-rescored', up.root, up.record.digest, 'voc07, voc2010');
    const s1 = (await client.submitSweep({ spec: spec1, source_name: 's1.yaml' })).sweep!;
    const s2 = (await client.submitSweep({ spec: spec2, source_name: 's2.yaml' })).sweep!;
    assert.equal(s1.trials, 4);

    // The DAGs the coordinator should have scheduled, computed here independently.
    const nodes = [spec1, spec2].flatMap((y) => expandSweep(parseSweepSpec(y)).flatMap((t) => buildTrialDag(t.config).nodes));
    const expectedKeys = new Set(nodes.map((n) => n.key));
    assert.equal(nodes.length, 2 * 4 * 12);
    // Everything but evaluate is shared by the two sweeps.
    assert.equal(expectedKeys.size, 4 * 11 + 4 + 4);

    natsConn = await connectNats({ url: cluster.nats.url, name: 'test-observer' });
    const state = await NatsStateStore.open(natsConn, { bucket: 'frcnn_state' });
    const stageRecords = async () =>
      new Map(
        (await state.loadAll()).filter((e) => e.key.startsWith('stage.')).map((e) => [e.key.slice('stage.'.length), e.value as StageRecord]),
      );

    // SIGKILL the trainer running a real step-1 RPN training once the coordinator has its checkpoint.
    const victim = await waitUntil(
      'a running RPN training with a checkpoint',
      async () => [...(await stageRecords()).values()].find((r) => r.kind === 'train_rpn' && r.status === 'running' && r.checkpoint && r.lease && (r.progress?.done ?? 0) < 20),
      120_000,
      logs,
    );
    const victimWorker = victim.lease!.workerId;
    const survivor = victimWorker === 't1' ? 't2' : 't1';
    await cluster.kill(victimWorker);

    const done = async (id: string) => {
      const d = await client.getSweep(id);
      return d.sweep!.status !== 'running' && d;
    };
    const d1 = await waitUntil('sweep 1 done', () => done(s1.id), 150_000, logs);
    const d2 = await waitUntil('sweep 2 done', () => done(s2.id), 30_000, logs);
    // A failed trial's own error first: the process logs below are only their tails.
    const why = (d: typeof d1) => d.trials.filter((t) => t.status !== 'succeeded').map((t) => `${t.label}: ${t.status} ${JSON.stringify(t)}`).join('\n');
    assert.equal(d1.sweep!.status, 'succeeded', `${d1.sweep!.message}\n${why(d1)}\n${logs()}`);
    assert.equal(d2.sweep!.status, 'succeeded', `${d2.sweep!.message}\n${why(d2)}\n${logs()}`);

    // Every trial was scored by the real evaluator.
    for (const t of d1.trials) {
      const m = JSON.parse(t.metrics_json) as Record<string, unknown>;
      assert.equal(typeof m.voc07, 'number', `${t.label}: ${t.metrics_json}`);
      assert.ok((m.voc07 as number) >= 0 && (m.voc07 as number) <= 1, `${t.label}: ${t.metrics_json}`);
    }
    for (const t of d2.trials) {
      const m = JSON.parse(t.metrics_json) as Record<string, unknown>;
      assert.equal(typeof m.voc07, 'number', t.label);
      assert.equal(typeof m.voc2010, 'number', t.label);
    }

    // Shared stages ran once: the coordinator scheduled exactly the distinct keys, each committed
    // by exactly one attempt; any other attempt was lost (the killed trainer), never a second run.
    const stages = new Map([...d1.stages, ...d2.stages].map((s) => [s.key, s]));
    assert.deepEqual(new Set(stages.keys()), expectedKeys);
    const records = await stageRecords();
    for (const s of stages.values()) {
      assert.equal(s.status, 'committed', s.name);
      const outcomes = records.get(s.key)!.attempts.map((a) => a.outcome);
      assert.equal(outcomes.filter((o) => o === 'committed').length, 1, `${s.name}: ${outcomes}`);
      assert.ok(outcomes.every((o) => o === 'committed' || o === 'lost'), `${s.name}: ${outcomes}`);
    }

    // The killed job finished on the other trainer, its second attempt resumed from the first's checkpoint.
    const rec = records.get(victim.key)!;
    assert.equal(rec.attempts[0].outcome, 'lost');
    assert.equal(rec.attempts[0].reason, 'worker-lost');
    assert.equal(rec.attempts[0].workerId, victimWorker);
    const last = rec.attempts.at(-1)!;
    assert.equal(last.outcome, 'committed');
    assert.equal(last.workerId, survivor);
    assert.match(last.resumedFrom ?? '', /\/attempts\/a1\/checkpoints\/iter-\d+\/$/);
    const result = JSON.parse(stages.get(victim.key)!.result_json) as { iterations: number; resumedAt?: number };
    assert.equal(result.iterations, 24);
    assert.ok((result.resumedAt ?? 0) >= 2, `resumed at ${result.resumedAt}`);
    assert.equal(`iter-${String(result.resumedAt).padStart(6, '0')}`, /(iter-\d+)\/$/.exec(last.resumedFrom!)![1]);
  } finally {
    await natsConn?.close();
    await cluster.stop();
    await rm(tmp, { recursive: true, force: true });
  }
});
