import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../../src/worker/local-cluster.ts';
import { executorRegistry } from '../../src/pipeline/executor.ts';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { executors } from './fixtures/sim-executors.ts';

test('embedded mode: one process runs a sweep on two trainers and an evaluator; a second run reuses every stage', async () => {
  process.env.SIM_STEP_MS = '2';
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-local-'));
  const text = `name: local
base:
  dataset: { name: shapes, limit: 4 }
  backbone: { name: small }
  iterations: { rpn1: 4, fastRcnn1: 4, rpn2: 4, fastRcnn2: 4 }
axes:
  - grid: { rpn.lambda: [1, 10] }
`;
  const options = {
    stateDir: join(dir, 'state'),
    store: new FsObjectStore(join(dir, 'store')),
    trainerExecutors: executorRegistry(executors.filter((e) => e.kind !== 'evaluate')),
    evaluatorExecutors: executorRegistry(executors.filter((e) => e.kind === 'evaluate')),
  };
  try {
    let cluster = await startLocalCluster(options);
    const { sweep } = await cluster.client.submitSweep({ spec: text, source_name: 'local.yaml' });
    const wait = async (id: string) => {
      for (;;) {
        const d = await cluster.client.getSweep(id);
        if (d.sweep!.status !== 'running') return d;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const d = await wait(sweep!.id);
    assert.equal(d.sweep!.status, 'succeeded');
    // Count after stop: a worker files its last report just after the coordinator commits.
    await cluster.stop();
    const ran = cluster.workers.map((w) => w.jobs.length);
    assert.equal(ran.reduce((a, b) => a + b, 0), 2 * 12);
    assert.equal(ran[2], 2, `the evaluator ran the two evaluate stages (jobs per worker ${ran})`);

    // A new process on the same state: the same sweep is done at once, nothing reruns.
    cluster = await startLocalCluster(options);
    const again = await cluster.client.submitSweep({ spec: text, source_name: 'local.yaml' });
    assert.equal(again.sweep!.status, 'succeeded');
    assert.equal(again.sweep!.stages_committed, 24);
    await cluster.stop();
    assert.deepEqual(cluster.workers.map((w) => w.jobs.length), [0, 0, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
