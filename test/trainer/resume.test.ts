/**
 * Resumption is exact: a training stage stopped after a checkpoint and resumed from it (in a
 * new attempt, as after a lost worker) ends with bit-identical weights to an uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { MODEL_DIR } from '../../src/trainer/model-artifact.ts';
import { trainRpn } from '../../src/trainer/stages/index.ts';
import { subPrefix } from '../../src/trainer/store-io.ts';
import { jobFor, nodeNamed, testContext, tinyShapes, tinyTrial } from './helpers.ts';

const root = await tinyShapes();

async function modelBytes(store: FsObjectStore, attemptPrefix: string): Promise<Uint8Array> {
  const files = [];
  for await (const o of store.list(subPrefix(attemptPrefix, MODEL_DIR))) if (o.key.endsWith('.bin')) files.push(await store.get(o.key));
  assert.equal(files.length, 1);
  return files[0];
}

test('train_rpn resumed from its checkpoint equals the uninterrupted run bit for bit', async () => {
  const config = tinyTrial(root, { iterations: { rpn1: 5, fastRcnn1: 1, rpn2: 1, fastRcnn2: 1, joint: 1 } });
  const node = nodeNamed(config, 'rpn1');

  const a = new FsObjectStore(await mkdtemp(join(tmpdir(), 'frcnn-resume-a-')));
  const straight = testContext(a, node, 1, 2);
  const r1 = await trainRpn.run(jobFor(node, 1) as never, straight.ctx);
  assert.equal(r1.result.iterations, 5);
  assert.deepEqual(straight.checkpoints.map((r) => r.slice(-12)), ['iter-000002/', 'iter-000004/']);
  assert.deepEqual(
    straight.progress.filter((p) => p.unit === 'it' && p.losses).map((p) => p.done),
    [1, 2, 3, 4, 5],
  );

  // Stop right after the first checkpoint, as a drained worker does.
  const b = new FsObjectStore(await mkdtemp(join(tmpdir(), 'frcnn-resume-b-')));
  const first = testContext(b, node, 1, 2, (_ref, t) => t.abort.abort(new Error('drained')));
  await assert.rejects(trainRpn.run(jobFor(node, 1) as never, first.ctx), /drained/);
  assert.equal(first.checkpoints.length, 1);
  assert.equal(await b.exists(`${first.checkpoints[0]}model.json`), true);

  const second = testContext(b, node, 2, 2);
  const r2 = await trainRpn.run(jobFor(node, 2, {}, first.checkpoints[0]) as never, second.ctx);
  assert.equal(r2.result.resumedAt, 2);
  assert.equal(r2.result.iterations, 5);
  assert.deepEqual(second.progress.filter((p) => p.losses).map((p) => p.done), [3, 4, 5]);

  const wa = await modelBytes(a, straight.ctx.artifactPrefix);
  const wb = await modelBytes(b, second.ctx.artifactPrefix);
  assert.equal(wa.length, wb.length);
  assert.ok(Buffer.from(wa).equals(Buffer.from(wb)), 'final weights differ between the resumed and the uninterrupted run');
});

test('a checkpoint of another schedule is refused with the reason', async () => {
  const config = tinyTrial(root, { iterations: { rpn1: 3, fastRcnn1: 1, rpn2: 1, fastRcnn2: 1, joint: 1 } });
  const node = nodeNamed(config, 'rpn1');
  const store = new FsObjectStore(await mkdtemp(join(tmpdir(), 'frcnn-resume-c-')));
  const t = testContext(store, node, 1, 2, (_ref, c) => c.abort.abort(new Error('drained')));
  await assert.rejects(trainRpn.run(jobFor(node, 1) as never, t.ctx), /drained/);
  const other = nodeNamed(tinyTrial(root, { iterations: { rpn1: 9, fastRcnn1: 1, rpn2: 1, fastRcnn2: 1, joint: 1 } }), 'rpn1');
  await assert.rejects(
    trainRpn.run(jobFor(other, 2, {}, t.checkpoints[0]) as never, testContext(store, other, 2, 2).ctx),
    (err: Error) => err.name === 'InputError' && /3 iterations and seed 7, this stage has 9 and 7/.test(err.message),
  );
});
