/**
 * Durable coordinator state as a key → JSON record map with compare-and-set on revisions
 * (STYLE habit 9: this interface in core, adapters registered by URL scheme in `open.ts`).
 * Adapters: NATS JetStream KV (`nats-state-store.ts`) for the cluster and a directory of
 * files (`file-state-store.ts`) for one machine.
 */
import { FrcnnError } from '../util/errors.ts';

export interface StateEntry {
  key: string;
  value: unknown;
  /** Opaque, increasing per write; pass it back to `put` to compare-and-set. */
  revision: number;
}

export interface StateStore {
  /** Where the state lives, for messages (never a secret). */
  readonly location: string;
  /** Every record. */
  loadAll(): Promise<StateEntry[]>;
  /**
   * Write `value` if the record is still at `expectedRevision` (`undefined`: must not exist).
   * Returns the new revision; throws `RevisionMismatchError` if someone else wrote it.
   * Other errors (connection lost, timeout) are transient: the write may be retried.
   */
  put(key: string, value: unknown, expectedRevision: number | undefined): Promise<number>;
  close(): Promise<void>;
}

/** Compare-and-set failed: the record changed since it was read. */
export class RevisionMismatchError extends FrcnnError {
  constructor(
    readonly key: string,
    readonly expected: number | undefined,
    options?: ErrorOptions,
  ) {
    super(`state record ${key} is not at revision ${expected ?? '(absent)'}`, options);
    this.name = 'RevisionMismatchError';
  }
}

/** Keys are dot-separated tokens of [A-Za-z0-9_-] (valid as NATS KV keys and as file names). */
export const STATE_KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function checkStateKey(key: string): string {
  if (!STATE_KEY.test(key) || key.length > 200) throw new FrcnnError(`invalid state key ${JSON.stringify(key)}`);
  return key;
}
