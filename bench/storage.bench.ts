/**
 * Proposals through the object store: write and read N images x B boxes (float32 x1 y1 x2 y2
 * + score) as the binary boxes format, and the same data as JSON (the baseline), through the
 * fs store and the S3 store (a local S3 server started here), each as a committed artifact.
 *
 *   npm run bench:storage                       # 5000 images x 2000 boxes, fs and s3
 *   npm run bench:storage -- --images 500 --boxes 2000 --stores fs
 *
 * MB/s is over the raw payload (20 bytes per box) so the formats compare on the same work;
 * "stored MB" is what each format puts in the store. The S3 server (s3rver) runs on the
 * same cores as the bench, so S3 figures include the server's own work.
 */
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '../src/storage/fs-store.ts';
import { openStore } from '../src/storage/open-store.ts';
import type { ObjectStore } from '../src/storage/object-store.ts';
import { beginArtifact, openArtifact } from '../src/storage/artifact.ts';
import { BoxesWriter, openBoxesFile, type ImageBoxes } from '../src/storage/formats/boxes-file.ts';
import { createProgress } from '../src/util/progress.ts';
import { Rng } from '../src/util/rng.ts';
import { startS3Server, type S3TestServer } from '../test/utils/s3-server.ts';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '5000' },
    boxes: { type: 'string', default: '2000' },
    stores: { type: 'string', default: 'fs,s3' },
  },
});
const IMAGES = Number(values.images);
const BOXES = Number(values.boxes);
const STORES = values.stores!.split(',');
if (!(IMAGES > 0 && BOXES >= 0)) throw new Error('--images and --boxes must be positive numbers');

/** Deterministic proposals for image i (so reads can be checked without keeping the data). */
function makeImage(i: number): ImageBoxes {
  const rng = new Rng(i + 1);
  const boxes = new Float32Array(4 * BOXES);
  const scores = new Float32Array(BOXES);
  for (let b = 0; b < BOXES; b++) {
    const x1 = rng.next() * 800;
    const y1 = rng.next() * 600;
    boxes[4 * b] = x1;
    boxes[4 * b + 1] = y1;
    boxes[4 * b + 2] = x1 + 16 + rng.next() * 400;
    boxes[4 * b + 3] = y1 + 16 + rng.next() * 400;
    scores[b] = rng.next();
  }
  return { boxes, scores };
}

const imageId = (i: number): string => String(i).padStart(6, '0');
const PAYLOAD_BYTES = IMAGES * BOXES * 20;

// Generated once, outside the timings.
const data: ImageBoxes[] = [];
for (let i = 0; i < IMAGES; i++) data.push(makeImage(i));

interface Result {
  store: string;
  format: string;
  writeS: number;
  readS: number;
  storedBytes: number;
}

function check(i: number, im: ImageBoxes): void {
  const ref = data[i];
  const n = BOXES;
  if (im.scores.length !== n || im.boxes[0] !== ref.boxes[0] || im.boxes[4 * n - 1] !== ref.boxes[4 * n - 1] || im.scores[n - 1] !== ref.scores[n - 1]) {
    throw new Error(`read back wrong data for image ${imageId(i)}`);
  }
}

async function binary(store: ObjectStore, label: string): Promise<Result> {
  const prefix = `bench/binary-${Date.now()}`;
  let t = performance.now();
  const bar = createProgress({ label: `${label} binary write`, total: IMAGES, unit: 'img', mode: 'lines' });
  const w = await beginArtifact(store, prefix, 'a1');
  const bw = new BoxesWriter(w, { kind: 'proposals' });
  for (let i = 0; i < IMAGES; i++) {
    await bw.add(imageId(i), data[i]);
    if (i % 250 === 0) bar.update(i);
  }
  const summary = await bw.finish();
  await w.commit({ kind: 'proposals' });
  bar.stop();
  const writeS = (performance.now() - t) / 1000;

  t = performance.now();
  const r = await openBoxesFile(await openArtifact(store, prefix), 'proposals');
  let i = 0;
  for await (const [, im] of r.entriesInOrder()) check(i++, im);
  const readS = (performance.now() - t) / 1000;
  if (i !== IMAGES) throw new Error(`read ${i} images, wrote ${IMAGES}`);
  return { store: label, format: 'binary', writeS, readS, storedBytes: summary.bytes };
}

