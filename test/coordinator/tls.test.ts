/** TLS and mutual TLS on the coordinator's gRPC port, with certificates made by openssl for the test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Coordinator } from '../../src/coordinator/service.ts';
import { startCoordinatorServer } from '../../src/coordinator/grpc/server.ts';
import { CoordinatorClient } from '../../src/coordinator/grpc/client.ts';
import { FileStateStore } from '../../src/bus/file-state-store.ts';
import { MemoryEventBus } from '../../src/bus/event-bus.ts';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for localhost, and a client certificate, all signed by the CA. */
async function makeCerts(dir: string): Promise<void> {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=frcnn-test-ca');
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const name of ['server', 'client']) {
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'frcnn-worker'}`);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', 'san.ext');
  }
}

test('TLS with client certificates (mTLS): a client without a certificate or without the CA is refused', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-tls-'));
  const state = await FileStateStore.open(join(dir, 'state'));
  const coordinator = await Coordinator.open({ store: state, bus: new MemoryEventBus() });
  try {
    await makeCerts(dir);
    const f = (n: string) => join(dir, n);
    const server = await startCoordinatorServer(coordinator, { host: '127.0.0.1', port: 0, tls: { cert: f('server.pem'), key: f('server.key'), ca: f('ca.pem') } });
    const address = `localhost:${server.port}`;
    const ok = new CoordinatorClient({ address, tls: { ca: f('ca.pem'), cert: f('client.pem'), key: f('client.key') } });
    assert.deepEqual((await ok.listSweeps()).sweeps, []);
    const noCert = new CoordinatorClient({ address, tls: { ca: f('ca.pem') } });
    await assert.rejects(noCert.listSweeps(), { code: grpc.status.UNAVAILABLE });
    const plaintext = new CoordinatorClient({ address });
    await assert.rejects(plaintext.listSweeps(), { code: grpc.status.UNAVAILABLE });
    for (const c of [ok, noCert, plaintext]) c.close();
    await server.close();
  } finally {
    await coordinator.close();
    await state.close();
    await rm(dir, { recursive: true, force: true });
  }
});
