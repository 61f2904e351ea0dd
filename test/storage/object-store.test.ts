import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore } from '../../src/storage/open-store.ts';
import { listAll, MAX_OBJECT_BYTES, type ObjectStore } from '../../src/storage/object-store.ts';
import { sha256Hex } from '../../src/storage/checksum.ts';
import { isErrorNamed } from '../../src/util/errors.ts';
import { startS3Server, type S3TestServer } from '../utils/s3-server.ts';

const named = (name: string, re?: RegExp) => (err: Error) => {
  assert.ok(isErrorNamed(err, name), `expected ${name}, got ${err.name}: ${err.message}`);
  if (re) assert.match(err.message, re);
  return true;
};

let s3: S3TestServer;
let fsRoot: string;
before(async () => {
  s3 = await startS3Server({ buckets: ['frcnn-test'] });
  fsRoot = await mkdtemp(join(tmpdir(), 'frcnn-fs-store-'));
});
after(async () => {
  await s3?.stop();
  await rm(fsRoot, { recursive: true, force: true });
});

interface Backend {
  name: string;
  open(): Promise<ObjectStore>;
  /** Overwrite the stored payload of `key` behind the store's back, keeping its metadata. */
  corrupt(store: ObjectStore, key: string): Promise<void>;
}

const backends: Backend[] = [
  {
    name: 'fs',
    open: async () => openStore(`file:${join(fsRoot, randomUUID())}`),
    async corrupt(store, key) {
      const path = join(store.location, ...key.split('/'));
      const bytes = await readFile(path);
      bytes[bytes.length - 1] ^= 0x01;
      await writeFile(path, bytes);
    },
  },
  {
    name: 's3',
    open: async () => openStore(`s3://frcnn-test/run-${randomUUID()}`, { s3: { endpoint: `127.0.0.1:${s3.port}`, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region } }),
    async corrupt(store, key) {
      const prefix = store.location.split(' ')[0].slice('s3://frcnn-test/'.length);
      const parts = `${prefix}/${key}`.split('/');
      const file = join(s3.dataDir, 'frcnn-test', ...parts.slice(0, -1), `${parts[parts.length - 1]}._S3rver_object`);
      const bytes = await readFile(file);
      bytes[bytes.length - 1] ^= 0x01;
      await writeFile(file, bytes);
    },
  },
];

