/**
 * Why a job failed, and which retry budget pays for it. Infrastructure failures (the worker
 * vanished, ran out of memory, was preempted) say nothing about the stage, so they are
 * retried with backoff from a generous budget. Job failures (an exception, a NaN loss) would
 * likely happen again, so they get a small budget, then the trials that need the stage fail
 * with the reason. Bad input is not retried at all.
 */
import { isErrorNamed } from '../util/errors.ts';

export const FAILURE_REASONS = ['worker-lost', 'oom', 'preempted', 'exception', 'nan-loss', 'bad-input'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
export type FailureClass = 'infrastructure' | 'job' | 'unrecoverable';

export function failureClassOf(reason: FailureReason): FailureClass {
  switch (reason) {
    case 'worker-lost':
    case 'oom':
    case 'preempted':
      return 'infrastructure';
    case 'exception':
    case 'nan-loss':
      return 'job';
    case 'bad-input':
      return 'unrecoverable';
  }
}

/** Thrown by a stage function for a failure it can name. Crosses processes by `name` + `reason`. */
export class StageFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StageFailure';
  }
}

/** A loss became NaN or infinite: the run diverged (job failure, not retried forever). */
export class NanLossError extends StageFailure {
  constructor(message: string, options?: ErrorOptions) {
    super('nan-loss', message, options);
    this.name = 'NanLossError';
  }
}

/** The reason of any error a stage function threw. */
export function classifyError(err: unknown): FailureReason {
  if (err instanceof StageFailure) return err.reason;
  if (isErrorNamed(err, 'NanLossError')) return 'nan-loss';
  if (isErrorNamed(err, 'InputError')) return 'bad-input';
  if (err instanceof Error) {
    // V8 and the wasm heap report exhaustion in these words; XNNPACK status 6 is wrapped by src/detection.
    if (/out of memory|allocation failed|Array buffer allocation|status 6/i.test(err.message) || err.name === 'OutOfMemoryError') return 'oom';
  }
  return 'exception';
}
