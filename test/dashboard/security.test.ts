/**
 * The dashboard's security defaults, as the coordinator command starts it (no options but the
 * port): the bearer token from FRCNN_TOKEN_FILE, TLS from FRCNN_TLS_CERT/KEY, and a bare
 * Coordinator adapted on the fly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventBus } from '../../src/bus/event-bus.ts';
import { FileStateStore } from '../../src/bus/file-state-store.ts';
import { Coordinator } from '../../src/coordinator/service.ts';
import { bearerMatches, startDashboard } from '../../src/dashboard/server.ts';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('bearer comparison: scheme case-insensitive, exact token, nothing else', () => {
  assert.equal(bearerMatches('Bearer abc', 'abc'), true);
  assert.equal(bearerMatches('bearer abc', 'abc'), true);
  assert.equal(bearerMatches('Bearer abcd', 'abc'), false);
  assert.equal(bearerMatches('Basic abc', 'abc'), false);
  assert.equal(bearerMatches('Bearer', 'abc'), false);
  assert.equal(bearerMatches(undefined, 'abc'), false);
});

test('a bare Coordinator is served, with the token from FRCNN_TOKEN_FILE and TLS from FRCNN_TLS_*', { skip: hasOpenssl() ? false : 'openssl not installed (needed to make a test certificate)' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-dash-sec-'));
  const coordinator = await Coordinator.open({ store: await FileStateStore.open(join(dir, 'state')), bus: new MemoryEventBus() });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  await writeFile(join(dir, 'token'), 'from-a-file\n');
  process.env.FRCNN_TOKEN_FILE = join(dir, 'token');
  process.env.FRCNN_TLS_CERT = join(dir, 'cert.pem');
  process.env.FRCNN_TLS_KEY = join(dir, 'key.pem');
  const server = await startDashboard(coordinator, { port: 0, host: '127.0.0.1' });
  try {
    assert.match(server.url, /^https:\/\//);
    const ca = await readFile(join(dir, 'cert.pem'));
    const fetchTls = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = get(`${server.url}${path}`, { ca, servername: 'localhost', headers, method }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
      });
    const sweeps = await fetchTls('/api/sweeps');
    assert.equal(sweeps.status, 200);
    assert.deepEqual(JSON.parse(sweeps.body).sweeps, []);
    assert.equal((await fetchTls('/healthz')).body, 'ok\n');
    assert.match((await fetchTls('/metrics')).body, /^frcnn_workers 0$/m);
    // Mutations need the token read from the file (trailing newline trimmed).
    assert.equal((await fetchTls('/api/sweeps/sw-x/cancel', {}, 'POST')).status, 401);
    assert.equal((await fetchTls('/api/sweeps/sw-x/cancel', { authorization: 'Bearer from-a-file' }, 'POST')).status, 404);
    // Plain HTTP to the TLS port gets no dashboard.
    await assert.rejects(fetch(server.url.replace('https:', 'http:') + '/healthz'));
  } finally {
    delete process.env.FRCNN_TOKEN_FILE;
    delete process.env.FRCNN_TLS_CERT;
    delete process.env.FRCNN_TLS_KEY;
    await server.close();
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  }
});
