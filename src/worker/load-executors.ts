/**
 * Stage executors for a worker role. `--executors <module>` names a module exporting
 * `executors: StageExecutor[]` (or a default export of that); without it, the built-in stage
 * functions: `src/trainer/stages/index.ts` for trainers, `src/evaluator/stage.ts` for
 * evaluators (falling back to the trainer module's evaluate). A role keeps only its own kinds.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { executorRegistry, type ExecutorRegistry, type StageExecutor } from '../pipeline/executor.ts';
import { EVALUATOR_KINDS, TRAINER_KINDS, type StageKind } from '../pipeline/stage-kind.ts';
import { UsageError } from '../util/errors.ts';

export type WorkerRole = 'trainer' | 'evaluator';

const TRAINER_STAGES = fileURLToPath(new URL('../trainer/stages/index.ts', import.meta.url));
const EVALUATOR_STAGE = fileURLToPath(new URL('../evaluator/stage.ts', import.meta.url));
const BUILT_IN: Record<WorkerRole, string[]> = { trainer: [TRAINER_STAGES], evaluator: [EVALUATOR_STAGE, TRAINER_STAGES] };

export const ROLE_KINDS: Record<WorkerRole, readonly StageKind[]> = { trainer: TRAINER_KINDS, evaluator: EVALUATOR_KINDS };

export async function loadExecutors(role: WorkerRole, modulePath?: string): Promise<ExecutorRegistry> {
  const path = modulePath ? resolve(modulePath) : (BUILT_IN[role].find((p) => existsSync(p)) ?? BUILT_IN[role][0]);
  if (!existsSync(path)) {
    throw new UsageError(
      modulePath ? `--executors ${modulePath}: no such file` : `the built-in ${role} stages (${path}) are not available in this build; pass --executors <module>`,
    );
  }
  const mod = (await import(pathToFileURL(path).href)) as { executors?: StageExecutor[]; default?: StageExecutor[] };
  const list = mod.executors ?? mod.default;
  if (!Array.isArray(list)) throw new UsageError(`${path}: expected an export "executors" (an array of StageExecutor)`);
  // A worker role runs its own kinds only (an evaluator module may also export trainer stages).
  const mine = list.filter((e) => ROLE_KINDS[role].includes(e.kind));
  if (mine.length === 0) throw new UsageError(`${path}: no executors for the ${role} kinds (${ROLE_KINDS[role].join(', ')})`);
  return executorRegistry(mine);
}
