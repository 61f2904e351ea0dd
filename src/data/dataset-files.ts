/**
 * Where a dataset's files come from. Loaders read through this interface, so a tree can live
 * on the local disk (the default) or in an object store (an adapter over `ObjectStore` that
 * lists the keys under a prefix and gets objects): the data layer knows nothing of storage.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface DatasetFiles {
  /** Names (not paths) of the entries directly inside `dir`. */
  list(dir: string): Promise<string[]>;
  /** The bytes of one file. */
  read(path: string): Promise<Uint8Array>;
  /** Whether paths are local files (so loaders may resolve them to absolute paths). */
  readonly local: boolean;
}

/** The local file system. */
export const localFiles: DatasetFiles = {
  list: (dir) => readdir(dir),
  read: (path) => readFile(path),
  local: true,
};

/** A missing file or directory, from the file system (ENOENT) or an object store (by error name). */
export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT' || (err instanceof Error && err.name === 'ObjectNotFoundError');
}

/** The error code or message of a failed read, for messages. */
export function readFailure(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
}
