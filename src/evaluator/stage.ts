/**
 * The evaluator worker's stage functions (what `frcnn evaluator` loads by default, see
 * `src/worker/load-executors.ts`): the `evaluate` stage. Its executor lives with the other
 * stage functions in `src/trainer/stages/evaluate.ts`, where the storage and dataset plumbing
 * is; it scores detections with this module's `evaluateVoc` / `evaluateCoco` and writes
 * `buildReport` pages.
 */
import type { StageExecutor } from '../pipeline/executor.ts';
import type { StageKind } from '../pipeline/stage-kind.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { evaluate } from '../trainer/stages/evaluate.ts';

export { evaluate };

/** Every stage an evaluator worker runs. */
export const executors: StageExecutor<StageKind, ObjectStore>[] = [evaluate as unknown as StageExecutor<StageKind, ObjectStore>];
