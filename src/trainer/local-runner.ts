/**
 * Runs a whole trial on this machine through the same stage functions the workers run:
 * the trial DAG (src/pipeline/dag.ts) in topological order, each stage as attempt
 * `stages/<key>/attempts/a<n>/`. After a stage returns, the runner commits its attempt by
 * writing the storage manifest `stages/<key>/manifest.json` (first commit wins, as
 * src/storage's artifact protocol) with the stage's result in `meta`; a rerun finds the
 * manifest and skips the stage. The last checkpoint a running stage reports goes to
 * `stages/<key>/checkpoint.json`, so a rerun after a crash resumes the stage from it. Once a
 * stage commits, its checkpoints and the folders of its failed attempts are deleted.
 */
import type { StageNode, TrialDag } from '../pipeline/dag.ts';
import { buildTrialDag } from '../pipeline/dag.ts';
import { attemptIdOf, attemptPrefix, stagePrefix, type ExecutorRegistry, type InputArtifact, type JsonObject, type StageContext, type StageJob, type StageProgress } from '../pipeline/executor.ts';
import { jobIdOf, type StageKey } from '../pipeline/ids.ts';
import type { StageKind } from '../pipeline/stage-kind.ts';
import type { TrialConfig } from '../pipeline/trial-config.ts';
import { ARTIFACT_FORMAT, ARTIFACT_VERSION, cleanupAttempts, tryOpenArtifact, type ArtifactFile, type ArtifactManifest } from '../storage/artifact.ts';
import { listAll, type ObjectStore } from '../storage/object-store.ts';
import { FrcnnError } from '../util/errors.ts';
import { logger, type Logger } from '../util/log.ts';
import { createProgress, type Progress, type ProgressOptions } from '../util/progress.ts';
import { CHECKPOINTS_DIR } from './model-artifact.ts';
import { allExecutors } from './stages/index.ts';
import { getJson, putJson } from './store-io.ts';

export const CHECKPOINT_RECORD = 'checkpoint.json';

export interface CheckpointRecord {
  stageKey: string;
  attempt: number;
  ref: string;
  /** ISO time the checkpoint was reported. */
  at: string;
}

export type StageStatus = 'skipped' | 'ran' | 'resumed';

export interface StageRun {
  name: string;
  kind: StageKind;
  key: StageKey;
  status: StageStatus;
  /** Attempt that produced the committed output. */
  attempt: number;
  /** Wall time in this run (0 when skipped). */
  seconds: number;
  /** The checkpoint a resumed stage started from. */
  resumedFrom?: string;
  result: JsonObject;
  prefix: string;
}

export type RunnerEvent =
  | { type: 'skip'; node: StageNode; attempt: number }
  | { type: 'start'; node: StageNode; attempt: number; resumeFrom?: string }
  | { type: 'checkpoint'; node: StageNode; ref: string }
  | { type: 'done'; node: StageNode; run: StageRun };

export interface LocalRunOptions {
  config: TrialConfig;
  store: ObjectStore;
  /** @default every built-in stage function */
  executors?: ExecutorRegistry<ObjectStore>;
  /** Progress of the running stage. */
  onProgress?: (node: StageNode, p: StageProgress) => void;
  onEvent?: (e: RunnerEvent) => void;
  /** Draws a progress bar/line per stage on stderr. @default 'silent' when onProgress is given, else automatic */
  progress?: ProgressOptions['mode'];
  signal?: AbortSignal;
  log?: Logger;
}

export interface LocalRunResult {
  dag: TrialDag;
  stages: StageRun[];
  /** The committed output of the final model stage and of evaluate. */
  modelPrefix: string;
  evaluation: JsonObject;
  wallSeconds: number;
}

/** `stages/<key>` (the artifact prefix) → the committed attempt and result, if any. */
export async function committedStage(store: ObjectStore, key: StageKey): Promise<{ attempt: number; prefix: string; result: JsonObject } | undefined> {
  const art = await tryOpenArtifact(store, stagePrefix(key));
  if (!art) return undefined;
  const attempt = Number(art.manifest.attempt.replace(/^a/, ''));
  return { attempt, prefix: attemptPrefix(key, attempt), result: (art.manifest.meta.result ?? {}) as JsonObject };
}

