/**
 * The object store on S3 (MinIO or any S3) through the `minio` client. Objects carry their
 * SHA-256 as user metadata (`x-amz-meta-sha256`); `get` verifies it. Objects stay below
 * MAX_OBJECT_BYTES so each is a single PUT: no multipart upload, any S3 server works.
 *
 * Server answers become our error classes: NoSuchBucket -> BucketNotFoundError,
 * InvalidAccessKeyId / SignatureDoesNotMatch / AccessDenied -> StoreAuthError, refused or
 * timed-out connections -> StoreUnreachableError. Secrets never appear in a message.
 */
import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { Client } from 'minio';
import { FrcnnError } from '../util/errors.ts';
import { logger } from '../util/log.ts';
import { sha256Hex, isSha256Hex } from './checksum.ts';
import {
  BucketNotFoundError,
  ChecksumMismatchError,
  CorruptFileError,
  ObjectNotFoundError,
  ObjectTooLargeError,
  StoreAuthError,
  StoreUnreachableError,
} from './errors.ts';
import { checkContentType } from './fs-store.ts';
import { validateKey, validatePrefix } from './keys.ts';
import { MAX_OBJECT_BYTES, type ObjectInfo, type ObjectStore, type PutOptions } from './object-store.ts';

export interface S3StoreOptions {
  /** Host name or IP of the endpoint. */
  endPoint: string;
  /** @default 443 with TLS, 80 without */
  port?: number;
  useSSL: boolean;
  /** @default "us-east-1" */
  region?: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** PEM CA certificate(s) to verify the endpoint's TLS certificate (private CAs). @default Node's trusted CAs */
  ca?: string;
  /** Key prefix inside the bucket (no leading or trailing "/"). @default "" */
  prefix?: string;
  /** A request whose connection is silent this long fails (ETIMEDOUT) instead of hanging. @default 120000 ms */
  timeoutMs?: number;
}

/** Transient failures are retried this many times in all, with exponential backoff. */
const MAX_ATTEMPTS = 4;
const INITIAL_BACKOFF_MS = 200;
const BACKOFF_MULTIPLIER = 2;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const DEFAULT_TIMEOUT_MS = 120_000;
/** Objects removed per DeleteObjects request (the S3 maximum). */
const DELETE_BATCH = 1000;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNABORTED']);
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout']);
const TLS_TRUST = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);
const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'AuthorizationHeaderMalformed', 'InvalidToken', 'ExpiredToken']);

