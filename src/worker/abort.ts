/**
 * Why a running job was aborted: the worker drains (SIGTERM), its lease was lost (stale token,
 * coordinator unreachable past the deadline), or the job finished (heartbeats stop).
 * Executors see it as `ctx.signal.reason` and should throw it after checkpointing.
 */
export type AbortCause = 'drain' | 'lease-lost' | 'finished';

export class JobAbortedError extends Error {
  constructor(
    readonly abortCause: AbortCause,
    message: string,
  ) {
    super(message);
    this.name = 'JobAbortedError';
  }
}
