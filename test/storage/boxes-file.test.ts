import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxesWriter, openBoxesFile, mergeBoxesFiles, shardName, INDEX_NAME, type BoxesSource, type ImageBoxes } from '../../src/storage/formats/boxes-file.ts';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { beginArtifact, openArtifact } from '../../src/storage/artifact.ts';
import { prefixFiles, directoryFiles } from '../../src/storage/prefix-io.ts';
import { Rng } from '../../src/util/rng.ts';
import { isErrorNamed } from '../../src/util/errors.ts';

const named = (name: string, re?: RegExp) => (err: Error) => {
  assert.ok(isErrorNamed(err, name), `expected ${name}, got ${err.name}: ${err.message}`);
  if (re) assert.match(err.message, re);
  return true;
};

/** Files in memory, counting reads per name. */
function memoryFiles() {
  const files = new Map<string, Uint8Array>();
  const reads = new Map<string, number>();
  const source: BoxesSource & { put(name: string, b: Uint8Array): Promise<void> } = {
    async put(name, b) {
      files.set(name, b.slice());
    },
    async read(name) {
      reads.set(name, (reads.get(name) ?? 0) + 1);
      const b = files.get(name);
      if (!b) throw new Error(`no file ${name}`);
      return b;
    },
    keyOf: (name) => `mem/${name}`,
  };
  return { files, reads, source };
}

function randomImage(rng: Rng, n: number, withClasses: boolean): ImageBoxes {
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const x1 = rng.next() * 500;
    const y1 = rng.next() * 300;
    boxes.set([x1, y1, x1 + 1 + rng.next() * 200, y1 + 1 + rng.next() * 200], 4 * i);
  }
  const scores = new Float32Array(n).map(() => rng.next());
  return withClasses ? { boxes, scores, classes: new Int32Array(n).map(() => 1 + Math.floor(rng.next() * 20)) } : { boxes, scores };
}

test('proposals round-trip exactly across several shards; one image reads one shard', async () => {
  const { files, reads, source } = memoryFiles();
  const rng = new Rng(3);
  const w = new BoxesWriter(source, { kind: 'proposals', maxShardBytes: 20 + 3 * (4 + 20 * 50) });
  const written = new Map<string, ImageBoxes>();
  const counts = [50, 0, 17, 50, 1, 33, 2, 50, 49];
  for (const [i, n] of counts.entries()) {
    const im = randomImage(rng, n, false);
    written.set(`img_${i}`, im);
    await w.add(`img_${i}`, im);
  }
  const summary = await w.finish();
  // Records are 4 + 20 N bytes: 1004, 4, 344, 1004, 24 fill shard 0 (20 + 2380 = 2400 bytes);
  // the next, 664, would pass the 3032-byte limit, so images 5..8 go to shard 1.
  assert.deepEqual(summary, { kind: 'proposals', images: 9, boxes: 252, shards: 2, bytes: summary.bytes });
  assert.equal(summary.bytes, [...files.values()].reduce((s, b) => s + b.byteLength, 0));
  assert.equal(files.get(shardName(0))!.byteLength, 2400);
  assert.equal(files.get(shardName(1))!.byteLength, 20 + 664 + 44 + 1004 + 984);

  const r = await openBoxesFile(source, 'proposals');
  assert.deepEqual(r.imageIds, counts.map((_, i) => `img_${i}`));
  assert.equal(r.count('img_3'), 50);
  const got = await r.get('img_5');
  assert.deepEqual(got.boxes, written.get('img_5')!.boxes);
  assert.deepEqual(got.scores, written.get('img_5')!.scores);
  assert.equal(got.classes, undefined);
  assert.deepEqual([...reads.keys()].sort(), [INDEX_NAME, shardName(1)]);

  reads.clear();
  const inOrder = await openBoxesFile(source);
  for await (const [id, im] of inOrder.entriesInOrder()) {
    assert.deepEqual(im.boxes, written.get(id)!.boxes, id);
    assert.deepEqual(im.scores, written.get(id)!.scores, id);
  }
  // In order, each shard is loaded once.
  assert.equal(reads.get(shardName(0)), 1);
  assert.equal(reads.get(shardName(1)), 1);
  await assert.rejects(r.get('img_99'), named('ImageNotInFileError', /mem\/index\.bin: no boxes for image "img_99"/));
  await assert.rejects(openBoxesFile(source, 'detections'), named('InputError', /holds proposals, expected detections/));
});