/** JSON shards of whole images, sized to stay under the 64 MiB object limit. */
async function json(store: ObjectStore, label: string): Promise<Result> {
  const prefix = `bench/json-${Date.now()}`;
  let t = performance.now();
  const bar = createProgress({ label: `${label} JSON write`, total: IMAGES, unit: 'img', mode: 'lines' });
  const w = await beginArtifact(store, prefix, 'a1');
  const enc = new TextEncoder();
  const toJson = (i: number): string => JSON.stringify({ id: imageId(i), boxes: Array.from(data[i].boxes), scores: Array.from(data[i].scores) });
  const perImage = toJson(0).length;
  const perShard = Math.max(1, Math.floor((48 * 1024 * 1024) / (perImage * 1.25)));
  let stored = 0;
  let shards = 0;
  for (let start = 0; start < IMAGES; start += perShard) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(IMAGES, start + perShard); i++) parts.push(toJson(i));
    const bytes = enc.encode(`[${parts.join(',')}]`);
    await w.put(`shard-${shards++}.json`, bytes, { contentType: 'application/json' });
    stored += bytes.byteLength;
    bar.update(Math.min(IMAGES, start + perShard));
  }
  await w.commit({ kind: 'proposals-json', shards });
  bar.stop();
  const writeS = (performance.now() - t) / 1000;

  t = performance.now();
  const art = await openArtifact(store, prefix);
  const dec = new TextDecoder();
  let i = 0;
  for (let s = 0; s < shards; s++) {
    const parsed = JSON.parse(dec.decode(await art.read(`shard-${s}.json`))) as Array<{ id: string; boxes: number[]; scores: number[] }>;
    for (const p of parsed) check(i++, { boxes: Float32Array.from(p.boxes), scores: Float32Array.from(p.scores) });
  }
  const readS = (performance.now() - t) / 1000;
  if (i !== IMAGES) throw new Error(`read ${i} images, wrote ${IMAGES}`);
  return { store: label, format: 'JSON', writeS, readS, storedBytes: stored };
}

const results: Result[] = [];
const cleanups: Array<() => Promise<void>> = [];
let s3: S3TestServer | undefined;
try {
  for (const name of STORES) {
    let store: ObjectStore;
    if (name === 'fs') {
      const dir = await mkdtemp(join(tmpdir(), 'frcnn-bench-fs-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      store = new FsObjectStore(dir);
    } else if (name === 's3') {
      s3 = await startS3Server({ buckets: ['bench'] });
      store = await openStore('s3://bench/run', { s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region } });
    } else {
      throw new Error(`unknown store ${name}; use fs and/or s3`);
    }
    results.push(await binary(store, name));
    results.push(await json(store, name));
    await store.close();
  }
} finally {
  await s3?.stop();
  for (const c of cleanups) await c();
}

const mb = (b: number): string => (b / 1e6).toFixed(1);
console.log(`\nproposals: ${IMAGES} images x ${BOXES} boxes = ${mb(PAYLOAD_BYTES)} MB of float32 boxes + scores`);
console.log('store  format  stored MB  write s  write MB/s  read s  read MB/s');
for (const r of results) {
  console.log(
    [r.store.padEnd(5), r.format.padEnd(6), mb(r.storedBytes).padStart(9), r.writeS.toFixed(2).padStart(7), mb(PAYLOAD_BYTES / r.writeS).padStart(10), r.readS.toFixed(2).padStart(6), mb(PAYLOAD_BYTES / r.readS).padStart(9)].join('  '),
  );
}
for (const store of STORES) {
  const b = results.find((r) => r.store === store && r.format === 'binary')!;
  const j = results.find((r) => r.store === store && r.format === 'JSON')!;
  console.log(`${store}: binary vs JSON baseline: write ${(j.writeS / b.writeS).toFixed(1)}x faster, read ${(j.readS / b.readS).toFixed(1)}x faster, ${(j.storedBytes / b.storedBytes).toFixed(1)}x smaller`);
}
