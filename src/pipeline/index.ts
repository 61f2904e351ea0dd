/**
 * The pipeline model, independent of the model code and of the orchestration machinery:
 * trial configs, stage kinds and their config subsets, stage keys, per-mode DAGs, sweep
 * specs, failure classes and the executor contract the stage functions implement.
 */
export * from './ids.ts';
export * from './canonical-json.ts';
export * from './trial-config.ts';
export * from './stage-kind.ts';
export * from './config-subset.ts';
export * from './stage-key.ts';
export * from './dag.ts';
export * from './failures.ts';
export * from './executor.ts';
export * from './sweep-spec.ts';
