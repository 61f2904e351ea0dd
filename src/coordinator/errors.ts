/**
 * Errors of the coordinator, one class per condition. `code` is the gRPC status the service
 * maps each to, so the wire error says what happened (STYLE habit 12).
 */
import { FrcnnError } from '../util/errors.ts';

/** gRPC status codes used here (from @grpc/grpc-js `status`, repeated to keep this module free of grpc). */
export const GrpcCode = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, ABORTED: 10, RESOURCE_EXHAUSTED: 8 } as const;

export class CoordinatorError extends FrcnnError {
  readonly code: number = GrpcCode.FAILED_PRECONDITION;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CoordinatorError';
  }
}

/** A heartbeat or result carries a fencing token that is not the stage's current lease. */
export class StaleLeaseError extends CoordinatorError {
  override readonly code = GrpcCode.ABORTED;
  constructor(stage: string, token: number, current: number | undefined, detail: string) {
    super(`stale lease for stage ${stage.slice(0, 12)}: token ${token}, current ${current ?? 'none'} (${detail}); result refused`);
    this.name = 'StaleLeaseError';
  }
}

export class NotFoundError extends CoordinatorError {
  override readonly code = GrpcCode.NOT_FOUND;
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** A worker asked for work without registering (or the coordinator restarted): register again. */
export class UnknownWorkerError extends CoordinatorError {
  override readonly code = GrpcCode.FAILED_PRECONDITION;
  constructor(worker: string) {
    super(`unknown worker ${worker}; register first`);
    this.name = 'UnknownWorkerError';
  }
}

/** An idempotency key reused with a different spec. */
export class IdempotencyConflictError extends CoordinatorError {
  override readonly code = GrpcCode.ALREADY_EXISTS;
  constructor(key: string, sweep: string) {
    super(`idempotency key ${JSON.stringify(key)} was used for sweep ${sweep} with a different spec`);
    this.name = 'IdempotencyConflictError';
  }
}

export class LimitError extends CoordinatorError {
  override readonly code = GrpcCode.RESOURCE_EXHAUSTED;
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

/** Another coordinator wrote the state (compare-and-set failed): this one must stop. */
export class StateConflictError extends CoordinatorError {
  constructor(key: string, options?: ErrorOptions) {
    super(`state entry ${key} was changed by someone else; is a second coordinator running on the same state?`, options);
    this.name = 'StateConflictError';
  }
}
