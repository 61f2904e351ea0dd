/**
 * The dashboard on the coordinator's HTTP port: HTML pages, the JSON API behind each page,
 * live updates over Server-Sent Events, Prometheus `/metrics`, `/healthz` and `/readyz`, and
 * the one mutating route (cancel a sweep), which takes the bearer token when one is set.
 *
 *   GET  /                                  sweeps list          (JSON: /api/sweeps)
 *   GET  /sweeps/:id                        sweep + comparison   (JSON: /api/sweeps/:id)
 *   GET  /sweeps/:id/trials/:tid            trial detail         (JSON: /api/sweeps/:id/trials/:tid)
 *   GET  /api/events[?sweep=:id]            SSE stream of `update` events
 *   POST /api/sweeps/:id/cancel             bearer token
 *   GET  /api/scaling                       GPU trainers wanted (KEDA metrics-api trigger)
 *   GET  /metrics, /healthz, /readyz
 * Any page with `?fragment=1` returns only its `<main>` content (what the live script swaps in).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { env, envSync } from '../config/env.ts';
import type { Coordinator } from '../coordinator/index.ts';
import { logger } from '../util/log.ts';
import { comparisonTable } from './comparison.ts';
import { coordinatorSource, recordCoordinatorMetrics } from './coordinator-source.ts';
import { layout, LIVE_SCRIPT, STYLESHEET, type Page } from './layout.ts';
import { createCoordinatorMetrics, PROMETHEUS_CONTENT_TYPE, type CoordinatorMetrics } from './metrics.ts';
import type { DashboardSource } from './source.ts';
import { sweepPage } from './sweep-page.ts';
import { sweepsPage } from './sweeps-page.ts';
import { trialPage } from './trial-page.ts';
import { RUN_STATUSES, sweepId, trialId, type DashboardEvent } from './view-model.ts';

export interface DashboardOptions {
  /** 0 picks a free port. */
  port: number;
  /** @default '0.0.0.0' */
  host?: string;
  /**
   * Bearer token required on mutating routes. Never logged.
   * @default FRCNN_TOKEN (or the file named by FRCNN_TOKEN_FILE); none = open (single-user mode)
   */
  token?: string;
  /**
   * PEM contents: serve HTTPS; `false` for plain HTTP.
   * @default the files named by FRCNN_TLS_CERT and FRCNN_TLS_KEY when both are set
   */
  tls?: { cert: string | Buffer; key: string | Buffer } | false;
  /** Shared with the coordinator, which pushes lease expiries, retries and stage durations into it. */
  metrics?: CoordinatorMetrics;
  /** Largest accepted request body. @default 65536 bytes */
  maxBodyBytes?: number;
  /** Largest accepted request target (path + query). @default 8192 bytes */
  maxUrlBytes?: number;
  /** Concurrent SSE streams; more get 503. @default 256 */
  maxEventClients?: number;
  /** Comment line sent on idle SSE streams so proxies keep them open. @default 15000 ms */
  heartbeatMs?: number;
  /**
   * At most one `update` per stream in this window (the first goes out at once, the rest are
   * merged into one at its end): every update makes each open page re-fetch, and a busy
   * sweep reports progress many times a second. @default 500 ms
   */
  updateIntervalMs?: number;
}

export interface DashboardServer {
  readonly port: number;
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly metrics: CoordinatorMetrics;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_MAX_URL_BYTES = 8 * 1024;
export const DEFAULT_MAX_EVENT_CLIENTS = 256;
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_UPDATE_INTERVAL_MS = 500;
/** Rendered pages are reused this long unless the source reports a change (running times tick). */
const PAGE_CACHE_MS = 2_000;
const PAGE_CACHE_ENTRIES = 64;
/** Headers beyond this are refused by node itself (431). */
const MAX_HEADER_BYTES = 16 * 1024;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of the presented bearer token with the configured one. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

function isDashboardSource(x: DashboardSource | Coordinator): x is DashboardSource {
  return typeof (x as Partial<DashboardSource>).stats === 'function';
}

/** TLS from FRCNN_TLS_CERT/FRCNN_TLS_KEY, as the gRPC server reads them. */
async function tlsFromEnv(): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  const cert = envSync('FRCNN_TLS_CERT');
  const key = envSync('FRCNN_TLS_KEY');
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error('TLS needs both FRCNN_TLS_CERT and FRCNN_TLS_KEY');
  return { cert: await readFile(cert), key: await readFile(key) };
}

/**
 * Serves the dashboard for a `DashboardSource`, or directly for a `Coordinator` (adapted by
 * ./coordinator-source.ts, its events feeding the lease, retry and duration metrics).
 */
