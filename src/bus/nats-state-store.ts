/**
 * State in a NATS JetStream KV bucket (file storage, one value per key). Compare-and-set uses
 * the KV's revisions: `create` for a new record, `update(key, value, revision)` otherwise; the
 * server refuses a write whose revision is not the key's last (JetStream error 10071), which
 * is how a second coordinator on the same bucket is detected.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { FrcnnError } from '../util/errors.ts';
import { checkStateKey, RevisionMismatchError, type StateEntry, type StateStore } from './state-store.ts';

/** JetStream API error "wrong last sequence". */
const WRONG_LAST_SEQUENCE = 10071;
/** Parallel gets while loading. */
const LOAD_CONCURRENCY = 32;
/** Milliseconds a KV write may take before it is retried. */
const WRITE_TIMEOUT_MS = 5_000;

export interface NatsStateOptions {
  /** @default "frcnn_state" */
  bucket?: string;
}

function isCasFailure(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string; name?: string };
  if (e?.name === 'JetStreamApiError' && e.code === WRONG_LAST_SEQUENCE) return true;
  // `create` on an existing key reports "wrong last sequence" in its message.
  return typeof e?.message === 'string' && /wrong last sequence/i.test(e.message);
}

export class NatsStateStore implements StateStore {
  readonly location: string;
  private constructor(
    private readonly kv: KV,
    private readonly nc: NatsConnection,
    private readonly ownsConnection: boolean,
    bucket: string,
  ) {
    this.location = `nats KV bucket ${bucket} at ${nc.getServer()}`;
  }

  static async open(nc: NatsConnection, opts: NatsStateOptions & { ownsConnection?: boolean } = {}): Promise<NatsStateStore> {
    const bucket = opts.bucket ?? 'frcnn_state';
    const js = jetstream(nc, { timeout: WRITE_TIMEOUT_MS });
    const kv = await new Kvm(js).create(bucket, { history: 1, storage: 'file' } as never);
    return new NatsStateStore(kv, nc, opts.ownsConnection ?? false, bucket);
  }

  async loadAll(): Promise<StateEntry[]> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys()) keys.push(k);
    const out: StateEntry[] = [];
    for (let i = 0; i < keys.length; i += LOAD_CONCURRENCY) {
      const batch = await Promise.all(keys.slice(i, i + LOAD_CONCURRENCY).map((k) => this.kv.get(k)));
      for (const e of batch) {
        if (!e || e.operation !== 'PUT') continue;
        try {
          out.push({ key: e.key, value: e.json(), revision: e.revision });
        } catch (err) {
          throw new FrcnnError(`${this.location}: record ${e.key} is not valid JSON`, { cause: err });
        }
      }
    }
    return out;
  }

  async put(key: string, value: unknown, expectedRevision: number | undefined): Promise<number> {
    checkStateKey(key);
    const data = JSON.stringify(value);
    try {
      return expectedRevision === undefined ? await this.kv.create(key, data) : await this.kv.update(key, data, expectedRevision, WRITE_TIMEOUT_MS);
    } catch (err) {
      if (isCasFailure(err)) throw new RevisionMismatchError(key, expectedRevision, { cause: err });
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.nc.drain().catch(() => this.nc.close());
  }
}
