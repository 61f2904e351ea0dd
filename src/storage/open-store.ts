/**
 * `openStore(url)`: the one entry point that turns a store URL into an ObjectStore.
 *   - `DIR`, `file:DIR` or `file:///abs/dir`  -> the fs store rooted at DIR
 *   - `s3://bucket[/prefix]`                   -> the S3 store; endpoint, TLS, region and
 *     credentials from the options or the FRCNN_S3_* variables (secrets also via *_FILE).
 * An S3 store is verified before it is returned (endpoint answers, credentials accepted,
 * bucket exists), so a misconfiguration fails at startup with a message that says which.
 */
import { fileURLToPath } from 'node:url';
import { env } from '../config/env.ts';
import { InputError } from '../util/errors.ts';
import { FsObjectStore } from './fs-store.ts';
import { S3ObjectStore } from './s3-store.ts';
import type { ObjectStore } from './object-store.ts';

export interface S3Settings {
  /** `host[:port]` or `http(s)://host[:port]`; a scheme overrides `useSSL`. */
  endpoint?: string;
  useSSL?: boolean;
  region?: string;
  accessKey?: string;
  secretKey?: string;
  /** PEM file of the CA that signed the endpoint's certificate (MinIO with a private CA). */
  caFile?: string;
  /** A request silent this long fails. @default 120000 ms */
  timeoutMs?: number;
}

export interface OpenStoreOptions {
  /** S3 settings; each missing field falls back to its FRCNN_S3_* variable. */
  s3?: S3Settings;
  /** Skip the startup check of an S3 store. @default false */
  skipVerify?: boolean;
}

/** Where the store URL came from, for messages: a flag name or FRCNN_STORE. */
const WHERE = 'store URL';

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<ObjectStore> {
  if (url.startsWith('s3://')) {
    const store = new S3ObjectStore(await s3Options(url, opts.s3 ?? {}));
    if (!opts.skipVerify) {
      try {
        await store.verify();
      } catch (err) {
        await store.close();
        throw err;
      }
    }
    return store;
  }
  if (url.startsWith('file://')) return new FsObjectStore(fileURLToPath(url));
  if (url.startsWith('file:')) return new FsObjectStore(url.slice('file:'.length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new InputError(`${WHERE} ${JSON.stringify(url)}`, 'unsupported scheme; use a directory, file:DIR or s3://bucket/prefix');
  if (url === '') throw new InputError(WHERE, 'empty; use a directory, file:DIR or s3://bucket/prefix');
  return new FsObjectStore(url);
}

/** Parse `s3://bucket/prefix` and resolve the connection settings (exported for tests). */
export async function s3Options(url: string, s: S3Settings): Promise<import('./s3-store.ts').S3StoreOptions> {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  const where = `${WHERE} ${JSON.stringify(url)}`;
  if (!m) throw new InputError(where, 'expected s3://bucket[/prefix]');
  const bucket = m[1];
  // S3 bucket naming rules, so a typo fails here rather than as an opaque server error.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new InputError(where, `bucket name ${JSON.stringify(bucket)} is not a valid S3 bucket name (3-63 of a-z 0-9 . -)`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');

  const endpointRaw = s.endpoint ?? (await env('FRCNN_S3_ENDPOINT'));
  if (!endpointRaw) throw new InputError(where, 'no S3 endpoint: set FRCNN_S3_ENDPOINT (host:port) or pass one');
  const em = /^(?:(https?):\/\/)?([^/:]+|\[[0-9a-fA-F:]+\])(?::(\d+))?\/?$/.exec(endpointRaw);
  if (!em) throw new InputError(`S3 endpoint ${JSON.stringify(endpointRaw)}`, 'expected host[:port] or http(s)://host[:port]');
  const useSSL = em[1] ? em[1] === 'https' : (s.useSSL ?? parseBool((await env('FRCNN_S3_USE_SSL')) ?? 'false', 'FRCNN_S3_USE_SSL'));
  const port = em[3] ? Number(em[3]) : undefined;
  const accessKey = s.accessKey ?? (await env('FRCNN_S3_ACCESS_KEY'));
  const secretKey = s.secretKey ?? (await env('FRCNN_S3_SECRET_KEY'));
  if (!accessKey) throw new InputError(where, 'no S3 access key: set FRCNN_S3_ACCESS_KEY (or FRCNN_S3_ACCESS_KEY_FILE)');
  if (!secretKey) throw new InputError(where, 'no S3 secret key: set FRCNN_S3_SECRET_KEY (or FRCNN_S3_SECRET_KEY_FILE)');
  let ca: string | undefined;
  if (s.caFile) {
    const { readFile } = await import('node:fs/promises');
    try {
      ca = await readFile(s.caFile, 'utf8');
    } catch (err) {
      throw new InputError(s.caFile, `cannot read the S3 CA file (${(err as Error).message})`, { cause: err });
    }
  }
  return {
    endPoint: em[2],
    ca,
    timeoutMs: s.timeoutMs,
    port,
    useSSL,
    region: s.region ?? (await env('FRCNN_S3_REGION')) ?? 'us-east-1',
    accessKey,
    secretKey,
    bucket,
    prefix,
  };
}

function parseBool(v: string, name: string): boolean {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new InputError(name, `expected true or false, got ${JSON.stringify(v)}`);
}
