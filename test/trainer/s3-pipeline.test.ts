/**
 * Stages against a real S3 server (s3rver): the dataset uploaded into the bucket and
 * materialised from it by the stages, joint training with checkpoints, detection and
 * evaluation, every stage committed in the bucket; a rerun skips them all.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { tryOpenArtifact } from '../../src/storage/artifact.ts';
import { openStore } from '../../src/storage/open-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { uploadDataset } from '../../src/trainer/dataset-source.ts';
import { runPipelineLocally } from '../../src/trainer/local-runner.ts';
import { startS3Server, type S3TestServer } from '../utils/s3-server.ts';
import { tinyShapes, tinyTrial } from './helpers.ts';

let s3: S3TestServer;
let store: ObjectStore;
const local = await tinyShapes();

before(async () => {
  s3 = await startS3Server({ buckets: ['frcnn-trainer'] });
  store = await openStore(`s3://frcnn-trainer/run-${randomUUID()}`, { s3: { endpoint: `127.0.0.1:${s3.port}`, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region } });
  process.env.FRCNN_CACHE_DIR = await mkdtemp(join(tmpdir(), 'frcnn-cache-'));
});

after(async () => {
  await store?.close();
  await s3?.stop();
});

test('end2end on an S3 store with the dataset in the bucket', { timeout: 120_000 }, async () => {
  const up = await uploadDataset(local, store, 'tiny');
  assert.equal(up.root, 'store:datasets/tiny');
  assert.match(up.record.digest, /^sha256:/);
  assert.equal(up.record.splits.includes('trainval'), true);

  const config = tinyTrial(up.root, { mode: 'end2end', dataset: { name: 'tiny', root: up.root, digest: up.record.digest } });
  const checkpoints: string[] = [];
  const r = await runPipelineLocally({ config, store, progress: 'silent', onEvent: (e) => e.type === 'checkpoint' && checkpoints.push(e.ref) });
  assert.deepEqual(r.stages.map((s) => s.kind), ['train_joint', 'detect', 'merge_detections', 'evaluate']);
  assert.equal(r.stages[0].result.iterations, 4);
  assert.equal(checkpoints.length, 1);
  // Written during training, collected once the stage committed.
  assert.match(checkpoints[0], /\/attempts\/a1\/checkpoints\/iter-000002\/$/);
  assert.equal(await store.exists(`${checkpoints[0]}model.json`), false);
  assert.equal((r.stages[0].result.provenance as { datasetDigest: string }).datasetDigest, up.record.digest);
  for (const s of r.stages) {
    const art = await tryOpenArtifact(store, `stages/${s.key}`);
    assert.ok(art, `${s.name} not committed in ${store.location}`);
  }
  const joint = await tryOpenArtifact(store, `stages/${r.stages[0].key}`);
  assert.ok(joint!.has('model/model.json'));
  assert.equal(typeof r.evaluation.voc07, 'number');

  const again = await runPipelineLocally({ config, store, progress: 'silent' });
  assert.ok(again.stages.every((s) => s.status === 'skipped'));
});

test('a dataset prefix without a complete upload is named in the error', async () => {
  const config = tinyTrial('store:datasets/absent', { mode: 'end2end' });
  await assert.rejects(runPipelineLocally({ config, store, progress: 'silent' }), (err: Error) => err.name === 'InputError' && /store:datasets\/absent.*upload\.json/.test(err.message));
});
