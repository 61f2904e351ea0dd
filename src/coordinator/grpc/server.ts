/**
 * The coordinator's gRPC server: SweepService for users, WorkerService for trainers and
 * evaluators, both over one `Coordinator`. Errors go back as gRPC statuses: bad specs as
 * INVALID_ARGUMENT naming the field, stale leases as ABORTED, unknown ids as NOT_FOUND.
 */
import * as grpc from '@grpc/grpc-js';
import type { SweepServiceHandlers } from '../../generated/frcnn/v1/SweepService.ts';
import type { WorkerServiceHandlers } from '../../generated/frcnn/v1/WorkerService.ts';
import { FAILURE_REASONS, type FailureReason } from '../../pipeline/failures.ts';
import { asStageKey, asSweepId, asWorkerId, SAFE_ID, type SweepId } from '../../pipeline/ids.ts';
import type { JsonObject } from '../../pipeline/executor.ts';
import { STAGE_KINDS, type StageKind } from '../../pipeline/stage-kind.ts';
import { InputError, isErrorNamed } from '../../util/errors.ts';
import { logger } from '../../util/log.ts';
import { CoordinatorError } from '../errors.ts';
import type { Coordinator } from '../service.ts';
import type { CoordinatorEvent } from '../types.ts';
import { detailMsg, eventMsg, jobMsg, progressFromMsg, sweepMsg } from './convert.ts';
import { loadProto, MAX_MESSAGE_BYTES } from './load.ts';
import { serverCredentials, withAuth, type SecurityOptions } from './security.ts';

const log = logger('grpc-server');

/** Largest JSON result a worker may send (bytes). */
const MAX_RESULT_BYTES = 256 * 1024;

export function toStatus(err: unknown): grpc.ServiceError | { code: grpc.status; details: string } {
  if (err instanceof CoordinatorError) return { code: err.code as grpc.status, details: err.message };
  if (err instanceof InputError || isErrorNamed(err, 'InputError')) return { code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message };
  log.error({ err }, 'internal error');
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

function sweepIdArg(v: string, field: string): SweepId {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v)) throw new InputError(field, `not a sweep id: ${JSON.stringify(v)}`);
  return asSweepId(v);
}

function jsonObject(text: string, field: string): JsonObject {
  if (text.length > MAX_RESULT_BYTES) throw new InputError(field, `is ${text.length} bytes; the limit is ${MAX_RESULT_BYTES}`);
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InputError(field, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(field, 'must be a JSON object');
  return v as JsonObject;
}

/** A unary handler from an async function, with errors mapped to statuses. */
function unary<Req, Res>(fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err) => callback(toStatus(err)),
    );
  };
}

