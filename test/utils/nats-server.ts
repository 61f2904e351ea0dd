/**
 * A real nats-server with JetStream for tests: `-js` on a free port with its own store
 * directory, readiness from its ports file, stop, and restart on the same port and store
 * (to test reconnects and durability). Never the system server on 4222.
 *
 *   const nats = await startNatsServer();
 *   ... nats.url ...
 *   await nats.restart();   // same port, same JetStream store
 *   await nats.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = [process.env.NATS_SERVER_BIN, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].filter(Boolean) as string[];
const READY_TIMEOUT_MS = 5_000;

export interface NatsTestServer {
  /** `nats://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** JetStream store directory (kept across restarts). */
  storeDir: string;
  /** Stop (SIGTERM, then SIGKILL after 3 s). Keeps the store unless `cleanup`. */
  stop(cleanup?: boolean): Promise<void>;
  /** Stop and start again on the same port with the same store. */
  restart(): Promise<void>;
  /** The server process, for tests that want to kill it hard. */
  readonly process: ChildProcess | undefined;
}

export function natsServerBinary(): string {
  const bin = CANDIDATES.find((p) => existsSync(p));
  if (!bin) {
    throw new Error('nats-server not found; install it (`apt-get install nats-server`, or https://github.com/nats-io/nats-server/releases) or set NATS_SERVER_BIN');
  }
  return bin;
}

async function waitForPortsFile(dir: string, pid: number, child: ChildProcess, log: () => string): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}:\n${log()}`);
    const name = readdirSync(dir).find((f) => f === `nats-server_${pid}.ports`);
    if (name) {
      try {
        const ports = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { nats?: string[] };
        const url = ports.nats?.[0];
        if (url) return Number(new URL(url).port);
      } catch {
        // written but not complete yet
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nats-server did not write its ports file within ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

export async function startNatsServer(opts: { port?: number; args?: string[] } = {}): Promise<NatsTestServer> {
  const bin = natsServerBinary();
  const root = await mkdtemp(join(tmpdir(), 'frcnn-nats-'));
  const storeDir = join(root, 'js');
  const portsDir = join(root, 'ports');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(portsDir, { recursive: true });
  let child: ChildProcess | undefined;
  let port = opts.port ?? -1;

  const launch = async () => {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '--ports_file_dir', portsDir, ...(opts.args ?? [])];
    let output = '';
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d) => (output += d));
    c.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
    child = c;
    port = await waitForPortsFile(portsDir, c.pid!, c, () => output);
  };

  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    get process() {
      return child;
    },
    async stop(cleanup = true) {
      await stop();
      if (cleanup) await rm(root, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      // The ports file of the old process is stale; a new one comes with the new pid.
      await launch();
    },
  };
}
