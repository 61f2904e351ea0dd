import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore } from '../../src/storage/open-store.ts';
import { listAll, type ObjectStore } from '../../src/storage/object-store.ts';
import { beginArtifact, commitAttempt, commitSealed, openArtifact, tryOpenArtifact, cleanupAttempts, gcArtifacts, listArtifacts } from '../../src/storage/artifact.ts';
import { artifactIOHandler } from '../../src/storage/tfjs-io.ts';
import { isErrorNamed } from '../../src/util/errors.ts';
import { startS3Server, type S3TestServer } from '../utils/s3-server.ts';

const named = (name: string, re?: RegExp) => (err: Error) => {
  assert.ok(isErrorNamed(err, name), `expected ${name}, got ${err.name}: ${err.message}`);
  if (re) assert.match(err.message, re);
  return true;
};
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

let s3: S3TestServer;
let fsRoot: string;
before(async () => {
  s3 = await startS3Server({ buckets: ['artifacts'] });
  fsRoot = await mkdtemp(join(tmpdir(), 'frcnn-artifact-'));
});
after(async () => {
  await s3?.stop();
  await rm(fsRoot, { recursive: true, force: true });
});

const backends: Array<{ name: string; open(): Promise<ObjectStore> }> = [
  { name: 'fs', open: () => openStore(join(fsRoot, randomUUID())) },
  { name: 's3', open: () => openStore(`s3://artifacts/${randomUUID()}`, { s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey } }) },
];

test('on fs, racing commits of one artifact elect exactly one winner, and all agree on it', async () => {
  const store = await openStore(join(fsRoot, randomUUID()));
  const writers = await Promise.all(Array.from({ length: 8 }, (_, i) => beginArtifact(store, 'race/x', `w${i}`)));
  await Promise.all(writers.map((w, i) => w.put('f', enc(`writer ${i}`))));
  const results = await Promise.all(writers.map((w) => w.commit()));
  const winners = results.filter((r) => r.committed);
  assert.equal(winners.length, 1);
  const winner = winners[0].committed ? winners[0].manifest.attempt : '';
  for (const r of results) if (!r.committed) assert.equal(r.winner.attempt, winner);
  assert.equal(dec(await (await openArtifact(store, 'race/x')).read('f')), `writer ${winner.slice(1)}`);
  await store.close();
});

