/**
 * The stage functions, one per stage kind, as the worker runtime loads them: `executors`
 * (every kind; a worker role keeps its own), `trainerExecutors()` and `evaluatorExecutors()`.
 */
import { executorRegistry, type ExecutorRegistry, type StageExecutor } from '../../pipeline/executor.ts';
import type { StageKind } from '../../pipeline/stage-kind.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { assemble } from './assemble.ts';
import { detect } from './detect.ts';
import { evaluate } from './evaluate.ts';
import { generateProposals } from './generate-proposals.ts';
import { mergeDetections, mergeProposals } from './merge-boxes.ts';
import { trainFastRcnn } from './train-fast-rcnn.ts';
import { trainJoint } from './train-joint.ts';
import { trainRpn } from './train-rpn.ts';

export { assemble, detect, evaluate, generateProposals, mergeDetections, mergeProposals, trainFastRcnn, trainJoint, trainRpn };

type AnyExecutor = StageExecutor<StageKind, ObjectStore>;

const TRAINER = [trainRpn, generateProposals, mergeProposals, trainFastRcnn, assemble, trainJoint, detect, mergeDetections] as unknown as AnyExecutor[];
const EVALUATOR = [evaluate] as unknown as AnyExecutor[];

/** Every stage function (what `--executors` modules export). */
export const executors: AnyExecutor[] = [...TRAINER, ...EVALUATOR];

/** The kinds a trainer worker runs: all but `evaluate`. */
export function trainerExecutors(): ExecutorRegistry<ObjectStore> {
  return executorRegistry(TRAINER);
}

export function evaluatorExecutors(): ExecutorRegistry<ObjectStore> {
  return executorRegistry(EVALUATOR);
}

/** Every kind, for the local runner. */
export function allExecutors(): ExecutorRegistry<ObjectStore> {
  return executorRegistry(executors);
}
