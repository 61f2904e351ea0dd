import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { beginArtifact } from '../../src/storage/artifact.ts';
import { BoxesWriter } from '../../src/storage/formats/boxes-file.ts';
import { openStore } from '../../src/storage/open-store.ts';
import { startS3Server } from '../utils/s3-server.ts';

const bin = new URL('../../bin/frcnn.js', import.meta.url).pathname;
const frcnn = (...args: string[]) => frcnnEnv({}, ...args);
const frcnnEnv = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, 'store', ...args], { encoding: 'utf8', env: { ...process.env, FRCNN_LOG_LEVEL: 'silent', ...env } });

test('frcnn store ls / boxes / verify / cat / gc on an fs store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-store-cli-'));
  const store = new FsObjectStore(dir);
  const w = await beginArtifact(store, 'stages/props', 'lease-1');
  const bw = new BoxesWriter(w, { kind: 'proposals' });
  await bw.add('img1', { boxes: new Float32Array([0, 1, 10, 11, 2.5, 3, 20, 30]), scores: new Float32Array([0.75, 0.5]) });
  await bw.add('img2', { boxes: new Float32Array(0), scores: new Float32Array(0) });
  await bw.finish();
  await w.commit();
  const old = await beginArtifact(store, 'stages/old', 'lease-0');
  await old.put('x.bin', new Uint8Array([1, 2, 3]));

  let r = frcnn('ls', '--store', dir, '--artifacts', 'stages/');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'uncommitted  stages/old\ncommitted    stages/props\n');

  r = frcnn('ls', '--store', dir, 'stages/props/attempts/');
  assert.match(r.stdout, /^\s+\d+ {2}stages\/props\/attempts\/lease-1\/index\.bin\n\s+\d+ {2}stages\/props\/attempts\/lease-1\/shard-00000\.bin\n$/);

  r = frcnn('boxes', '--store', dir, 'stages/props');
  assert.equal(r.stdout, 'proposals: 2 images, 2 boxes (0-2 per image)\n');
  r = frcnn('boxes', '--store', dir, 'stages/props', '--image', 'img1');
  assert.equal(r.stdout, '0 1 10 11 0.75\n2.5 3 20 30 0.5\n');
  r = frcnn('boxes', '--store', dir, 'stages/props', '--image', 'nope');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no boxes for image "nope"/);

  r = frcnn('verify', '--store', dir, 'stages/props');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /stages\/props: 2 files, \d+ bytes OK \(attempt lease-1/);

  r = frcnn('cat', '--store', dir, 'stages/props/manifest.json');
  assert.equal(JSON.parse(r.stdout).attempt, 'lease-1');

  // Corrupt a shard on disk: verify fails, names the file, exits 1.
  const shard = join(dir, 'stages/props/attempts/lease-1/shard-00000.bin');
  const bytes = await readFile(shard);
  bytes[bytes.length - 1] ^= 1;
  await writeFile(shard, bytes);
  r = frcnn('verify', '--store', dir, 'stages/props');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /1 of 2 files failed verification:\n\s+shard-00000\.bin: checksum mismatch/);

  r = frcnn('gc', '--store', dir, 'stages/', '--keep', 'stages/props', '--dry-run');
  assert.equal(r.stdout, 'would delete  stages/old\n1 to delete, 1 kept\n');
  r = frcnn('gc', '--store', dir, 'stages/', '--keep', 'stages/props');
  assert.equal(r.stdout, 'deleted  stages/old\n1 deleted, 1 kept\n');
  r = frcnn('ls', '--store', dir, '--artifacts');
  assert.equal(r.stdout, 'committed    stages/props\n');
  await rm(dir, { recursive: true });
});

test('frcnn store on S3, configured by FRCNN_STORE and FRCNN_S3_*; wrong credentials exit 1 with a clear message', async () => {
  const s3 = await startS3Server({ buckets: ['cli'] });
  try {
    const env = s3.env('cli', 'team');
    const store = await openStore(env.FRCNN_STORE, { s3: { endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey } });
    const w = await beginArtifact(store, 'stages/a', 'l1');
    await w.put('x.bin', new Uint8Array(10));
    await w.commit();
    await store.close();
    let r = frcnnEnv(env, 'ls', '--artifacts');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'committed    stages/a\n');
    r = frcnnEnv(env, 'verify', 'stages/a');
    assert.match(r.stdout, /stages\/a: 1 files, 10 bytes OK/);
    r = frcnnEnv({ ...env, FRCNN_S3_SECRET_KEY: 'wrong-secret' }, 'ls');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^frcnn: S3 rejected the credentials for http:\/\/127\.0\.0\.1:\d+: SignatureDoesNotMatch/);
    assert.ok(!r.stderr.includes('wrong-secret'));
  } finally {
    await s3.stop();
  }
});
