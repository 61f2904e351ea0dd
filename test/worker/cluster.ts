/**
 * A real little cluster for integration tests: nats-server (JetStream), an S3 server, the
 * coordinator and workers as separate `frcnn` processes on loopback, the workers running the
 * simulated stages of ./fixtures/sim-executors.ts against the real object store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startNatsServer, type NatsTestServer } from '../utils/nats-server.ts';
import { startS3Server, type S3TestServer } from '../utils/s3-server.ts';
import { CoordinatorClient } from '../../src/coordinator/grpc/client.ts';
import { openStore } from '../../src/storage/open-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';

const BIN = new URL('../../bin/frcnn.js', import.meta.url).pathname;
export const FIXTURE = new URL('./fixtures/sim-executors.ts', import.meta.url).pathname;

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class Cluster {
  readonly procs = new Map<string, Proc>();
  client!: CoordinatorClient;
  store!: ObjectStore;
  address = '';
  private env: Record<string, string> = {};

  private constructor(
    readonly nats: NatsTestServer,
    readonly s3: S3TestServer,
    readonly leaseTtlMs: number,
  ) {}

  static async start(o: { leaseTtlMs?: number; stepMs?: number } = {}): Promise<Cluster> {
    const [nats, s3] = await Promise.all([startNatsServer(), startS3Server({ buckets: ['frcnn'] })]);
    const c = new Cluster(nats, s3, o.leaseTtlMs ?? 1500);
    const port = await freePort();
    c.address = `127.0.0.1:${port}`;
    c.env = {
      ...s3.env('frcnn', `it-${randomUUID().slice(0, 8)}`),
      FRCNN_LOG_LEVEL: 'info',
      SIM_STEP_MS: String(o.stepMs ?? 40),
      FRCNN_TOKEN: 'cluster-secret',
      FRCNN_STATE: nats.url,
    };
    c.store = await openStore(c.env.FRCNN_STORE, { s3: { endpoint: c.env.FRCNN_S3_ENDPOINT, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region, useSSL: false } });
    c.client = new CoordinatorClient({ address: c.address, token: 'cluster-secret' });
    await c.startCoordinator();
    return c;
  }

  spawn(name: string, args: string[], ready?: RegExp): Promise<Proc> {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const proc: Proc = { name, child, output: () => out, exited };
    this.procs.set(name, proc);
    if (!ready) return Promise.resolve(proc);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${name} not ready in 20 s:\n${out.slice(-3000)}`)), 20_000);
      const check = () => {
        if (ready.test(out)) {
          clearTimeout(t);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          resolve(proc);
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`${name} exited with ${code}:\n${out.slice(-3000)}`));
      });
    });
  }

  async startCoordinator(): Promise<Proc> {
    const port = this.address.split(':')[1];
    return this.spawn('coordinator', ['coordinator', '--host', '127.0.0.1', '--port', port, '--http-port', '-1', '--lease-ttl-ms', String(this.leaseTtlMs)], /coordinator listening on/);
  }

  async startWorker(role: 'trainer' | 'evaluator', id: string): Promise<Proc> {
    return this.spawn(id, [role, '--coordinator', this.address, '--id', id, '--executors', FIXTURE, '--lease-wait-ms', '2000'], /"msg":"registered"/);
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.procs.get(name);
    if (!p) return;
    p.child.kill(signal);
    await p.exited;
    this.procs.delete(name);
  }

  /** Last lines of every process, for failure messages. */
  logs(lines = 15): string {
    return [...this.procs.values()].map((p) => `--- ${p.name}\n${p.output().split('\n').slice(-lines).join('\n')}`).join('\n');
  }

  async stop(): Promise<void> {
    this.client.close();
    await Promise.all([...this.procs.keys()].map((n) => this.kill(n)));
    await this.store.close();
    await Promise.all([this.nats.stop(), this.s3.stop()]);
  }
}

export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false>, ms: number, logs?: () => string): Promise<T> {
  const end = Date.now() + ms;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}\n${logs?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