test('detections keep their classes, through an artifact on the fs store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-boxes-'));
  const store = new FsObjectStore(dir);
  const aw = await beginArtifact(store, 'detect/test', 'a1');
  const w = new BoxesWriter(aw, { kind: 'detections' });
  const im = { boxes: new Float32Array([0, 0, 9, 9, 5.5, 6.25, 100, 200]), scores: new Float32Array([0.9, 0.05]), classes: new Int32Array([3, 20]) };
  await w.add('000001', im);
  await w.add('000002', { boxes: new Float32Array(0), scores: new Float32Array(0), classes: new Int32Array(0) });
  await w.finish();
  await aw.commit({ kind: 'detections' });
  const r = await openBoxesFile(await openArtifact(store, 'detect/test'), 'detections');
  const got = await r.get('000001');
  assert.deepEqual(Array.from(got.boxes), [0, 0, 9, 9, 5.5, 6.25, 100, 200]);
  assert.deepEqual(Array.from(got.scores), [Math.fround(0.9), Math.fround(0.05)]);
  assert.deepEqual(Array.from(got.classes!), [3, 20]);
  assert.equal((await r.get('000002')).scores.length, 0);
  // And under a plain prefix.
  const pw = new BoxesWriter(prefixFiles(store, 'plain/p'), { kind: 'proposals' });
  await pw.add('a', { boxes: new Float32Array([1, 2, 3, 4]), scores: new Float32Array([0.5]) });
  await pw.finish();
  assert.deepEqual(Array.from((await (await openBoxesFile(prefixFiles(store, 'plain/p'))).get('a')).boxes), [1, 2, 3, 4]);
  // And as plain files in a local directory (what `--out DIR` writes).
  const local = join(dir, 'local-proposals');
  const lw = new BoxesWriter(directoryFiles(local), { kind: 'proposals' });
  await lw.add('b', { boxes: new Float32Array([5, 6, 7, 8]), scores: new Float32Array([0.25]) });
  await lw.finish();
  assert.deepEqual(Array.from((await (await openBoxesFile(directoryFiles(local))).get('b')).scores), [0.25]);
  await assert.rejects(openBoxesFile(directoryFiles(join(dir, 'missing'))), named('ObjectNotFoundError', /no object index\.bin in .*missing/));
  await rm(dir, { recursive: true });
});

