/**
 * Branded identifiers of the orchestration layer. Brands keep a stage key from being passed
 * where a trial id is expected; every id is a plain string on the wire.
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A sweep, e.g. `sw-3f2a9c1e`. */
export type SweepId = Brand<string, 'SweepId'>;
/** A trial of a sweep: `<sweepId>.t<index>`, e.g. `sw-3f2a9c1e.t12`. */
export type TrialId = Brand<string, 'TrialId'>;
/** sha256 (hex, 64 chars) of a stage's kind, config subset and input stage keys. */
export type StageKey = Brand<string, 'StageKey'>;
/** One attempt of a stage on a worker: `<stageKey 12 chars>-a<attempt>`. */
export type JobId = Brand<string, 'JobId'>;
/** A worker process, e.g. `gpu-node-3-4711`. */
export type WorkerId = Brand<string, 'WorkerId'>;

export const asSweepId = (s: string): SweepId => s as SweepId;
export const asTrialId = (s: string): TrialId => s as TrialId;
export const asStageKey = (s: string): StageKey => s as StageKey;
export const asJobId = (s: string): JobId => s as JobId;
export const asWorkerId = (s: string): WorkerId => s as WorkerId;

export function trialIdOf(sweep: SweepId, index: number): TrialId {
  return `${sweep}.t${index}` as TrialId;
}

export function jobIdOf(stage: StageKey, attempt: number): JobId {
  return `${stage.slice(0, 12)}-a${attempt}` as JobId;
}

/** Ids we accept from users and workers: short, and safe inside object keys and NATS subjects. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