export async function startDashboard(from: DashboardSource | Coordinator, options: DashboardOptions): Promise<DashboardServer> {
  const log = logger('dashboard');
  const metrics = options.metrics ?? createCoordinatorMetrics();
  const source = isDashboardSource(from) ? from : coordinatorSource(from);
  const stopRecording = isDashboardSource(from) ? undefined : recordCoordinatorMetrics(from, metrics);
  const tls = options.tls === false ? undefined : (options.tls ?? (await tlsFromEnv()));
  const configuredToken = options.token ?? (await env('FRCNN_TOKEN'));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxUrl = options.maxUrlBytes ?? DEFAULT_MAX_URL_BYTES;
  const maxClients = options.maxEventClients ?? DEFAULT_MAX_EVENT_CLIENTS;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const updateIntervalMs = options.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
  const token = configuredToken && configuredToken.length > 0 ? configuredToken : undefined;

  metrics.registry.onCollect(async () => {
    const stats = await source.stats();
    metrics.jobs.reset();
    for (const s of RUN_STATUSES) metrics.jobs.set({ state: s }, stats.jobsByState[s] ?? 0);
    metrics.pendingGpuJobs.set(undefined, stats.pendingGpuJobs);
    metrics.runningGpuJobs.set(undefined, stats.runningGpuJobs);
    metrics.workers.set(undefined, stats.workers);
  });

  const streams = new Set<ServerResponse>();

  // Many open pages re-fetch the same fragment after each update: render it once per change.
  const pages = new Map<string, { body: string; at: number }>();
  const stopCaching = source.subscribe(() => pages.clear());

  async function page(req: IncomingMessage, res: ServerResponse, key: string, build: () => Promise<Page | undefined>, fragment: boolean): Promise<boolean> {
    const cacheKey = `${fragment ? 'f' : 'p'}${key}`;
    let hit = pages.get(cacheKey);
    if (!hit || Date.now() - hit.at > PAGE_CACHE_MS) {
      const p = await build();
      if (!p) return false;
      hit = { body: fragment ? p.body.value : layout(p).value, at: Date.now() };
      if (pages.size >= PAGE_CACHE_ENTRIES) pages.delete(pages.keys().next().value!);
      pages.set(cacheKey, hit);
    }
    send(res, 200, 'text/html; charset=utf-8', req.method === 'HEAD' ? '' : hit.body);
    return true;
  }

  function events(req: IncomingMessage, res: ServerResponse, sweepFilter: string | null): void {
    if (streams.size >= maxClients) throw new HttpError(503, `more than ${maxClients} event streams open`, { 'retry-after': '5' });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
      ...SECURITY_HEADERS,
    });
    res.write('retry: 2000\n\n');
    streams.add(res);
    let windowOpen = false;
    let held: DashboardEvent | undefined;
    let timer: NodeJS.Timeout | undefined;
    const write = (e: DashboardEvent) => res.write(`event: update\ndata: ${JSON.stringify(e)}\n\n`);
    const closeWindow = () => {
      timer = undefined;
      windowOpen = false;
      if (held) {
        const e = held;
        held = undefined;
        write(e);
        windowOpen = true;
        timer = setTimeout(closeWindow, updateIntervalMs);
      }
    };
    const unsubscribe = source.subscribe((e: DashboardEvent) => {
      if (sweepFilter && (e.type === 'cluster' || e.sweepId !== sweepFilter)) return;
      if (windowOpen) {
        held = e;
        return;
      }
      write(e);
      windowOpen = true;
      timer = setTimeout(closeWindow, updateIntervalMs);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
    heartbeat.unref();
    const done = () => {
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('error', done);
  }

  /** Returns the route name used as the metrics label (never a raw path: ids would explode cardinality). */
  async function route(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const target = req.url ?? '/';
    if (Buffer.byteLength(target) > maxUrl) throw new HttpError(414, `request target over ${maxUrl} bytes`);
    const url = new URL(target, 'http://dashboard.invalid');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in path');
    }
    const fragment = url.searchParams.get('fragment') === '1';
    const method = req.method ?? 'GET';
    const isRead = method === 'GET' || method === 'HEAD';
    const p = parts.join('/');

    if (method === 'POST' && parts.length === 4 && parts[0] === 'api' && parts[1] === 'sweeps' && parts[3] === 'cancel') {
      if (token && !bearerMatches(req.headers.authorization, token)) {
        throw new HttpError(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer realm="frcnn"' });
      }
      await readBody(req, maxBody);
      const ok = await source.cancelSweep(sweepId(parts[2]));
      if (!ok) throw new HttpError(404, `no sweep ${parts[2]}`);
      log.info({ sweepId: parts[2] }, 'sweep cancelled over HTTP');
      sendJson(res, 202, { sweepId: parts[2], cancelled: true });
      return 'cancel';
    }
    if (!isRead) throw new HttpError(405, `${method} not allowed on /${p}`, { allow: 'GET, HEAD' });

    if (p === 'healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      return 'healthz';
    }
    if (p === 'readyz') {
      const ready = await source.ready();
      send(res, ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? 'ready\n' : 'not ready\n');
      return 'readyz';
    }
    if (p === 'metrics') {
      send(res, 200, PROMETHEUS_CONTENT_TYPE, await metrics.registry.expose());
      return 'metrics';
    }
    if (p === 'static/live.js') {
      send(res, 200, 'text/javascript; charset=utf-8', LIVE_SCRIPT, { 'cache-control': 'public, max-age=300' });
      return 'static';
    }
    if (p === 'static/dashboard.css') {
      send(res, 200, 'text/css; charset=utf-8', STYLESHEET, { 'cache-control': 'public, max-age=300' });
      return 'static';
    }
    if (p === '') {
      await page(req, res, p, async () => sweepsPage(await source.sweeps(), await source.stats()), fragment);
      return 'page_sweeps';
    }
    if (parts[0] === 'sweeps' && parts.length === 2) {
      const found = await page(req, res, p, async () => {
        const sweep = await source.sweep(sweepId(parts[1]));
        return sweep && sweepPage(sweep);
      }, fragment);
      if (!found) throw new HttpError(404, `no sweep ${parts[1]}`);
      return 'page_sweep';
    }
    if (parts[0] === 'sweeps' && parts.length === 4 && parts[2] === 'trials') {
      const found = await page(req, res, p, async () => {
        const sweep = await source.sweep(sweepId(parts[1]));
        const trial = sweep && (await source.trial(sweep.id, trialId(parts[3])));
        return sweep && trial && trialPage(sweep, trial);
      }, fragment);
      if (!found) throw new HttpError(404, `no trial ${parts[3]} in sweep ${parts[1]}`);
      return 'page_trial';
    }
    if (parts[0] === 'api') {
      if (p === 'api/events') {
        events(req, res, url.searchParams.get('sweep'));
        return 'events';
      }
      if (p === 'api/scaling') {
        const s = await source.stats();
        // KEDA's metrics-api trigger reads `gpuTrainersWanted`: scaling on pending jobs alone would
        // scale busy trainers away as soon as the queue empties.
        sendJson(res, 200, { gpuTrainersWanted: s.pendingGpuJobs + s.runningGpuJobs, pendingGpuJobs: s.pendingGpuJobs, runningGpuJobs: s.runningGpuJobs, workers: s.workers });
        return 'api_scaling';
      }
      if (p === 'api/sweeps') {
        // Everything the sweeps page shows: the sweeps and the cluster's gauges.
        sendJson(res, 200, { sweeps: await source.sweeps(), cluster: await source.stats() });
        return 'api_sweeps';
      }
      if (parts[1] === 'sweeps' && parts.length === 3) {
        const sweep = await source.sweep(sweepId(parts[2]));
        if (!sweep) throw new HttpError(404, `no sweep ${parts[2]}`);
        sendJson(res, 200, { ...sweep, comparison: comparisonTable(sweep) });
        return 'api_sweep';
      }
      if (parts[1] === 'sweeps' && parts.length === 5 && parts[3] === 'trials') {
        const trial = await source.trial(sweepId(parts[2]), trialId(parts[4]));
        if (!trial) throw new HttpError(404, `no trial ${parts[4]} in sweep ${parts[2]}`);
        sendJson(res, 200, trial);
        return 'api_trial';
      }
    }
    throw new HttpError(404, `no route /${p}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let name = 'unknown';
    let status = 500;
    try {
      name = await route(req, res);
      status = res.statusCode;
    } catch (err) {
      if (err instanceof HttpError) status = err.status;
      else log.error({ err, method: req.method, path: req.url?.split('?')[0] }, 'dashboard request failed');
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (!res.headersSent) {
        const wantsJson = (req.url ?? '').startsWith('/api/') || !(req.headers.accept ?? '').includes('text/html');
        if (wantsJson) sendJson(res, status, { error: message }, err instanceof HttpError ? err.headers : {});
        else send(res, status, 'text/plain; charset=utf-8', `${message}\n`, err instanceof HttpError ? err.headers : {});
      } else res.destroy();
      // Drain what the client still sends so the connection can close cleanly.
      if (status === 413) req.resume();
    }
    metrics.httpRequests.inc({ route: name, code: String(status) });
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server: Server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, maxHeaderSize: MAX_HEADER_BYTES }, listener)
    : createHttpServer({ maxHeaderSize: MAX_HEADER_BYTES }, listener);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = !options.host || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `${tls ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  log.info({ port, tls: Boolean(tls), auth: token ? 'bearer' : 'none' }, 'dashboard listening');

  return {
    port,
    url,
    metrics,
    close: () =>
      new Promise<void>((resolve, reject) => {
        stopRecording?.();
        stopCaching();
        for (const s of streams) s.end();
        streams.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
