/** The worker runtime used by `frcnn trainer` and `frcnn evaluator`. */
export { WorkerRuntime, defaultWorkerId, DEFAULT_LEASE_WAIT_MS, type WorkerRuntimeOptions, type JobReport } from './runtime.ts';
export { JobAbortedError, type AbortCause } from './abort.ts';
export { detectResources } from './resources.ts';
export { loadExecutors, ROLE_KINDS, type WorkerRole } from './load-executors.ts';
export { startLocalCluster, type LocalCluster, type LocalClusterOptions } from './local-cluster.ts';