for (const b of backends) {
  describe(`${b.name} store`, () => {
    test('put/get/head/exists round-trip bytes and checksums', async () => {
      const store = await b.open();
      const bytes = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
      const info = await store.put('a/b/one.bin', bytes, { contentType: 'application/x-test' });
      assert.equal(info.size, 1000);
      assert.equal(info.sha256, sha256Hex(bytes));
      assert.deepEqual(await store.get('a/b/one.bin'), bytes);
      const head = await store.head('a/b/one.bin');
      assert.equal(head?.size, 1000);
      assert.equal(head?.sha256, sha256Hex(bytes));
      assert.equal(head?.contentType, 'application/x-test');
      assert.equal(await store.exists('a/b/one.bin'), true);
      assert.equal(await store.exists('a/b/two.bin'), false);
      assert.equal(await store.head('a/b/two.bin'), undefined);
      await assert.rejects(store.get('a/b/two.bin'), named('ObjectNotFoundError', /a\/b\/two\.bin/));
      // Empty objects and overwrites.
      await store.put('a/empty', new Uint8Array(0));
      assert.equal((await store.get('a/empty')).byteLength, 0);
      await store.put('a/b/one.bin', new Uint8Array([9]));
      assert.deepEqual(await store.get('a/b/one.bin'), new Uint8Array([9]));
      await store.close();
    });

    test('list filters by prefix (also mid-segment) in key order; delete and deletePrefix', async () => {
      const store = await b.open();
      const keys = ['runs/2024-01/x', 'runs/2024-02/y', 'runs/2025-01/z', 'runs/2024-01/sub/w', 'other/k=v'];
      for (const k of keys) await store.put(k, new TextEncoder().encode(k));
      assert.deepEqual((await listAll(store, 'runs/2024-')).map((o) => o.key), ['runs/2024-01/sub/w', 'runs/2024-01/x', 'runs/2024-02/y']);
      assert.deepEqual((await listAll(store, 'runs/')).map((o) => [o.key, o.size]), [
        ['runs/2024-01/sub/w', 18],
        ['runs/2024-01/x', 14],
        ['runs/2024-02/y', 14],
        ['runs/2025-01/z', 14],
      ]);
      assert.equal((await listAll(store, '')).length, 5);
      assert.deepEqual(await listAll(store, 'nothing/'), []);
      await store.delete('other/k=v');
      await store.delete('other/k=v'); // absent: not an error
      assert.equal(await store.deletePrefix('runs/2024-01/'), 2);
      assert.deepEqual((await listAll(store, '')).map((o) => o.key), ['runs/2024-02/y', 'runs/2025-01/z']);
      await assert.rejects(store.deletePrefix(''), /refused/);
      await store.close();
    });

    test('putIfAbsent writes once and keeps the first object', async () => {
      const store = await b.open();
      assert.equal(await store.putIfAbsent('m/manifest.json', new Uint8Array([1])), true);
      assert.equal(await store.putIfAbsent('m/manifest.json', new Uint8Array([2])), false);
      assert.deepEqual(await store.get('m/manifest.json'), new Uint8Array([1]));
      await store.close();
    });

    test('keys are validated and quoted', async () => {
      const store = await b.open();
      for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/./b', 'a/../b', 'trailing/', 'sp ace', 'ü', 'a/.hidden', '', 'x'.repeat(800)]) {
        await assert.rejects(store.put(bad, new Uint8Array(1)), named('InvalidKeyError'), `key ${JSON.stringify(bad)}`);
        await assert.rejects(store.get(bad), named('InvalidKeyError'));
      }
      await assert.rejects(store.put('a/b c', new Uint8Array(1)), named('InvalidKeyError', /"a\/b c".*character " "/));
      await store.close();
    });

    test('objects above 64 MiB are refused', async () => {
      const store = await b.open();
      await assert.rejects(store.put('big', new Uint8Array(MAX_OBJECT_BYTES + 1)), named('ObjectTooLargeError', /big is 67108865 bytes/));
      assert.equal(await store.exists('big'), false);
      await store.close();
    });

    test('bytes changed behind the store give ChecksumMismatchError naming the key', async () => {
      const store = await b.open();
      await store.put('ckpt/weights.bin', new Uint8Array(4096).fill(3));
      await b.corrupt(store, 'ckpt/weights.bin');
      await assert.rejects(store.get('ckpt/weights.bin'), named('ChecksumMismatchError', /checksum mismatch for ckpt\/weights\.bin/));
      await store.close();
    });
  });
}

test('fs store: temp files of interrupted writes are never listed or read', async () => {
  const store = await openStore(join(fsRoot, randomUUID()));
  await store.put('d/real', new Uint8Array([1]));
  // What a crash between write and rename leaves behind.
  await writeFile(join(store.location, 'd', '.tmp-real.abc123'), 'half');
  assert.deepEqual((await listAll(store, '')).map((o) => o.key), ['d/real']);
  await assert.rejects(store.get('d/.tmp-real.abc123'), named('InvalidKeyError', /hidden segment/));
  // A key and a key below it cannot coexist on a file system: the clash is named.
  await assert.rejects(store.put('d/real/below', new Uint8Array(1)), /key d\/real\/below clashes/);
  await assert.rejects(store.put('d', new Uint8Array(1)), /key d clashes/);
  // A file dropped in by hand is refused with its path, not returned as data.
  await writeFile(join(store.location, 'd', 'foreign'), 'not ours');
  await assert.rejects(store.get('d/foreign'), named('CorruptFileError', /d\/foreign: not an frcnn object file/));
  assert.deepEqual((await listAll(store, 'd/')).map((o) => o.key), ['d/foreign', 'd/real']);
  assert.equal(await store.deletePrefix('d/'), 2);
  await store.close();
});