/** The highest attempt number that wrote anything for `key`. */
async function lastAttempt(store: ObjectStore, key: StageKey): Promise<number> {
  const root = `${stagePrefix(key)}/attempts/`;
  let max = 0;
  for (const o of await listAll(store, root)) {
    const m = /^a(\d+)\//.exec(o.key.slice(root.length));
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

async function checkpointRecord(store: ObjectStore, key: StageKey): Promise<CheckpointRecord | undefined> {
  const at = `${stagePrefix(key)}/${CHECKPOINT_RECORD}`;
  if (!(await store.exists(at))) return undefined;
  const rec = await getJson<CheckpointRecord>(store, at);
  // A record whose checkpoint is gone (collected by hand) is as good as none.
  return (await store.exists(`${rec.ref}model.json`)) ? rec : undefined;
}

/**
 * Commit attempt `attempt` of `key`: a storage manifest naming every file of the attempt
 * folder with its size and SHA-256, and the stage's result in `meta`. Returns the winner's
 * attempt (another process may have committed first).
 */
export async function commitAttempt(store: ObjectStore, node: StageNode, attempt: number, result: JsonObject): Promise<number> {
  const prefix = stagePrefix(node.key);
  const folder = attemptPrefix(node.key, attempt);
  const files: ArtifactFile[] = [];
  for (const o of await listAll(store, folder)) {
    const info = o.sha256 ? o : await store.head(o.key);
    if (!info?.sha256) throw new FrcnnError(`commit of ${node.name}: no checksum for ${o.key} in ${store.location}`);
    files.push({ name: o.key.slice(folder.length), size: info.size, sha256: info.sha256 });
  }
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    prefix,
    attempt: attemptIdOf(attempt) as ArtifactManifest['attempt'],
    committedAt: new Date().toISOString(),
    files,
    meta: { stageKey: node.key, kind: node.spec.kind, name: node.name, spec: node.spec, result },
  };
  await store.putIfAbsent(`${prefix}/manifest.json`, new TextEncoder().encode(JSON.stringify(manifest, null, 1)), { contentType: 'application/json' });
  const winner = await committedStage(store, node.key);
  if (!winner) throw new FrcnnError(`commit of ${node.name}: manifest vanished from ${store.location}`);
  return winner.attempt;
}

export async function runPipelineLocally(opts: LocalRunOptions): Promise<LocalRunResult> {
  const started = performance.now();
  const { store, config } = opts;
  const executors = opts.executors ?? allExecutors();
  const log = opts.log ?? logger('local-runner');
  const signal = opts.signal ?? new AbortController().signal;
  const progressMode = opts.progress ?? (opts.onProgress ? 'silent' : undefined);
  const dag = buildTrialDag(config);
  const done = new Map<StageKey, InputArtifact>();
  const runs: StageRun[] = [];

  for (const node of dag.nodes) {
    if (signal.aborted) throw signal.reason;
    const committed = await committedStage(store, node.key);
    if (committed) {
      done.set(node.key, { stageKey: node.key, prefix: committed.prefix, result: committed.result });
      runs.push({ name: node.name, kind: node.spec.kind, key: node.key, status: 'skipped', attempt: committed.attempt, seconds: 0, result: committed.result, prefix: committed.prefix });
      opts.onEvent?.({ type: 'skip', node, attempt: committed.attempt });
      continue;
    }
    const executor = executors[node.spec.kind];
    if (!executor) throw new FrcnnError(`no stage function for kind ${node.spec.kind} (stage ${node.name})`);
    const inputs: Record<string, InputArtifact> = {};
    for (const [role, key] of Object.entries(node.inputs)) {
      const a = done.get(key);
      if (!a) throw new FrcnnError(`stage ${node.name}: input ${role} (${key}) has not run; the DAG is not in topological order`);
      inputs[role] = a;
    }
    const resume = await checkpointRecord(store, node.key);
    const attempt = (await lastAttempt(store, node.key)) + 1;
    const job = {
      jobId: jobIdOf(node.key, attempt),
      stageKey: node.key,
      attempt,
      spec: node.spec,
      config: node.config,
      inputs,
      resumeFrom: resume?.ref,
      trialIds: [],
      sweepIds: [],
    } as unknown as StageJob<StageKind>;
    let progress: Progress | undefined;
    let records: Promise<void> = Promise.resolve();
    const ctx: StageContext<ObjectStore> = {
      store,
      artifactPrefix: attemptPrefix(node.key, attempt),
      artifact: { prefix: stagePrefix(node.key), attempt: attemptIdOf(attempt) },
      checkpointEvery: config.checkpointEvery,
      progress(p) {
        opts.onProgress?.(node, p);
        progress ??= createProgress({ label: node.name, total: p.total, unit: p.unit, mode: progressMode });
        const fields: Record<string, string | number> = { ...(p.losses ?? {}) };
        if (p.message) fields.info = p.message;
        progress.update(p.done, fields);
      },
      checkpoint(ref) {
        const rec: CheckpointRecord = { stageKey: node.key, attempt, ref, at: new Date().toISOString() };
        // Recorded in order, and announced once durable; the stage's result waits for the last write.
        records = records.then(async () => {
          await putJson(store, `${stagePrefix(node.key)}/${CHECKPOINT_RECORD}`, rec);
          opts.onEvent?.({ type: 'checkpoint', node, ref });
        });
        return records;
      },
      signal,
      log: log.child({ stage: node.name, stageKey: node.key.slice(0, 12), attempt }),
    };
    opts.onEvent?.({ type: 'start', node, attempt, resumeFrom: resume?.ref });
    const t0 = performance.now();
    let result: JsonObject;
    try {
      result = (await executor.run(job as never, ctx)).result;
    } catch (err) {
      await records.catch(() => undefined);
      if (err instanceof Error && !signal.aborted) err.message = `stage ${node.name} (${node.spec.kind}): ${err.message}`;
      throw err;
    } finally {
      progress?.stop();
    }
    await records;
    // A finished stage needs its checkpoints no more (DESIGN: keep final models only).
    await store.deletePrefix(`${ctx.artifactPrefix}${CHECKPOINTS_DIR}/`);
    const winner = await commitAttempt(store, node, attempt, result);
    await cleanupAttempts(store, stagePrefix(node.key));
    await store.delete(`${stagePrefix(node.key)}/${CHECKPOINT_RECORD}`);
    const prefix = attemptPrefix(node.key, winner);
    const run: StageRun = {
      name: node.name,
      kind: node.spec.kind,
      key: node.key,
      status: resume ? 'resumed' : 'ran',
      attempt: winner,
      seconds: (performance.now() - t0) / 1000,
      resumedFrom: resume?.ref,
      result,
      prefix,
    };
    done.set(node.key, { stageKey: node.key, prefix, result });
    runs.push(run);
    opts.onEvent?.({ type: 'done', node, run });
  }
  const evaluation = done.get(dag.sink)!.result;
  return { dag, stages: runs, modelPrefix: done.get(dag.model)!.prefix, evaluation, wallSeconds: (performance.now() - started) / 1000 };
}
