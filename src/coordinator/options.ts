/**
 * Coordinator policy: lease timing, retry budgets and backoff. One typed factory returns the
 * defaults; `coordinatorOptions(partial)` merges and validates (STYLE habit 11).
 */
import { FrcnnError } from '../util/errors.ts';

/** A lease lasts this long without a heartbeat (ms). */
export const DEFAULT_LEASE_TTL_MS = 30_000;
/** Infrastructure failures (worker lost, OOM, preempted) retried this many times per stage. */
export const DEFAULT_INFRA_RETRIES = 6;
/** Job failures (exception, NaN loss) retried this many times per stage. */
export const DEFAULT_JOB_RETRIES = 1;
/** First retry delay after an infrastructure failure (ms); grows ×BACKOFF_MULTIPLIER per failure. */
export const INITIAL_BACKOFF_MS = 1_000;
export const BACKOFF_MULTIPLIER = 2;
export const MAX_BACKOFF_MS = 60_000;
/** Loss points kept per stage; older points are thinned to every other one. */
export const MAX_LOSS_POINTS = 400;

export interface CoordinatorOptions {
  /** @default 30000 */
  leaseTtlMs: number;
  /** @default 6 */
  infraRetries: number;
  /** @default 1 */
  jobRetries: number;
  /** @default 1000 */
  initialBackoffMs: number;
  /** @default 60000 */
  maxBackoffMs: number;
  /** Trials per sweep the coordinator accepts, whatever the spec says. @default 4096 */
  maxTrialsPerSweep: number;
}

export function defaultCoordinatorOptions(): CoordinatorOptions {
  return {
    leaseTtlMs: DEFAULT_LEASE_TTL_MS,
    infraRetries: DEFAULT_INFRA_RETRIES,
    jobRetries: DEFAULT_JOB_RETRIES,
    initialBackoffMs: INITIAL_BACKOFF_MS,
    maxBackoffMs: MAX_BACKOFF_MS,
    maxTrialsPerSweep: 4096,
  };
}

export function coordinatorOptions(partial: Partial<CoordinatorOptions> = {}): CoordinatorOptions {
  const o = defaultCoordinatorOptions();
  // Only known fields: callers may pass a wider options object.
  for (const k of Object.keys(o) as (keyof CoordinatorOptions)[]) if (partial[k] !== undefined) o[k] = partial[k];
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isInteger(v) || v < 0) throw new FrcnnError(`coordinator option ${k}: expected an integer ≥ 0, got ${v}`);
  }
  if (o.leaseTtlMs < 100) throw new FrcnnError(`coordinator option leaseTtlMs: ${o.leaseTtlMs} ms is too short (≥ 100)`);
  return o;
}

/** Delay before retry number `failures` (1-based): exponential, capped, no jitter (decisions stay reproducible). */
export function backoffMs(o: CoordinatorOptions, failures: number): number {
  return Math.min(o.maxBackoffMs, o.initialBackoffMs * BACKOFF_MULTIPLIER ** Math.max(0, failures - 1));
}