describe('s3 store errors', () => {
  const settings = () => ({ endpoint: `127.0.0.1:${s3.port}`, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region });

  test('a missing bucket is named with the endpoint', async () => {
    await assert.rejects(openStore('s3://no-such-bucket/x', { s3: settings() }), named('BucketNotFoundError', new RegExp(`bucket no-such-bucket does not exist at http://127\\.0\\.0\\.1:${s3.port}`)));
  });

  test('a wrong secret key or unknown access key is rejected, without quoting the secret', async () => {
    const wrongSecret = 'not-the-secret-' + randomUUID();
    await assert.rejects(openStore('s3://frcnn-test/x', { s3: { ...settings(), secretKey: wrongSecret } }), (err: Error) => {
      named('StoreAuthError', /S3 rejected the credentials for http:\/\/127\.0\.0\.1:\d+: SignatureDoesNotMatch/)(err);
      assert.ok(!err.message.includes(wrongSecret));
      return true;
    });
    await assert.rejects(openStore('s3://frcnn-test/x', { s3: { ...settings(), accessKey: 'NOBODY' } }), named('StoreAuthError', /InvalidAccessKeyId/));
    // Operations on a store opened without the check fail the same way.
    const store = await openStore('s3://frcnn-test/x', { s3: { ...settings(), secretKey: wrongSecret }, skipVerify: true });
    await assert.rejects(store.put('k', new Uint8Array(1)), named('StoreAuthError'));
    await store.close();
  });

  test('an unreachable endpoint says so', async () => {
    // A port that was just free: bind, read it, close.
    const { createServer } = await import('node:net');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await assert.rejects(openStore('s3://frcnn-test/x', { s3: { ...settings(), endpoint: `127.0.0.1:${port}` } }), named('StoreUnreachableError', /cannot reach the S3 endpoint http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/));
  });

  test('an endpoint that accepts connections but never answers times out instead of hanging', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    await assert.rejects(
      openStore('s3://frcnn-test/x', { s3: { ...settings(), endpoint: `127.0.0.1:${port}`, timeoutMs: 300 } }),
      named('StoreUnreachableError', /cannot reach the S3 endpoint http:\/\/127\.0\.0\.1:\d+: ETIMEDOUT: no response for 300 ms/),
    );
    assert.ok(Date.now() - t0 < 5000);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  test('TLS endpoints: verified against the given CA; an untrusted certificate is a clear error', async () => {
    const tls = await startS3Server({ tls: true, buckets: ['secure'] });
    try {
      const creds = { endpoint: `127.0.0.1:${tls.port}`, useSSL: true, accessKey: tls.accessKey, secretKey: tls.secretKey };
      const store = await openStore('s3://secure/p', { s3: { ...creds, caFile: tls.caFile } });
      assert.match(store.location, /^s3:\/\/secure\/p at https:\/\/127\.0\.0\.1:\d+$/);
      await store.put('k', new Uint8Array([7, 7]));
      assert.deepEqual(await store.get('k'), new Uint8Array([7, 7]));
      await store.close();
      await assert.rejects(openStore('s3://secure/p', { s3: creds }), named('StoreUnreachableError', /TLS certificate is not trusted; give its CA/));
      await assert.rejects(openStore('s3://secure/p', { s3: { ...creds, caFile: '/nonexistent/ca.pem' } }), named('InputError', /\/nonexistent\/ca\.pem: cannot read the S3 CA file/));
    } finally {
      await tls.stop();
    }
  });

  test('FRCNN_S3_* variables configure the store; bad URLs and missing settings are clear', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, s3.env('frcnn-test', 'from-env'));
      const store = await openStore(process.env.FRCNN_STORE!);
      await store.put('k', new Uint8Array([5]));
      assert.match(store.location, /^s3:\/\/frcnn-test\/from-env at http:\/\/127\.0\.0\.1:\d+$/);
      await store.close();
      // Secrets may come from files (Kubernetes secrets mounted as files).
      const secretFile = join(fsRoot, 'secret-key');
      await writeFile(secretFile, `${s3.secretKey}\n`);
      delete process.env.FRCNN_S3_SECRET_KEY;
      process.env.FRCNN_S3_SECRET_KEY_FILE = secretFile;
      const viaFile = await openStore('s3://frcnn-test/from-file');
      await viaFile.put('k', new Uint8Array([6]));
      await viaFile.close();
      delete process.env.FRCNN_S3_SECRET_KEY_FILE;
      await assert.rejects(openStore('s3://frcnn-test/x'), /no S3 secret key: set FRCNN_S3_SECRET_KEY/);
      delete process.env.FRCNN_S3_ENDPOINT;
      await assert.rejects(openStore('s3://frcnn-test/x'), /no S3 endpoint: set FRCNN_S3_ENDPOINT/);
      await assert.rejects(openStore('s3://Bad_Bucket/x'), named('InputError', /not a valid S3 bucket name/));
      await assert.rejects(openStore('gs://bucket/x'), named('InputError', /unsupported scheme/));
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('an object written without our checksum metadata is refused', async () => {
    const { Client } = await import('minio');
    const c = new Client({ endPoint: '127.0.0.1', port: s3.port, useSSL: false, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region });
    await c.putObject('frcnn-test', 'foreign/obj', Buffer.from('hi'), 2);
    const store = await openStore('s3://frcnn-test/foreign', { s3: settings() });
    await assert.rejects(store.get('obj'), /has no sha256 metadata/);
    await store.close();
  });
});