for (const b of backends) {
  describe(`artifacts on ${b.name}`, () => {
    test('nothing is visible until the manifest is committed, then every file is', async () => {
      const store = await b.open();
      const w = await beginArtifact(store, 'stages/rpn-1', 'lease-1');
      for (let i = 0; i < 12; i++) {
        await w.put(`proposals/shard-${String(i).padStart(3, '0')}.bin`, enc(`shard ${i}`));
        // A reader during the writes sees no artifact at all.
        assert.equal(await tryOpenArtifact(store, 'stages/rpn-1'), undefined);
      }
      await assert.rejects(openArtifact(store, 'stages/rpn-1'), named('ArtifactNotFoundError', /no committed artifact at stages\/rpn-1/));
      assert.deepEqual(await listArtifacts(store, 'stages/'), [{ prefix: 'stages/rpn-1', committed: false }]);
      const r = await w.commit({ stageKey: 'abc123', iterations: 80000 });
      assert.equal(r.committed, true);
      const art = await openArtifact(store, 'stages/rpn-1');
      assert.equal(art.manifest.attempt, 'lease-1');
      assert.deepEqual(art.manifest.meta, { stageKey: 'abc123', iterations: 80000 });
      assert.equal(art.manifest.files.length, 12);
      assert.equal(dec(await art.read('proposals/shard-007.bin')), 'shard 7');
      await assert.rejects(art.read('nope.bin'), named('ArtifactFileNotFoundError'));
      await assert.rejects(w.put('late.bin', enc('x')), /committed; no more files/);
      await store.close();
    });

    test('the first commit wins; a stale attempt neither corrupts nor is read, and is cleaned up', async () => {
      const store = await b.open();
      const stale = await beginArtifact(store, 'stages/frcnn-2', 'lease-old');
      const fresh = await beginArtifact(store, 'stages/frcnn-2', 'lease-new');
      const running = await beginArtifact(store, 'stages/frcnn-2', 'lease-running');
      await fresh.put('model.json', enc('fresh'));
      await stale.put('model.json', enc('stale'));
      await stale.put('extra.bin', enc('stale extra'));
      await running.put('model.json', enc('running'));
      assert.equal((await fresh.commit()).committed, true);
      const second = await stale.commit({ note: 'late' });
      assert.equal(second.committed, false);
      assert.equal(!second.committed && second.winner.attempt, 'lease-new');
      const art = await openArtifact(store, 'stages/frcnn-2');
      assert.equal(dec(await art.read('model.json')), 'fresh');
      assert.equal(art.has('extra.bin'), false);
      assert.deepEqual(art.manifest.meta, {});

      // The committed attempt cannot write again.
      await assert.rejects(beginArtifact(store, 'stages/frcnn-2', 'lease-new'), named('ArtifactAlreadyCommittedError', /already committed by attempt lease-new/));

      assert.deepEqual(await cleanupAttempts(store, 'stages/frcnn-2', ['lease-running']), ['lease-old']);
      const left = (await listAll(store, 'stages/frcnn-2/')).map((o) => o.key);
      assert.deepEqual(left, ['stages/frcnn-2/attempts/lease-new/model.json', 'stages/frcnn-2/attempts/lease-running/model.json', 'stages/frcnn-2/manifest.json']);
      await store.close();
    });

    test('sealed attempts become visible only when the coordinator commits them', async () => {
      const store = await b.open();
      const w1 = await beginArtifact(store, 'stages/det', 'lease-1');
      await w1.put('detections.bin', enc('one'));
      const draft = await w1.seal({ images: 10 });
      assert.deepEqual(draft.files.map((f) => f.name), ['detections.bin']);
      await assert.rejects(w1.put('more.bin', enc('x')), /sealed; no more files/);
      assert.equal(await tryOpenArtifact(store, 'stages/det'), undefined);
      assert.deepEqual(await listArtifacts(store, 'stages/'), [{ prefix: 'stages/det', committed: false }]);

      const w2 = await beginArtifact(store, 'stages/det', 'lease-2');
      await w2.put('detections.bin', enc('two'));
      await w2.seal();
      await assert.rejects(commitSealed(store, 'stages/det', 'lease-3'), named('ArtifactNotFoundError', /attempt lease-3 is not sealed/));

      const r1 = await commitSealed(store, 'stages/det', 'lease-1');
      assert.equal(r1.committed, true);
      const r2 = await commitSealed(store, 'stages/det', 'lease-2');
      assert.equal(!r2.committed && r2.winner.attempt, 'lease-1');
      const art = await openArtifact(store, 'stages/det');
      assert.deepEqual(art.manifest.meta, { images: 10 });
      assert.ok(art.manifest.committedAt !== '');
      assert.equal(dec(await art.read('detections.bin')), 'one');

      assert.deepEqual(await cleanupAttempts(store, 'stages/det'), ['lease-2']);
      assert.deepEqual((await listAll(store, 'stages/det/')).map((o) => o.key), [
        'stages/det/attempts/lease-1/detections.bin',
        'stages/det/manifest.json',
        'stages/det/sealed/lease-1.json',
      ]);
      // A sealed-only artifact is found and collected by gc like any other.
      const w3 = await beginArtifact(store, 'stages/orphan', 'x');
      await w3.seal();
      assert.deepEqual((await gcArtifacts(store, 'stages/', ['stages/det'])).deleted, ['stages/orphan']);
      assert.deepEqual(await listAll(store, 'stages/orphan/'), []);
      await store.close();
    });

    test('an attempt folder written with plain puts is committed by listing it', async () => {
      const store = await b.open();
      await store.put('stages/k1/attempts/a1/model/model.json', enc('{}'));
      await store.put('stages/k1/attempts/a1/model/weights.bin', enc('wwww'));
      await store.put('stages/k1/attempts/a2/model/model.json', enc('stale'));
      await assert.rejects(commitAttempt(store, 'stages/k1', 'a9'), named('ArtifactNotFoundError', /attempt a9 wrote no files/));
      const r = await commitAttempt(store, 'stages/k1', 'a1', { result: { images: 3 } });
      assert.equal(r.committed, true);
      assert.equal(r.committed && r.manifest.files.map((f) => `${f.name}:${f.size}`).join(' '), 'model/model.json:2 model/weights.bin:4');
      assert.equal((await commitAttempt(store, 'stages/k1', 'a2')).committed, false);
      const art = await openArtifact(store, 'stages/k1');
      assert.equal(dec(await art.read('model/weights.bin')), 'wwww');
      assert.deepEqual(art.manifest.meta, { result: { images: 3 } });
      await store.close();
    });

    test('a committed file replaced later fails against the manifest checksum', async () => {
      const store = await b.open();
      const w = await beginArtifact(store, 'x/a', 'att');
      await w.put('f.bin', enc('original'));
      await w.commit();
      // Rewritten through the store: its own object checksum is valid, the manifest's is not.
      await store.put('x/a/attempts/att/f.bin', enc('tampered'));
      const art = await openArtifact(store, 'x/a');
      await assert.rejects(art.read('f.bin'), named('ChecksumMismatchError', /x\/a\/attempts\/att\/f\.bin/));
      await store.close();
    });

    test('gc deletes artifacts outside the keep-set, committed or not', async () => {
      const store = await b.open();
      for (const p of ['runs/s1', 'runs/s2', 'runs/s3/sub']) {
        const w = await beginArtifact(store, p, 'a1');
        await w.put('data.bin', enc(p));
        await w.commit();
      }
      const dangling = await beginArtifact(store, 'runs/s4', 'a1');
      await dangling.put('data.bin', enc('never committed'));

      const dry = await gcArtifacts(store, 'runs/', ['runs/s1/', 'runs/s3/sub'], { dryRun: true });
      assert.deepEqual(dry, { deleted: ['runs/s2', 'runs/s4'], kept: ['runs/s1', 'runs/s3/sub'] });
      assert.equal((await listArtifacts(store, 'runs/')).length, 4);
      const res = await gcArtifacts(store, 'runs/', ['runs/s1/', 'runs/s3/sub']);
      assert.deepEqual(res.deleted, ['runs/s2', 'runs/s4']);
      assert.deepEqual(await listArtifacts(store, 'runs/'), [
        { prefix: 'runs/s1', committed: true },
        { prefix: 'runs/s3/sub', committed: true },
      ]);
      assert.equal(dec(await (await openArtifact(store, 'runs/s3/sub')).read('data.bin')), 'runs/s3/sub');
      await store.close();
    });

    test('bad prefixes, attempt ids and foreign manifests are refused clearly', async () => {
      const store = await b.open();
      await assert.rejects(beginArtifact(store, 'a/attempts/b', 'x'), named('InvalidKeyError', /reserved segment "attempts"/));
      await assert.rejects(beginArtifact(store, 'a/../b', 'x'), named('InvalidKeyError'));
      await assert.rejects(beginArtifact(store, 'a/b', 'x/y'), named('InvalidKeyError', /attempt id/));
      await store.put('old/manifest.json', enc(JSON.stringify({ format: 'frcnn-artifact', version: 0, files: [] })));
      await assert.rejects(openArtifact(store, 'old'), named('ForeignFormatError', /old\/manifest\.json: artifact manifest version 0; this build reads version 1/));
      await store.put('alien/manifest.json', enc('{"hello": 1}'));
      await assert.rejects(openArtifact(store, 'alien'), named('ForeignFormatError', /not an frcnn artifact manifest/));
      await store.close();
    });

    test('checkpoints through artifactIOHandler: sharded save, exact load, immutable once committed', async () => {
      const store = await b.open();
      const weights = new Float32Array(3000).map((_, i) => Math.sin(i));
      const saved = {
        modelTopology: { backbone: 'small' },
        format: 'frcnn-model',
        weightSpecs: [{ name: 'w', shape: [3000], dtype: 'float32' as const }],
        weightData: weights.buffer,
        userDefinedMetadata: { iteration: 500, rng: [1, 2, 3, 4] },
      };
      await artifactIOHandler(store, 'ckpt/iter-500', { shardBytes: 4096, attempt: 'lease-9', meta: { iteration: 500 } }).save!(saved);
      const art = await openArtifact(store, 'ckpt/iter-500');
      assert.deepEqual(art.manifest.files.map((f) => f.name), ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin', 'model.json']);
      assert.deepEqual(art.manifest.meta, { kind: 'tfjs-checkpoint', iteration: 500 });
      const loaded = await artifactIOHandler(store, 'ckpt/iter-500').load!();
      assert.deepEqual(new Float32Array(loaded.weightData as ArrayBuffer), weights);
      assert.deepEqual(loaded.userDefinedMetadata, saved.userDefinedMetadata);
      assert.deepEqual(loaded.weightSpecs, saved.weightSpecs);

      await assert.rejects(
        artifactIOHandler(store, 'ckpt/iter-500', { attempt: 'lease-10' }).save!({ ...saved, weightData: new Float32Array(3000).buffer }),
        named('ArtifactAlreadyCommittedError', /committed by attempt lease-9; attempt lease-10 was not saved/),
      );
      // The loser's files are gone and the committed weights unchanged.
      assert.equal((await listAll(store, 'ckpt/iter-500/attempts/lease-10/')).length, 0);
      assert.deepEqual(new Float32Array((await artifactIOHandler(store, 'ckpt/iter-500').load!()).weightData as ArrayBuffer), weights);
      await assert.rejects(artifactIOHandler(store, 'ckpt/none').load!(), named('ArtifactNotFoundError'));
      await store.close();
    });
  });
}
