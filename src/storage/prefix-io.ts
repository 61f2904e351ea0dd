/**
 * Named files under a plain store prefix, with the same shape as an artifact's writer/reader
 * (`put(name, bytes)`, `read(name)`, `keyOf(name)`), for formats that do not need commits.
 */
import { joinKey } from './keys.ts';
import type { ObjectStore, PutOptions } from './object-store.ts';

export interface PrefixFiles {
  put(name: string, bytes: Uint8Array, opts?: PutOptions): Promise<unknown>;
  read(name: string): Promise<Uint8Array>;
  keyOf(name: string): string;
}

export function prefixFiles(store: ObjectStore, prefix: string): PrefixFiles {
  return {
    put: (name, bytes, opts) => store.put(joinKey(prefix, name), bytes, opts),
    read: (name) => store.get(joinKey(prefix, name)),
    keyOf: (name) => joinKey(prefix, name),
  };
}
