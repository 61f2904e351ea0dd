/**
 * Events of the coordinator for the outside world (watchers, the dashboard, other tools).
 * Subjects: `frcnn.sweeps.<sweepId>.events.<type>` (one message per sweep an event concerns).
 * Adapters: in-process (`MemoryEventBus`, embedded mode) and NATS (`nats-event-bus.ts`).
 * Delivery is at most once; durable facts live in the state store, and a watcher that
 * (re)connects starts from a snapshot.
 */
import type { CoordinatorEvent } from '../coordinator/types.ts';
import type { SweepId } from '../pipeline/ids.ts';

export type EventListener = (e: CoordinatorEvent) => void;

export interface EventBus {
  readonly location: string;
  /** Fire and forget; a NATS bus buffers while reconnecting. */
  publish(e: CoordinatorEvent): void;
  /** Events of one sweep, or of all sweeps (then an event about k sweeps arrives k times). Returns unsubscribe. */
  subscribe(sweepId: SweepId | undefined, listener: EventListener): () => void;
  close(): Promise<void>;
}

export const SUBJECT_ROOT = 'frcnn.sweeps';

export function eventSubject(sweepId: SweepId, type: string): string {
  return `${SUBJECT_ROOT}.${sweepId}.events.${type}`;
}

/** In-process bus for embedded mode: listeners are called synchronously, in order. */
export class MemoryEventBus implements EventBus {
  readonly location = 'in-process';
  private readonly listeners = new Map<EventListener, SweepId | undefined>();

  publish(e: CoordinatorEvent): void {
    for (const [l, sweep] of [...this.listeners]) {
      if (sweep === undefined) {
        for (let i = 0; i < e.sweepIds.length; i++) l(e);
      } else if (e.sweepIds.includes(sweep)) l(e);
    }
  }

  subscribe(sweepId: SweepId | undefined, listener: EventListener): () => void {
    const l: EventListener = (e) => listener(e);
    this.listeners.set(l, sweepId);
    return () => void this.listeners.delete(l);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