interface S3ErrorLike {
  code?: string;
  message?: string;
}

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly endpoint: string;
  private readonly client: Client;
  private readonly agent: HttpAgent;

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (this.prefix !== '') validateKey(this.prefix);
    const port = opts.port ?? (opts.useSSL ? 443 : 80);
    this.endpoint = `${opts.useSSL ? 'https' : 'http'}://${opts.endPoint}:${port}`;
    this.location = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''} at ${this.endpoint}`;
    this.agent = makeAgent(opts.useSSL, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.ca);
    try {
      this.client = new Client({
        endPoint: opts.endPoint,
        port,
        useSSL: opts.useSSL,
        region: opts.region ?? 'us-east-1',
        accessKey: opts.accessKey,
        secretKey: opts.secretKey,
        transportAgent: this.agent,
        // Our own retry (call()) keeps the S3 error code, which minio's built-in one drops.
        retryOptions: { disableRetry: true },
      });
    } catch (err) {
      throw new FrcnnError(`S3 store ${this.location}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Check that the endpoint answers, the credentials are accepted and the bucket exists,
   * with one GET of a key that does not exist (its error body says which of these failed).
   */
  async verify(): Promise<void> {
    await this.call('verify', undefined, async () => {
      try {
        const res = await this.client.getObject(this.bucket, this.full('frcnn-probe-') + Date.now());
        res.resume();
      } catch (err) {
        const code = (err as S3ErrorLike).code;
        if (code !== 'NoSuchKey' && code !== 'NotFound') throw err;
      }
    });
  }

  private full(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  private mapError(err: unknown, op: string, key: string | undefined): Error {
    const e = err as S3ErrorLike;
    const code = e.code ?? '';
    const status = /Retryable HTTP status: (\d+)/.exec(e.message ?? '')?.[1];
    const detail = status ? `HTTP ${status} from the server` : `${code || 'error'}: ${e.message ?? String(err)}`;
    if (code === 'NoSuchBucket') return new BucketNotFoundError(this.bucket, this.endpoint, { cause: err });
    if (AUTH.has(code)) return new StoreAuthError(this.endpoint, `${detail} (bucket ${this.bucket})`, { cause: err });
    if (UNREACHABLE.has(code)) return new StoreUnreachableError(this.endpoint, detail, { cause: err });
    if (TLS_TRUST.has(code)) {
      return new StoreUnreachableError(this.endpoint, `${detail}: the server's TLS certificate is not trusted; give its CA (openStore s3.caFile, or NODE_EXTRA_CA_CERTS)`, { cause: err });
    }
    if (key !== undefined && (code === 'NoSuchKey' || code === 'NotFound')) return new ObjectNotFoundError(key, this.location, { cause: err });
    return new FrcnnError(`S3 ${op}${key ? ` ${key}` : ''} failed at ${this.location}: ${detail}`, { cause: err });
  }

  /** Run `fn`, retrying transient failures with backoff; map the final error. */
  private async call<T>(op: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    let delay = INITIAL_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && isTransient(err)) {
          logger('storage').warn({ op, key, attempt, store: this.location, err: (err as Error).message }, 'S3 request failed; retrying');
          await new Promise((r) => setTimeout(r, delay * (0.8 + 0.4 * Math.random())));
          delay *= BACKOFF_MULTIPLIER;
          continue;
        }
        throw this.mapError(err, op, key);
      }
    }
  }

  private checkPut(key: string, bytes: Uint8Array, opts: PutOptions | undefined): { sha256: string; headers: Record<string, string> } {
    validateKey(key);
    if (bytes.byteLength > MAX_OBJECT_BYTES) throw new ObjectTooLargeError(key, bytes.byteLength, MAX_OBJECT_BYTES);
    const sha256 = sha256Hex(bytes);
    const contentType = checkContentType(opts?.contentType ?? DEFAULT_CONTENT_TYPE);
    return { sha256, headers: { 'Content-Type': contentType, 'x-amz-meta-sha256': sha256 } };
  }

  async put(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<ObjectInfo> {
    const { sha256, headers } = this.checkPut(key, bytes, opts);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    await this.call('put', key, () => this.client.putObject(this.bucket, this.full(key), buf, buf.length, headers));
    return { key, size: bytes.byteLength, sha256, contentType: headers['Content-Type'] };
  }

  async putIfAbsent(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<boolean> {
    const { headers } = this.checkPut(key, bytes, opts);
    if (await this.head(key)) return false;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      // If-None-Match closes the race on servers with conditional writes (AWS, MinIO).
      await this.client.putObject(this.bucket, this.full(key), buf, buf.length, { ...headers, 'If-None-Match': '*' });
      return true;
    } catch (err) {
      const code = (err as S3ErrorLike).code;
      if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict') return false;
      throw this.mapError(err, 'put', key);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    return (await this.getWithChecksum(key)).bytes;
  }

  async getWithChecksum(key: string): Promise<{ bytes: Uint8Array; sha256: string }> {
    validateKey(key);
    const { data, headers } = await this.call('get', key, async () => {
      const res = (await this.client.getObject(this.bucket, this.full(key))) as Readable & { headers?: Record<string, string | undefined> };
      return { data: await readAll(res), headers: res.headers ?? {} };
    });
    const stored = headers['x-amz-meta-sha256'];
    if (!isSha256Hex(stored)) throw new CorruptFileError(`${this.location}/${key}`, 'has no sha256 metadata (not written by frcnn\'s store)');
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared !== data.byteLength) {
      throw new CorruptFileError(`${this.location}/${key}`, `received ${data.byteLength} bytes of ${declared} (connection cut)`);
    }
    const actual = sha256Hex(data);
    if (actual !== stored) throw new ChecksumMismatchError(key, stored, actual, this.location);
    return { bytes: data, sha256: actual };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    validateKey(key);
    try {
      const st = await this.call('head', key, () => this.client.statObject(this.bucket, this.full(key)));
      const meta = st.metaData as Record<string, string | undefined>;
      return { key, size: st.size, sha256: meta.sha256, contentType: meta['content-type'] };
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const stream = this.client.listObjectsV2(this.bucket, this.full(prefix), true);
    try {
      for await (const item of stream as AsyncIterable<{ name?: string; size?: number }>) {
        if (item.name === undefined) continue;
        yield { key: item.name.slice(strip), size: item.size ?? 0 };
      }
    } catch (err) {
      throw this.mapError(err, 'list', prefix || '(all)');
    }
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.call('delete', key, () => this.client.removeObject(this.bucket, this.full(key)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === '') throw new FrcnnError(`${this.location}: deletePrefix('') would delete every object; refused`);
    let batch: string[] = [];
    let n = 0;
    const flush = async (): Promise<void> => {
      const names = batch;
      batch = [];
      const results = (await this.call('delete', prefix, () => this.client.removeObjects(this.bucket, names))) as Array<{ Code?: string; Key?: string; Message?: string }>;
      const failed = results.filter((r) => r && r.Code);
      if (failed.length > 0) throw new FrcnnError(`S3 delete under ${prefix} at ${this.location}: ${failed.length} objects not deleted, first ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message ?? ''}`);
      n += names.length;
    };
    for await (const o of this.list(prefix)) {
      batch.push(this.full(o.key));
      if (batch.length === DELETE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return n;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/**
 * Worth retrying: throttling, server-side errors, dropped connections. minio-js (8.0.x) does
 * not parse 5xx/429 bodies: it throws a plain "Retryable HTTP status: N" error without a code.
 */
function isTransient(err: unknown): boolean {
  const e = err as S3ErrorLike;
  if (TRANSIENT.has(e.code ?? '')) return true;
  return /Retryable HTTP status: (5\d\d|429|408)/.test(e.message ?? '');
}

/**
 * A keep-alive agent whose requests fail after `timeoutMs` of silence. minio-js sets no
 * timeout on its requests, so without this a server that stops answering hangs a job forever.
 * The timeout goes on each request (not the socket: the agent resets socket timeouts when it
 * pools them); the request is destroyed with ETIMEDOUT and `call()` reports the endpoint.
 */
function makeAgent(useSSL: boolean, timeoutMs: number, ca: string | undefined): HttpAgent {
  const agent: HttpAgent = useSSL ? new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new HttpAgent({ keepAlive: true });
  // addRequest is how every ClientRequest reaches an agent (Node's http, all versions).
  const pool = agent as unknown as { addRequest(req: ClientRequest, options: unknown): void };
  const add = pool.addRequest.bind(agent);
  pool.addRequest = (req, options) => {
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no response for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    add(req, options);
  };
  return agent;
}

/** Read a response body into one buffer (allocated once when the length is known). */
async function readAll(stream: Readable & { headers?: Record<string, string | undefined> }): Promise<Uint8Array> {
  const declared = Number(stream.headers?.['content-length']);
  if (Number.isInteger(declared) && declared >= 0 && declared <= MAX_OBJECT_BYTES) {
    const out = Buffer.allocUnsafe(declared);
    let off = 0;
    for await (const c of stream) {
      const chunk = c as Buffer;
      if (off + chunk.length > declared) throw new FrcnnError(`S3 response longer than its Content-Length (${declared})`);
      chunk.copy(out, off);
      off += chunk.length;
    }
    return new Uint8Array(out.buffer, out.byteOffset, off);
  }
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const out = Buffer.concat(chunks);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