test('truncated files, foreign magic and other versions are named', async () => {
  const { files, source } = memoryFiles();
  const w = new BoxesWriter(source, { kind: 'proposals' });
  await w.add('x', { boxes: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), scores: new Float32Array([0.1, 0.2]) });
  await w.finish();
  const index = files.get(INDEX_NAME)!;
  const shard = files.get(shardName(0))!;

  files.set(shardName(0), shard.subarray(0, shard.byteLength - 4));
  const r = await openBoxesFile(source);
  await assert.rejects(r.get('x'), named('CorruptFileError', /mem\/shard-00000\.bin: 60 bytes, the index says 64 \(truncated/));
  files.set(shardName(0), shard);

  files.set(INDEX_NAME, index.subarray(0, 30));
  await assert.rejects(openBoxesFile(source), named('CorruptFileError', /mem\/index\.bin: truncated/));

  const foreign = index.slice();
  foreign.set(new TextEncoder().encode('PK\x03\x04....'), 0);
  files.set(INDEX_NAME, foreign);
  await assert.rejects(openBoxesFile(source), named('ForeignFormatError', /mem\/index\.bin: not an frcnn boxes index \(magic "PK/));

  const v2 = index.slice();
  v2[8] = 2;
  files.set(INDEX_NAME, v2);
  await assert.rejects(openBoxesFile(source), named('ForeignFormatError', /boxes format version 2; this build reads version 1/));

  const badShard = shard.slice();
  badShard[0] = 0x58;
  files.set(INDEX_NAME, index);
  files.set(shardName(0), badShard);
  await assert.rejects((await openBoxesFile(source)).get('x'), named('ForeignFormatError', /shard-00000\.bin: not an frcnn boxes shard/));
});

test('bad input is refused with the image named', async () => {
  const { source } = memoryFiles();
  const w = new BoxesWriter(source, { kind: 'proposals' });
  await assert.rejects(w.add('a', { boxes: new Float32Array(7), scores: new Float32Array(2) }), named('InputError', /image "a": boxes has 7 values, expected 4 x 2/));
  await assert.rejects(w.add('b', { boxes: new Float32Array([0, 0, NaN, 1]), scores: new Float32Array(1) }), named('InputError', /image "b": box value NaN at box 0/));
  await assert.rejects(w.add('c', { boxes: new Float32Array(4), scores: new Float32Array([NaN]) }), named('InputError', /score of box 0 is NaN/));
  await assert.rejects(w.add('d', { boxes: new Float32Array(4), scores: new Float32Array(1), classes: new Int32Array(1) }), named('InputError', /proposals carry no classes/));
  await w.add('e', { boxes: new Float32Array(4), scores: new Float32Array(1) });
  await assert.rejects(w.add('e', { boxes: new Float32Array(4), scores: new Float32Array(1) }), named('InputError', /image "e": added twice/));
  const dw = new BoxesWriter(source, { kind: 'detections' });
  await assert.rejects(dw.add('f', { boxes: new Float32Array(4), scores: new Float32Array(1) }), named('InputError', /one class per box/));
  const tiny = new BoxesWriter(source, { kind: 'proposals', maxShardBytes: 64 });
  await tiny.add('h', { boxes: new Float32Array(8), scores: new Float32Array(2) }); // 20 + 4 + 40 = 64: fits exactly
  await assert.rejects(tiny.add('g', { boxes: new Float32Array(12), scores: new Float32Array(3) }), named('InputError', /3 boxes need 64 bytes, more than one shard holds \(64\)/));
});

test('data-parallel shards merge into one file in order; overlaps and mixed kinds are refused', async () => {
  const rng = new Rng(9);
  const parts = [memoryFiles(), memoryFiles(), memoryFiles()];
  const all: Array<[string, ImageBoxes]> = [];
  for (const [p, part] of parts.entries()) {
    const w = new BoxesWriter(part.source, { kind: 'proposals', maxShardBytes: 2000 });
    for (let i = 0; i < 5; i++) {
      const im = randomImage(rng, 10 + i * 7, false);
      all.push([`p${p}_${i}`, im]);
      await w.add(`p${p}_${i}`, im);
    }
    await w.finish();
  }
  const out = memoryFiles();
  const summary = await mergeBoxesFiles(parts.map((p) => p.source), out.source, { maxShardBytes: 3000 });
  assert.equal(summary.images, 15);
  assert.equal(summary.boxes, 3 * (10 + 17 + 24 + 31 + 38));
  const r = await openBoxesFile(out.source);
  assert.deepEqual(r.imageIds, all.map(([id]) => id));
  for (const [id, im] of all) assert.deepEqual((await r.get(id)).boxes, im.boxes, id);

  await assert.rejects(mergeBoxesFiles([parts[0].source, parts[0].source], memoryFiles().source), named('InputError', /image "p0_0" is also in an earlier input/));
  const det = memoryFiles();
  const dw = new BoxesWriter(det.source, { kind: 'detections' });
  await dw.finish();
  await assert.rejects(mergeBoxesFiles([parts[0].source, det.source], memoryFiles().source), named('InputError', /holds detections, the first input holds proposals/));
});
