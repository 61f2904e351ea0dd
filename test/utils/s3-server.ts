/**
 * A real S3-compatible server for tests and benchmarks: s3rver (a Node S3 server), run as a
 * separate child process on a free port with its own temp directory and its own random
 * credentials.
 *
 * s3rver alone checks only signature V2; for V4 (what the minio client and every modern SDK
 * send) it accepts any signature from a known access key, and it serves anonymous requests.
 * So the child puts a full AWS SigV4 header-signature check in front of it: anonymous
 * requests, unknown access keys and wrong secret keys are refused with the S3 error codes a
 * real server gives (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch).
 *
 * Usage:
 *   const s3 = await startS3Server({ buckets: ['frcnn'] });
 *   ... s3.endpoint, s3.accessKey, s3.secretKey, s3.region, s3.env('frcnn') ...
 *   await s3.stop();
 * The child also exits by itself when its parent dies (it watches its stdin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface S3TestServer {
  /** `http://127.0.0.1:PORT`, or `https://...` with `tls` */
  endpoint: string;
  useSSL: boolean;
  /** With `tls`: the PEM file of the CA that signed the server's certificate. */
  caFile?: string;
  host: string;
  port: number;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Where the server keeps its buckets (objects can be corrupted here behind the API's back). */
  dataDir: string;
  /** Create a bucket through the S3 API. */
  createBucket(name: string): Promise<void>;
  /** Environment variables pointing frcnn at this server (FRCNN_STORE=s3://bucket/prefix, FRCNN_S3_*). */
  env(bucket: string, prefix?: string): Record<string, string>;
  /** Stop the server and delete its data. */
  stop(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Buckets to create before the server starts answering. */
  buckets?: string[];
  region?: string;
  /** Serve HTTPS with the test certificate in test/storage/fixtures/tls (CA: `caFile`). @default false */
  tls?: boolean;
  /** How long to wait for the server to answer. @default 20000 ms */
  startTimeoutMs?: number;
}

interface ChildConfig {
  dataDir: string;
  tls?: { key: string; cert: string };
  accessKey: string;
  secretKey: string;
  region: string;
  buckets: string[];
}

const SELF = fileURLToPath(import.meta.url);
const TLS_DIR = fileURLToPath(new URL('../storage/fixtures/tls/', import.meta.url));
const SERVE_FLAG = '--frcnn-s3-serve';

export async function startS3Server(opts: StartS3ServerOptions = {}): Promise<S3TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'frcnn-s3-'));
  const cfg: ChildConfig = {
    dataDir,
    accessKey: `AK${randomBytes(8).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('base64url'),
    region: opts.region ?? 'us-east-1',
    buckets: opts.buckets ?? [],
    tls: opts.tls ? { key: join(TLS_DIR, 'server-key.pem'), cert: join(TLS_DIR, 'server.pem') } : undefined,
  };
  const caFile = opts.tls ? join(TLS_DIR, 'ca.pem') : undefined;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), SELF, SERVE_FLAG], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, FRCNN_S3_CHILD_CONFIG: JSON.stringify(cfg) },
  });
  const killChild = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killChild);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });

  let port: number;
  try {
    port = await readPort(child, opts.startTimeoutMs ?? 20000, () => stderr);
    await waitUntilAnswers('127.0.0.1', port, opts.startTimeoutMs ?? 20000, caFile);
  } catch (err) {
    killChild();
    process.removeListener('exit', killChild);
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  const useSSL = Boolean(opts.tls);
  const endpoint = `${useSSL ? 'https' : 'http'}://127.0.0.1:${port}`;
  const server: S3TestServer = {
    endpoint,
    useSSL,
    caFile,
    host: '127.0.0.1',
    port,
    region: cfg.region,
    accessKey: cfg.accessKey,
    secretKey: cfg.secretKey,
    dataDir,
    async createBucket(name) {
      const { Client } = await import('minio');
      const { Agent } = await import('node:https');
      const c = new Client({
        endPoint: '127.0.0.1',
        port,
        useSSL,
        accessKey: cfg.accessKey,
        secretKey: cfg.secretKey,
        region: cfg.region,
        ...(caFile ? { transportAgent: new Agent({ ca: readFileSync(caFile) }) } : {}),
      });
      await c.makeBucket(name, cfg.region);
    },
    env(bucket, prefix = '') {
      return {
        FRCNN_STORE: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
        FRCNN_S3_ENDPOINT: `127.0.0.1:${port}`,
        FRCNN_S3_USE_SSL: String(useSSL),
        FRCNN_S3_REGION: cfg.region,
        FRCNN_S3_ACCESS_KEY: cfg.accessKey,
        FRCNN_S3_SECRET_KEY: cfg.secretKey,
      };
    },
    async stop() {
      process.removeListener('exit', killChild);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.stdin!.end(); // the child exits when its stdin closes
        const timer = setTimeout(killChild, 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

function readPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`S3 test server did not start within ${timeoutMs} ms; stderr: ${stderr()}`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    child.once('exit', (code, signal) => fail(new Error(`S3 test server exited early (code ${code}, signal ${signal}); stderr: ${stderr()}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
}

/** Poll with an anonymous GET until the server answers (with anything: 403 is expected). */
async function waitUntilAnswers(host: string, port: number, timeoutMs: number, caFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ca = caFile ? readFileSync(caFile) : undefined;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const send = ca ? httpsRequest : request;
      const req = send({ host, port, path: '/', method: 'GET', timeout: 1000, ...(ca ? { ca } : {}) }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`S3 test server on ${host}:${port} does not answer after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------- child process side

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s).digest();

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(raw: string): string {
  if (!raw) return '';
  return raw
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const k = decodeURIComponent((i < 0 ? p : p.slice(0, i)).replace(/\+/g, '%20'));
      const v = i < 0 ? '' : decodeURIComponent(p.slice(i + 1).replace(/\+/g, '%20'));
      return [rfc3986(k), rfc3986(v)] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/s3\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

interface SigCheckRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The S3 error code for a request that fails the SigV4 header check, or undefined when it passes. */
export function checkSigV4(req: SigCheckRequest, accessKey: string, secretKey: string, region: string): { code: string; message: string } | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth !== 'string') return { code: 'AccessDenied', message: 'Anonymous requests are not allowed' };
  const m = AUTH_RE.exec(auth);
  if (!m) return { code: 'AccessDenied', message: 'Only AWS4-HMAC-SHA256 header signatures are accepted' };
  const [, keyId, date, scopeRegion, signedHeaders, signature] = m;
  if (keyId !== accessKey) return { code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  if (scopeRegion !== region) return { code: 'AuthorizationHeaderMalformed', message: `the region '${scopeRegion}' is wrong; expecting '${region}'` };
  const amzDate = req.headers['x-amz-date'];
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(date) || typeof payloadHash !== 'string') {
    return { code: 'AccessDenied', message: 'x-amz-date and x-amz-content-sha256 must be sent and match the credential scope' };
  }
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return { code: 'AccessDenied', message: 'the host header must be signed' };
  const headerLines = names.map((n) => {
    const v = req.headers[n];
    const value = Array.isArray(v) ? v.join(',') : (v ?? '');
    return `${n}:${value.trim().replace(/ +/g, ' ')}\n`;
  });
  const canonical = [req.method.toUpperCase(), path, canonicalQuery(query), headerLines.join(''), signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), 's3'), 'aws4_request');
  const expected = hmac(key, toSign);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return undefined;
}

async function serve(): Promise<void> {
  const cfg = JSON.parse(process.env.FRCNN_S3_CHILD_CONFIG ?? '') as ChildConfig;
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver');
  const AWSAccount = require('s3rver/lib/models/account');
  const S3Error = require('s3rver/lib/models/error');
  // Replace s3rver's built-in dummy key pair with ours.
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(cfg.accessKey, cfg.secretKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: cfg.dataDir,
    vhostBuckets: false,
    configureBuckets: cfg.buckets.map((name) => ({ name })),
    ...(cfg.tls ? { key: readFileSync(cfg.tls.key), cert: readFileSync(cfg.tls.cert) } : {}),
  });
  // Runs before every s3rver middleware; s3rver's error handler turns S3Error into the XML body.
  server.middleware.unshift(async (ctx: { method: string; req: SigCheckRequest }, next: () => Promise<void>) => {
    const bad = checkSigV4({ method: ctx.method, url: ctx.req.url, headers: ctx.req.headers }, cfg.accessKey, cfg.secretKey, cfg.region);
    if (bad) throw new S3Error(bad.code, bad.message);
    await next();
  });
  const address = (await server.run()) as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  const shutdown = (): void => {
    server.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
  process.on('SIGTERM', shutdown);
}

if (process.argv.includes(SERVE_FLAG) && process.argv[1] === SELF) {
  serve().catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
