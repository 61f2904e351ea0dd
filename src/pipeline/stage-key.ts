/**
 * The stage key: sha256 of the canonical JSON of (kind, spec, config subset, input stage
 * keys). Equal keys mean equal computations, so the coordinator runs a key once however many
 * trials and sweeps ask for it. Bump `STAGE_KEY_VERSION` when a stage function changes what
 * it computes for the same inputs; every key changes and nothing stale is reused.
 */
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { asStageKey, type StageKey } from './ids.ts';
import type { StageSpec } from './stage-kind.ts';

export const STAGE_KEY_VERSION = 1;

export function stageKey(spec: StageSpec, config: object, inputs: Readonly<Record<string, StageKey>>): StageKey {
  return asStageKey(sha256Hex(canonicalJson({ v: STAGE_KEY_VERSION, spec, config, inputs })));
}
