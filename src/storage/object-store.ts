/**
 * The object store interface (the core side of STYLE habit 9): artifacts, checkpoints,
 * proposals and reports go through it; `fs-store.ts` and `s3-store.ts` are its adapters.
 *
 * Every object carries a SHA-256 of its bytes written with it; `get` verifies it and throws
 * `ChecksumMismatchError` naming the key. Objects are at most MAX_OBJECT_BYTES so a single
 * PUT always suffices (no multipart) and any S3 server works; artifact writers shard below it.
 */

/** Largest object: 64 MiB. */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

export interface ObjectInfo {
  key: string;
  /** Payload size in bytes. */
  size: number;
  /** Hex SHA-256 of the payload, when the listing carries it (head always does). */
  sha256?: string;
  contentType?: string;
}

export interface PutOptions {
  /** MIME type. @default "application/octet-stream" */
  contentType?: string;
}

export interface ObjectStore {
  /** Where the store lives, for messages: a directory path or s3://bucket/prefix at an endpoint. Never a secret. */
  readonly location: string;
  /** Write (or replace) an object; returns its size and checksum. */
  put(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<ObjectInfo>;
  /**
   * Write an object only if no object has that key; returns false (and writes nothing) when
   * one exists. Atomic on fs; on S3 it sends `If-None-Match: *` (honoured by AWS and MinIO)
   * after a HEAD check, so servers without conditional writes still refuse the common case.
   */
  putIfAbsent(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<boolean>;
  /** Read an object and verify its checksum. Throws `ObjectNotFoundError` if absent. */
  get(key: string): Promise<Uint8Array>;
  /** `get`, also returning the checksum the bytes were verified against (saves callers a second hash). */
  getWithChecksum(key: string): Promise<{ bytes: Uint8Array; sha256: string }>;
  /** Size, checksum and type of an object, or undefined if absent. */
  head(key: string): Promise<ObjectInfo | undefined>;
  exists(key: string): Promise<boolean>;
  /** Every object whose key starts with `prefix`, in lexicographic key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Delete an object; deleting an absent one is not an error. */
  delete(key: string): Promise<void>;
  /** Delete every object under `prefix`; returns how many. An empty prefix is refused. */
  deletePrefix(prefix: string): Promise<number>;
  /** Release connections and timers. */
  close(): Promise<void>;
}

/** Collect `store.list(prefix)` into an array. */
export async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.list(prefix)) out.push(o);
  return out;
}
