/**
 * `openState(url)`: the coordinator's state store and event bus from one URL.
 *   - `nats://host:port` → JetStream KV bucket + NATS subjects (one connection)
 *   - `file:DIR` (or a bare directory) → state files in DIR + in-process bus
 * The NATS URL for events may differ from the state URL (`FRCNN_NATS_URL`); with file state
 * and a NATS URL, events still go to NATS.
 */
import { InputError } from '../util/errors.ts';
import { MemoryEventBus, type EventBus } from './event-bus.ts';
import { FileStateStore } from './file-state-store.ts';
import type { StateStore } from './state-store.ts';

export interface OpenedState {
  store: StateStore;
  bus: EventBus;
  close(): Promise<void>;
}

export async function openState(stateUrl: string, opts: { natsUrl?: string; bucket?: string; name?: string } = {}): Promise<OpenedState> {
  const name = opts.name ?? 'frcnn-coordinator';
  if (stateUrl.startsWith('nats://') || stateUrl.startsWith('tls://')) {
    const { connectNats } = await import('./nats-connection.ts');
    const { NatsStateStore } = await import('./nats-state-store.ts');
    const { NatsEventBus } = await import('./nats-event-bus.ts');
    const nc = await connectNats({ url: stateUrl, name });
    const store = await NatsStateStore.open(nc, { bucket: opts.bucket });
    const bus = new NatsEventBus(nc);
    return {
      store,
      bus,
      async close() {
        await bus.close();
        await store.close();
        await nc.drain().catch(() => nc.close());
      },
    };
  }
  let dir: string;
  if (stateUrl.startsWith('file:')) dir = stateUrl.slice('file:'.length);
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(stateUrl)) dir = stateUrl;
  else throw new InputError(`state URL ${JSON.stringify(stateUrl)}`, 'unsupported scheme; use nats://host:port or file:DIR');
  const store = await FileStateStore.open(dir);
  let bus: EventBus = new MemoryEventBus();
  if (opts.natsUrl) {
    const { connectNats } = await import('./nats-connection.ts');
    const { NatsEventBus } = await import('./nats-event-bus.ts');
    bus = new NatsEventBus(await connectNats({ url: opts.natsUrl, name }), true);
  }
  return {
    store,
    bus,
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
