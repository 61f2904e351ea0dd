/**
 * Named files with the same shape as an artifact's writer/reader (`put(name, bytes)`,
 * `read(name)`, `keyOf(name)`), for formats that do not need commits: under a plain store
 * prefix (`prefixFiles`), or in a local directory (`directoryFiles`, e.g. `--out DIR`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { ObjectNotFoundError } from './errors.ts';
import { joinKey, validateKey } from './keys.ts';
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

/** Files in a local directory, written atomically; names follow the key rules (no `..`). */
export function directoryFiles(dir: string): PrefixFiles {
  const path = (name: string): string => join(dir, ...validateKey(name).split('/'));
  return {
    put: (name, bytes) => writeFileAtomic(path(name), bytes),
    async read(name) {
      try {
        return new Uint8Array(await readFile(path(name)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(name, dir, { cause: err });
        throw err;
      }
    },
    keyOf: (name) => join(dir, name),
  };
}
