/** Coordinator events on NATS subjects `frcnn.sweeps.<sweepId>.events.<type>`, JSON payloads. */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { CoordinatorEvent } from '../coordinator/types.ts';
import type { SweepId } from '../pipeline/ids.ts';
import { logger } from '../util/log.ts';
import { eventSubject, SUBJECT_ROOT, type EventBus, type EventListener } from './event-bus.ts';

export class NatsEventBus implements EventBus {
  readonly location: string;
  private readonly subs = new Set<Subscription>();
  private readonly log = logger('event-bus');

  constructor(
    private readonly nc: NatsConnection,
    private readonly ownsConnection = false,
  ) {
    this.location = `nats ${nc.getServer()}`;
  }

  publish(e: CoordinatorEvent): void {
    const data = JSON.stringify(e);
    for (const sweep of e.sweepIds) {
      try {
        this.nc.publish(eventSubject(sweep, e.type), data);
      } catch (err) {
        // Closed connection: events are best effort, state is durable elsewhere.
        this.log.warn({ err, type: e.type }, 'event not published');
      }
    }
  }

  subscribe(sweepId: SweepId | undefined, listener: EventListener): () => void {
    const sub = this.nc.subscribe(`${SUBJECT_ROOT}.${sweepId ?? '*'}.events.>`);
    this.subs.add(sub);
    void (async () => {
      for await (const m of sub) {
        try {
          listener(m.json<CoordinatorEvent>());
        } catch (err) {
          this.log.warn({ err, subject: m.subject }, 'event listener failed');
        }
      }
    })();
    return () => {
      this.subs.delete(sub);
      sub.unsubscribe();
    };
  }

  /** Resolves when every published event has reached the server. */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs.clear();
    if (this.ownsConnection) await this.nc.drain().catch(() => this.nc.close());
  }
}
