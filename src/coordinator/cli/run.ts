/** The body of `frcnn coordinator`: state, service, gRPC server, dashboard, graceful stop. */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { envSync } from '../../config/env.ts';
import { logger } from '../../util/log.ts';

export interface CoordinatorFlags {
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

/** The dashboard (src/dashboard/server.ts, another module) is mounted when this build has it. */
const DASHBOARD = fileURLToPath(new URL('../../dashboard/server.ts', import.meta.url));

export async function runCoordinatorCommand(flags: CoordinatorFlags): Promise<void> {
  const { openState } = await import('../../bus/open.ts');
  const { Coordinator } = await import('../service.ts');
  const { startCoordinatorServer } = await import('../grpc/server.ts');
  const { securityFromEnv } = await import('../grpc/security.ts');
  const log = logger('coordinator');
  const stateUrl = flags.state ?? envSync('FRCNN_STATE')!;
  if (/^(nats|tls):\/\//.test(stateUrl)) log.info({ state: stateUrl }, 'connecting to NATS (waits until it answers)');
  const state = await openState(stateUrl, { natsUrl: flags.nats ?? envSync('FRCNN_NATS_URL') });
  const coordinator = await Coordinator.open({
    store: state.store,
    bus: state.bus,
    leaseTtlMs: flags.leaseTtlMs,
    maxTrialsPerSweep: flags.maxTrials,
    // Two coordinators on one state would undo each other's work: stop this one at once.
    onFatal: () => process.exit(1),
  });
  const server = await startCoordinatorServer(coordinator, { host: flags.host, port: flags.port ?? Number(envSync('FRCNN_GRPC_PORT')), ...(await securityFromEnv()) });
  let dashboard: { url?: string; close(): Promise<void> } | undefined;
  const httpPort = flags.httpPort ?? Number(envSync('FRCNN_HTTP_PORT'));
  if (httpPort >= 0 && existsSync(DASHBOARD)) {
    const mod = (await import(pathToFileURL(DASHBOARD).href)) as {
      startDashboard?: (c: unknown, o: { port: number; host: string }) => Promise<{ url?: string; close(): Promise<void> }>;
    };
    // The dashboard listens where gRPC does: `--host 127.0.0.1` keeps both on loopback.
    if (mod.startDashboard) dashboard = await mod.startDashboard(coordinator, { port: httpPort, host: flags.host });
  }
  // Garbage collection of superseded attempt folders, when the coordinator can reach the store.
  let gcTimer: NodeJS.Timeout | undefined;
  const storeUrl = flags.store ?? process.env.FRCNN_STORE;
  if (storeUrl && (flags.gcIntervalS ?? 300) > 0) {
    try {
      const { openStore } = await import('../../storage/open-store.ts');
      const store = await openStore(storeUrl);
      let busy = false;
      gcTimer = setInterval(() => {
        if (busy) return;
        busy = true;
        coordinator
          .collectGarbage(store)
          .catch((err) => log.warn({ err }, 'garbage collection failed'))
          .finally(() => (busy = false));
      }, (flags.gcIntervalS ?? 300) * 1000);
      gcTimer.unref();
    } catch (err) {
      log.warn({ err, store: storeUrl }, 'object store unavailable: no garbage collection');
    }
  }
  process.stdout.write(`coordinator listening on ${server.address} (state ${state.store.location}, events ${state.bus.location}${dashboard?.url ? `, dashboard ${dashboard.url}` : ''})\n`);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  if (gcTimer) clearInterval(gcTimer);
  await server.close();
  await dashboard?.close();
  await coordinator.close();
  await state.close();
}
