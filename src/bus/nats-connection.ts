/**
 * One NATS connection per process, configured to ride out server restarts: reconnect
 * forever, quickly, and buffer publishes while disconnected.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { logger } from '../util/log.ts';

export interface NatsOptions {
  /** `nats://host:port[,nats://...]` */
  url: string;
  /** Connection name shown by the server (`frcnn-coordinator`). */
  name: string;
  /** Milliseconds between reconnect attempts. @default 250 */
  reconnectTimeWait?: number;
}

export async function connectNats(o: NatsOptions): Promise<NatsConnection> {
  const log = logger('nats', { name: o.name });
  const servers = o.url.split(',').map((s) => s.trim().replace(/^nats:\/\//, ''));
  const nc = await connect({
    servers,
    name: o.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: o.reconnectTimeWait ?? 250,
    waitOnFirstConnect: true,
    timeout: 5_000,
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') log.warn({ status: s.type, server: 'server' in s ? s.server : undefined }, `nats ${s.type}`);
    }
  })();
  return nc;
}
