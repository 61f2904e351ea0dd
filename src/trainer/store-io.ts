/**
 * Stage files in the object store under a plain prefix (an attempt folder, which the
 * orchestrator commits as a whole): checkpoints through a tf.io handler in the storage
 * module's checkpoint layout, and proposal/detection boxes files. Stage functions must not
 * write src/storage manifests (see src/pipeline/executor.ts), so these handlers never commit.
 */
import type { io } from '@tensorflow/tfjs-core';
import { decodeCheckpoint, encodeCheckpoint, MODEL_JSON } from '../storage/checkpoint-codec.ts';
import { ObjectNotFoundError } from '../storage/errors.ts';
import { openBoxesFile, type BoxesKind, type BoxesReader } from '../storage/formats/boxes-file.ts';
import { joinKey } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { prefixFiles, type PrefixFiles } from '../storage/prefix-io.ts';

/** `a/b/` + `c/` → `a/b/c/`: prefixes end in `/`, as `ctx.artifactPrefix` does. */
export function subPrefix(prefix: string, name: string): string {
  return `${joinKey(prefix, name)}/`;
}

/** Files under `prefix` (with or without a trailing `/`). */
export function filesAt(store: ObjectStore, prefix: string): PrefixFiles {
  return prefixFiles(store, prefix.replace(/\/+$/, ''));
}

/**
 * A checkpoint at a plain store prefix: shards first, model.json last, so a reader that finds
 * model.json finds complete shards (each checked against the SHA-256 model.json lists).
 */
export function storeCheckpointHandler(store: ObjectStore, prefix: string): io.IOHandler {
  const files = filesAt(store, prefix);
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const enc = encodeCheckpoint(artifacts);
      for (const s of enc.shards) await files.put(s.path, s.bytes);
      await files.put(MODEL_JSON, enc.modelJson, { contentType: 'application/json' });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: enc.shards.reduce((n, s) => n + s.bytes.byteLength, 0) } };
    },
    async load(): Promise<io.ModelArtifacts> {
      const json = await files.read(MODEL_JSON);
      return decodeCheckpoint(json, { read: (name) => files.read(name), describe: (name) => `${store.location}/${files.keyOf(name)}` });
    },
  };
}

/** Whether a checkpoint (its model.json) exists at `prefix`. */
export function hasCheckpoint(store: ObjectStore, prefix: string): Promise<boolean> {
  return store.exists(filesAt(store, prefix).keyOf(MODEL_JSON));
}

/** A boxes file (proposals or detections) under `prefix`; errors name the store key. */
export async function openBoxesAt(store: ObjectStore, prefix: string, kind: BoxesKind): Promise<BoxesReader> {
  try {
    return await openBoxesFile(filesAt(store, prefix), kind);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new ObjectNotFoundError(`${prefix} (${kind} of an input stage)`, store.location, { cause: err });
    throw err;
  }
}

/** Small JSON files (stage metadata) under a prefix. */
export async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`), { contentType: 'application/json' });
}

export async function getJson<T>(store: ObjectStore, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
}
