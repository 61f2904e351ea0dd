/**
 * The local runner over an fs store, mode unshared with two shards per data-parallel stage:
 * every stage commits a storage manifest with its result, the detector keeps its own RPN
 * network, shards merge in image order, and a rerun skips everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryOpenArtifact } from '../../src/storage/artifact.ts';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { listAll } from '../../src/storage/object-store.ts';
import { runPipelineLocally, type RunnerEvent } from '../../src/trainer/local-runner.ts';
import { openBoxesAt, subPrefix } from '../../src/trainer/store-io.ts';
import { tinyShapes, tinyTrial } from './helpers.ts';

const root = await tinyShapes();

test('unshared mode runs every stage once, commits each, and a rerun skips them all', { timeout: 120_000 }, async () => {
  const store = new FsObjectStore(await mkdtemp(join(tmpdir(), 'frcnn-runner-')));
  const config = tinyTrial(root, { mode: 'unshared', shards: { proposals: 2, detect: 2 } });
  const events: RunnerEvent[] = [];
  const first = await runPipelineLocally({ config, store, progress: 'silent', onEvent: (e) => events.push(e) });
  const names = first.stages.map((s) => s.name);
  assert.deepEqual(names, [
    'rpn1',
    'proposals1.shard-0',
    'proposals1.shard-1',
    'proposals1.merge',
    'fast_rcnn1',
    'assemble',
    'detect.shard-0',
    'detect.shard-1',
    'detect.merge',
    'evaluate',
  ]);
  assert.ok(first.stages.every((s) => s.status === 'ran'));
  // Checkpoints every 2 iterations of 4 (rpn1) and 3 (fast_rcnn1): iterations 2 of each, and 4 is the end.
  assert.deepEqual(
    events.filter((e) => e.type === 'checkpoint').map((e) => `${e.node.name}@${e.type === 'checkpoint' ? e.ref.slice(-7, -1) : ''}`),
    ['rpn1@000002', 'fast_rcnn1@000002'],
  );

  for (const s of first.stages) {
    const art = await tryOpenArtifact(store, `stages/${s.key}`);
    assert.ok(art, `${s.name} has no manifest`);
    assert.equal(art.manifest.attempt, 'a1');
    assert.deepEqual(art.manifest.meta.result, s.result);
    // Every file the manifest names reads back with its checksum.
    for (const f of art.manifest.files) assert.equal((await art.read(f.name)).byteLength, f.size);
    // Checkpoints of a committed stage are collected; its final outputs stay.
    assert.ok(!art.manifest.files.some((f) => f.name.startsWith('checkpoints/')), `${s.name} committed its checkpoints`);
    assert.equal(await store.exists(`stages/${s.key}/checkpoint.json`), false);
    assert.equal((await listAll(store, `stages/${s.key}/attempts/a1/checkpoints/`)).length, 0);
  }
  const byName = new Map(first.stages.map((s) => [s.name, s]));
  const assembled = await tryOpenArtifact(store, `stages/${byName.get('assemble')!.key}`);
  assert.ok(assembled!.has('rpn/model.json') && assembled!.has('model/model.json'), 'unshared assemble keeps a separate RPN network');
  assert.equal(byName.get('assemble')!.result.sharedConv, false);

  // Shards cover the split in order: 24 training images as 12 + 12, 8 test images as 4 + 4.
  assert.deepEqual([byName.get('proposals1.shard-0')!.result.images, byName.get('proposals1.shard-1')!.result.images], [12, 12]);
  const merged = await openBoxesAt(store, subPrefix(byName.get('proposals1.merge')!.prefix, 'proposals'), 'proposals');
  assert.equal(merged.imageCount, 24);
  assert.deepEqual(merged.imageIds.slice(0, 3), ['000001', '000002', '000003']);
  const dets = await openBoxesAt(store, subPrefix(byName.get('detect.merge')!.prefix, 'detections'), 'detections');
  assert.equal(dets.imageCount, 8);

  const evaluation = first.evaluation;
  assert.equal(typeof evaluation.voc07, 'number');
  assert.equal(typeof evaluation.voc2010, 'number');
  assert.equal((evaluation.perClass as unknown[]).length, 4);
  const report = await tryOpenArtifact(store, `stages/${byName.get('evaluate')!.key}`);
  assert.ok(report!.has('report-voc.json') && report!.has('report-voc.html'));
  const provenance = byName.get('rpn1')!.result.provenance as { code: { version: string }; datasetDigest: string; seed: number; backend: { name: string } };
  assert.equal(provenance.code.version, '0.1.0');
  assert.match(provenance.datasetDigest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(provenance.seed, 7);
  assert.ok(['wasm', 'cpu', 'tensorflow'].includes(provenance.backend.name));

  const t0 = performance.now();
  const second = await runPipelineLocally({ config, store, progress: 'silent' });
  assert.ok(second.stages.every((s) => s.status === 'skipped'));
  assert.deepEqual(second.evaluation, first.evaluation);
  assert.ok(performance.now() - t0 < 5000, 'a fully committed trial reruns in seconds');
});
