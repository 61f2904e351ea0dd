/**
 * Typed, promise-based clients of the coordinator (for the CLI and the worker runtime), with
 * the bearer token on every call and a deadline on every unary call.
 */
import * as grpc from '@grpc/grpc-js';
import type { SweepServiceClient } from '../../generated/frcnn/v1/SweepService.ts';
import type { WorkerServiceClient } from '../../generated/frcnn/v1/WorkerService.ts';
import type { SubmitSweepRequest } from '../../generated/frcnn/v1/SubmitSweepRequest.ts';
import type { SubmitSweepResponse__Output } from '../../generated/frcnn/v1/SubmitSweepResponse.ts';
import type { SweepDetail__Output } from '../../generated/frcnn/v1/SweepDetail.ts';
import type { ListSweepsRequest } from '../../generated/frcnn/v1/ListSweepsRequest.ts';
import type { ListSweepsResponse__Output } from '../../generated/frcnn/v1/ListSweepsResponse.ts';
import type { Sweep__Output } from '../../generated/frcnn/v1/Sweep.ts';
import type { SweepEvent__Output } from '../../generated/frcnn/v1/SweepEvent.ts';
import type { RegisterWorkerRequest } from '../../generated/frcnn/v1/RegisterWorkerRequest.ts';
import type { RegisterWorkerResponse__Output } from '../../generated/frcnn/v1/RegisterWorkerResponse.ts';
import type { LeaseJobResponse__Output } from '../../generated/frcnn/v1/LeaseJobResponse.ts';
import type { HeartbeatRequest } from '../../generated/frcnn/v1/HeartbeatRequest.ts';
import type { HeartbeatResponse__Output } from '../../generated/frcnn/v1/HeartbeatResponse.ts';
import type { CompleteJobRequest } from '../../generated/frcnn/v1/CompleteJobRequest.ts';
import type { CompleteJobResponse__Output } from '../../generated/frcnn/v1/CompleteJobResponse.ts';
import type { FailJobRequest } from '../../generated/frcnn/v1/FailJobRequest.ts';
import type { FailJobResponse__Output } from '../../generated/frcnn/v1/FailJobResponse.ts';
import type { ReleaseJobRequest } from '../../generated/frcnn/v1/ReleaseJobRequest.ts';
import { loadProto, MAX_MESSAGE_BYTES } from './load.ts';
import { authMetadata, channelCredentials, type SecurityOptions } from './security.ts';

/** Deadline of ordinary calls (ms). */
export const DEFAULT_DEADLINE_MS = 15_000;

export interface ClientOptions extends SecurityOptions {
  /** `host:port` */
  address: string;
}

type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;
type UnaryMethod<Req, Res> = (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<Res>) => grpc.ClientUnaryCall;

export class CoordinatorClient {
  readonly sweeps: SweepServiceClient;
  readonly workers: WorkerServiceClient;
  private readonly token?: string;

  constructor(readonly opts: ClientOptions) {
    const proto = loadProto();
    const creds = channelCredentials(opts.tls);
    const channel = {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 30_000,
      // Reconnect quickly to a restarted coordinator (grpc-js default backoff grows to 120 s),
      // so workers reach it before their restored leases run out.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    };
    this.sweeps = new proto.frcnn.v1.SweepService(opts.address, creds, channel);
    this.workers = new proto.frcnn.v1.WorkerService(opts.address, creds, channel);
    this.token = opts.token;
  }

  private unary<Req, Res>(client: grpc.Client, method: UnaryMethod<Req, Res>, req: Req, deadlineMs = DEFAULT_DEADLINE_MS): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(client, req, authMetadata(this.token), { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res as Res)));
    });
  }

  submitSweep(req: SubmitSweepRequest): Promise<SubmitSweepResponse__Output> {
    return this.unary(this.sweeps, this.sweeps.SubmitSweep as UnaryMethod<SubmitSweepRequest, SubmitSweepResponse__Output>, req);
  }
  getSweep(sweepId: string): Promise<SweepDetail__Output> {
    return this.unary(this.sweeps, this.sweeps.GetSweep as UnaryMethod<{ sweep_id: string }, SweepDetail__Output>, { sweep_id: sweepId });
  }
  listSweeps(req: ListSweepsRequest = {}): Promise<ListSweepsResponse__Output> {
    return this.unary(this.sweeps, this.sweeps.ListSweeps as UnaryMethod<ListSweepsRequest, ListSweepsResponse__Output>, req);
  }
  cancelSweep(sweepId: string, reason = ''): Promise<Sweep__Output> {
    return this.unary(this.sweeps, this.sweeps.CancelSweep as UnaryMethod<{ sweep_id: string; reason: string }, Sweep__Output>, { sweep_id: sweepId, reason });
  }
  /** The snapshot, then events until the sweep ends. */
  watchSweep(sweepId: string): grpc.ClientReadableStream<SweepEvent__Output> {
    return this.sweeps.WatchSweep({ sweep_id: sweepId }, authMetadata(this.token));
  }

  registerWorker(req: RegisterWorkerRequest): Promise<RegisterWorkerResponse__Output> {
    return this.unary(this.workers, this.workers.RegisterWorker as UnaryMethod<RegisterWorkerRequest, RegisterWorkerResponse__Output>, req);
  }
  /** Long poll: the deadline covers the wait plus a margin. */
  leaseJob(workerId: string, waitMs: number, signal?: AbortSignal): Promise<LeaseJobResponse__Output> {
    return new Promise((resolve, reject) => {
      const call = this.workers.LeaseJob({ worker_id: workerId, wait_ms: waitMs }, authMetadata(this.token), { deadline: Date.now() + waitMs + DEFAULT_DEADLINE_MS }, (err, res) =>
        err ? reject(err) : resolve(res!),
      );
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }
  heartbeat(req: HeartbeatRequest, deadlineMs?: number): Promise<HeartbeatResponse__Output> {
    return this.unary(this.workers, this.workers.Heartbeat as UnaryMethod<HeartbeatRequest, HeartbeatResponse__Output>, req, deadlineMs);
  }
  completeJob(req: CompleteJobRequest): Promise<CompleteJobResponse__Output> {
    return this.unary(this.workers, this.workers.CompleteJob as UnaryMethod<CompleteJobRequest, CompleteJobResponse__Output>, req);
  }
  failJob(req: FailJobRequest): Promise<FailJobResponse__Output> {
    return this.unary(this.workers, this.workers.FailJob as UnaryMethod<FailJobRequest, FailJobResponse__Output>, req);
  }
  releaseJob(req: ReleaseJobRequest): Promise<object> {
    return this.unary(this.workers, this.workers.ReleaseJob as UnaryMethod<ReleaseJobRequest, object>, req);
  }

  close(): void {
    this.sweeps.close();
    this.workers.close();
  }
}

/** True for errors worth retrying: the coordinator is unreachable or restarting. */
export function isTransient(err: unknown): boolean {
  const code = (err as grpc.ServiceError)?.code;
  return code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED || code === grpc.status.CANCELLED || code === grpc.status.INTERNAL || code === grpc.status.UNKNOWN;
}
