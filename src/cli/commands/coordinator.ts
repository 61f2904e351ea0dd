/**
 * `frcnn coordinator`: the gRPC coordinator (SweepService + WorkerService) with its state in
 * NATS JetStream KV (`--state nats://...`) or in a directory (`--state file:DIR`), events on
 * NATS or in process, and the dashboard on the HTTP port when this build has one.
 */
import type { Command } from 'commander';
import { parseIntOption } from '../options.ts';

interface Flags {
  host: string;
  port?: number;
  state?: string;
  nats?: string;
  httpPort?: number;
  leaseTtlMs?: number;
  maxTrials?: number;
  store?: string;
  gcIntervalS?: number;
}

export function register(program: Command): void {
  program
    .command('coordinator')
    .description('run the coordinator: sweeps API, worker leases, durable state, events')
    .option('--host <host>', 'address the gRPC and dashboard ports listen on', '0.0.0.0')
    .option('--port <port>', 'gRPC port (default: FRCNN_GRPC_PORT, else 50051; 0: any free port)', parseIntOption('--port'))
    .option('--state <url>', 'state: nats://host:port (JetStream KV) or file:DIR (default: FRCNN_STATE, else file:.data/state)')
    .option('--nats <url>', 'NATS for events when the state is a file (default: FRCNN_NATS_URL)')
    .option('--http-port <port>', 'dashboard port (default: FRCNN_HTTP_PORT, else 8080; -1: none)', parseIntOption('--http-port'))
    .option('--lease-ttl-ms <ms>', 'lease lifetime without a heartbeat', parseIntOption('--lease-ttl-ms'))
    .option('--max-trials <n>', 'largest sweep accepted', parseIntOption('--max-trials'))
    .option('--store <url>', 'object store, for garbage collection of superseded attempts (default: FRCNN_STORE)')
    .option('--gc-interval-s <s>', 'seconds between garbage collections (0: never)', parseIntOption('--gc-interval-s'), 300)
    .action(async (flags: Flags) => {
      const { runCoordinatorCommand } = await import('../../coordinator/cli/run.ts');
      await runCoordinatorCommand(flags);
    });
}
