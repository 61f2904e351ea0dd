/**
 * tf.io IOHandlers for checkpoints: a local directory (`directoryIOHandler`) and a committed
 * artifact in the object store (`artifactIOHandler`). Both use the layout of
 * `checkpoint-codec.ts`: model.json + checksummed shards, exact round trip of ModelArtifacts
 * (weightSpecs, weightData as ArrayBuffer or ArrayBuffer[], userDefinedMetadata, format...).
 *
 * The training state travels inside the artifacts: the model config, iteration and RNG state
 * in `userDefinedMetadata`, optimizer slots as extra named weights (group "optimizer").
 */
import type { io } from '@tensorflow/tfjs-core';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { encodeCheckpoint, decodeCheckpoint, MODEL_JSON, DEFAULT_SHARD_BYTES, type DecodeOptions, type CheckpointSource } from './checkpoint-codec.ts';
import { ArtifactAlreadyCommittedError, ArtifactNotFoundError } from './errors.ts';
import { beginArtifact, openArtifact } from './artifact.ts';
import type { ObjectStore } from './object-store.ts';

export { MODEL_JSON, CHECKPOINT_VERSION, CHECKPOINT_MARKER } from './checkpoint-codec.ts';

export interface CheckpointHandlerOptions extends DecodeOptions {
  /** Largest weight shard in bytes. @default 64 MiB */
  shardBytes?: number;
}

/** Shard names we write; stale ones from an earlier, larger save are removed after a save. */
const OUR_SHARD = /^(weights\.bin|group1-shard\d+of\d+\.bin)$/;

function modelArtifactsInfo(a: io.ModelArtifacts): io.ModelArtifactsInfo {
  const wd = a.weightData;
  const weightDataBytes = wd === undefined ? 0 : Array.isArray(wd) ? wd.reduce((s, b) => s + b.byteLength, 0) : wd.byteLength;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: a.modelTopology === undefined ? 0 : Buffer.byteLength(JSON.stringify(a.modelTopology)),
    weightSpecsBytes: a.weightSpecs === undefined ? 0 : Buffer.byteLength(JSON.stringify(a.weightSpecs)),
    weightDataBytes,
  };
}

/**
 * A checkpoint in a local directory: `DIR/model.json` plus `DIR/weights.bin` or
 * `DIR/group1-shardNofM.bin`. Each file is written atomically and model.json last, so an
 * interrupted save leaves the previous checkpoint readable (or a checksum error, never
 * silently mixed weights).
 */
export function directoryIOHandler(dir: string, opts: CheckpointHandlerOptions = {}): io.IOHandler {
  const shardBytes = opts.shardBytes ?? DEFAULT_SHARD_BYTES;
  const src: CheckpointSource = {
    describe: (name) => join(dir, name),
    read: async (name) => new Uint8Array(await readFile(join(dir, name))),
  };
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const enc = encodeCheckpoint(artifacts, shardBytes);
      await mkdir(dir, { recursive: true });
      for (const s of enc.shards) await writeFileAtomic(join(dir, s.path), s.bytes);
      await writeFileAtomic(join(dir, MODEL_JSON), enc.modelJson);
      const keep = new Set(enc.shards.map((s) => s.path));
      for (const name of await readdir(dir)) {
        if (OUR_SHARD.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
      }
      return { modelArtifactsInfo: modelArtifactsInfo(artifacts) };
    },
    async load(): Promise<io.ModelArtifacts> {
      let json: Uint8Array;
      try {
        json = new Uint8Array(await readFile(join(dir, MODEL_JSON)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactNotFoundError(join(dir, MODEL_JSON), 'the local file system');
        throw err;
      }
      return decodeCheckpoint(json, src, opts);
    },
  };
}

export interface ArtifactCheckpointOptions extends CheckpointHandlerOptions {
  /** Attempt id the save writes under (the lease / job attempt). @default a fresh random id */
  attempt?: string;
  /** Extra fields for the artifact manifest's `meta` (stage key, iteration...). */
  meta?: Record<string, unknown>;
}

/**
 * A checkpoint as a committed artifact in the object store (see `artifact.ts`): a save
 * writes the shards and model.json under its attempt, then commits; a load reads the
 * committed attempt only. Saving over an artifact another attempt committed throws
 * `ArtifactAlreadyCommittedError` (naming the winner) and removes this attempt's files, as
 * does saving again with the attempt that committed: a committed checkpoint never changes.
 */
export function artifactIOHandler(store: ObjectStore, prefix: string, opts: ArtifactCheckpointOptions = {}): io.IOHandler {
  const shardBytes = opts.shardBytes ?? DEFAULT_SHARD_BYTES;
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const enc = encodeCheckpoint(artifacts, shardBytes);
      const attempt = opts.attempt ?? `save-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const w = await beginArtifact(store, prefix, attempt);
      for (const s of enc.shards) await w.put(s.path, s.bytes);
      await w.put(MODEL_JSON, enc.modelJson, { contentType: 'application/json' });
      const result = await w.commit({ kind: 'tfjs-checkpoint', ...opts.meta });
      if (!result.committed) {
        await w.abort();
        throw new ArtifactAlreadyCommittedError(w.prefix, w.attempt, result.winner.attempt);
      }
      return { modelArtifactsInfo: modelArtifactsInfo(artifacts) };
    },
    async load(): Promise<io.ModelArtifacts> {
      const art = await openArtifact(store, prefix);
      const src: CheckpointSource = {
        describe: (name) => `${store.location}/${art.keyOf(name)}`,
        read: (name) => art.read(name),
      };
      return decodeCheckpoint(await art.read(MODEL_JSON), src, opts);
    },
  };
}