export function sweepService(c: Coordinator): SweepServiceHandlers {
  return {
    SubmitSweep: unary(async (req) => {
      if (!req.spec) throw new InputError('spec', 'is empty');
      if (req.idempotency_key.length > 200) throw new InputError('idempotency_key', 'is longer than 200 characters');
      const { sweep, created } = await c.submitSweep({ text: req.spec, source: req.source_name || 'sweep.yaml', idempotencyKey: req.idempotency_key });
      return { sweep: sweepMsg(sweep), created };
    }),
    GetSweep: unary(async (req) => detailMsg(c.sweepDetail(sweepIdArg(req.sweep_id, 'sweep_id')))),
    ListSweeps: unary(async (req) => ({ sweeps: c.listSweeps({ limit: req.limit, status: req.status }).map(sweepMsg) })),
    CancelSweep: unary(async (req) => sweepMsg(await c.cancelSweep(sweepIdArg(req.sweep_id, 'sweep_id'), req.reason))),
    WatchSweep: (call) => {
      let id: SweepId;
      try {
        id = sweepIdArg(call.request.sweep_id, 'sweep_id');
        // Subscribe before the snapshot so nothing falls between them.
        const queued: CoordinatorEvent[] = [];
        let live = false;
        let ended = false;
        const send = (e: CoordinatorEvent) => {
          if (ended || !e.sweepIds.includes(id)) return;
          call.write(eventMsg(e));
          if (e.type === 'sweep.done' && e.sweepId === id) {
            ended = true;
            unsubscribe();
            call.end();
          }
        };
        const unsubscribe = c.subscribe((e) => (live ? send(e) : queued.push(e)));
        call.on('cancelled', () => {
          ended = true;
          unsubscribe();
        });
        const detail = c.sweepDetail(id);
        call.write({ type: 'snapshot', at_ms: Date.now(), snapshot: detailMsg(detail) });
        if (detail.sweep.status !== 'running') {
          ended = true;
          unsubscribe();
          call.end();
          return;
        }
        live = true;
        for (const e of queued) send(e);
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },
  };
}

export function workerService(c: Coordinator): WorkerServiceHandlers {
  const token = (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError('fencing_token', `not a fencing token: ${JSON.stringify(v)}`);
    return n;
  };
  const stageKey = (v: string) => {
    if (!/^[0-9a-f]{64}$/.test(v)) throw new InputError('stage_key', `not a stage key: ${JSON.stringify(v)}`);
    return asStageKey(v);
  };
  const workerId = (v: string) => {
    if (!SAFE_ID.test(v)) throw new InputError('worker_id', `must match ${SAFE_ID}, got ${JSON.stringify(v)}`);
    return asWorkerId(v);
  };
  return {
    RegisterWorker: unary(async (req) => {
      const kinds = req.kinds.filter((k): k is StageKind => (STAGE_KINDS as readonly string[]).includes(k));
      if (kinds.length !== req.kinds.length || kinds.length === 0) throw new InputError('kinds', `must list stage kinds among ${STAGE_KINDS.join(', ')}; got ${JSON.stringify(req.kinds)}`);
      const r = req.resources;
      const rec = await c.registerWorker({
        id: workerId(req.worker_id),
        kinds,
        labels: req.labels,
        resources: {
          gpus: r?.gpus ?? 0,
          gpuModel: r?.gpu_model ?? '',
          gpuMemoryMb: Number(r?.gpu_memory_mb ?? 0),
          cpuCores: r?.cpu_cores ?? 0,
          memoryMb: Number(r?.memory_mb ?? 0),
          cpuFallback: r?.cpu_fallback ?? false,
        },
      });
      return { worker_id: rec.id, lease_ttl_ms: c.options.leaseTtlMs, heartbeat_interval_ms: c.heartbeatIntervalMs };
    }),
    LeaseJob: unary(async (req, call) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const job = await c.lease(workerId(req.worker_id), Number(req.wait_ms), abort.signal);
      return { job: job ? jobMsg(job) : null };
    }),
    Heartbeat: unary(async (req) => {
      const r = await c.heartbeat(stageKey(req.stage_key), token(req.fencing_token), { progress: progressFromMsg(req.progress), checkpoint: req.checkpoint || undefined });
      return { lease_deadline_ms: r.deadline };
    }),
    CompleteJob: unary(async (req) => c.complete(stageKey(req.stage_key), token(req.fencing_token), jsonObject(req.result_json, 'result_json'))),
    FailJob: unary(async (req) => {
      if (!(FAILURE_REASONS as readonly string[]).includes(req.reason)) throw new InputError('reason', `must be one of ${FAILURE_REASONS.join(', ')}; got ${JSON.stringify(req.reason)}`);
      const r = await c.fail(stageKey(req.stage_key), token(req.fencing_token), req.reason as FailureReason, req.message.slice(0, 4000), req.log_tail.slice(-50).map((l) => l.slice(0, 1000)));
      return { will_retry: r.retryAt !== undefined, retry_at_ms: r.retryAt ?? 0 };
    }),
    ReleaseJob: unary(async (req) => {
      await c.release(stageKey(req.stage_key), token(req.fencing_token), req.checkpoint || undefined);
      return {};
    }),
  };
}

export interface CoordinatorServer {
  /** `host:port` the server listens on. */
  address: string;
  port: number;
  server: grpc.Server;
  close(): Promise<void>;
}

/** Serve `coordinator` on `host:port` (port 0: a free one). */
export async function startCoordinatorServer(c: Coordinator, opts: { host?: string; port?: number } & SecurityOptions = {}): Promise<CoordinatorServer> {
  const proto = loadProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    // Long polls and watches are idle for long stretches: keep connections alive through proxies.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  server.addService(proto.frcnn.v1.SweepService.service, withAuth(sweepService(c), opts.token));
  server.addService(proto.frcnn.v1.WorkerService.service, withAuth(workerService(c), opts.token));
  const host = opts.host ?? '0.0.0.0';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${opts.port ?? 0}`, serverCredentials(opts.tls), (err, p) => (err ? reject(err) : resolve(p))),
  );
  log.info({ host, port, tls: Boolean(opts.tls?.cert), auth: Boolean(opts.token) }, 'coordinator gRPC listening');
  return {
    address: `${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        // Long polls would hold a graceful shutdown for up to a minute: give them 2 s.
        const t = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}
