/**
 * The checkpoint layout shared by the directory and object-store IOHandlers: the standard
 * tfjs weights layout (`model.json` with `weightsManifest`, then `weights.bin` or
 * `group1-shardNofM.bin`), plus an `frcnnCheckpoint` section in model.json that marks the
 * format version, lists every shard with its size and SHA-256, and records how `weightData`
 * was split (one ArrayBuffer or an ArrayBuffer[] of given sizes) so a load returns exactly
 * what was saved. Plain tfjs tools ignore the extra section and still read the files.
 */
import type { io } from '@tensorflow/tfjs-core';
import { FrcnnError } from '../util/errors.ts';
import { sha256Hex, isSha256Hex } from './checksum.ts';
import { ChecksumMismatchError, CorruptFileError, ForeignFormatError } from './errors.ts';

export const MODEL_JSON = 'model.json';
/** The key of our section in model.json. */
export const CHECKPOINT_MARKER = 'frcnnCheckpoint';
export const CHECKPOINT_VERSION = 1;
/** Default shard size: the per-object limit of the store (64 MiB). */
export const DEFAULT_SHARD_BYTES = 64 * 1024 * 1024;

type Artifacts = io.ModelArtifacts;
type WeightSpec = io.WeightsManifestEntry;

/** How `weightData` was given: absent, one ArrayBuffer, or an ArrayBuffer[] with these byte sizes. */
export type WeightLayout = { kind: 'none' } | { kind: 'buffer' } | { kind: 'parts'; sizes: number[] };

export interface ShardRecord {
  path: string;
  bytes: number;
  sha256: string;
}

export interface CheckpointMarker {
  version: number;
  layout: WeightLayout;
  shards: ShardRecord[];
}

export interface EncodedCheckpoint {
  /** The bytes of model.json (write it last). */
  modelJson: Uint8Array;
  /** Weight shards, in order. */
  shards: Array<{ path: string; bytes: Uint8Array }>;
}

/** The ModelArtifacts fields stored verbatim in model.json. */
const JSON_FIELDS = [
  'modelTopology',
  'trainingConfig',
  'format',
  'generatedBy',
  'convertedBy',
  'signature',
  'userDefinedMetadata',
  'modelInitializer',
  'initializerSignature',
] as const;

/** A shard file name: a plain base name, no directories. */
const SHARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function shardName(i: number, n: number): string {
  return n === 1 ? 'weights.bin' : `group1-shard${i + 1}of${n}.bin`;
}

/** Split the concatenation of `parts` into consecutive chunks of at most `shardBytes`, copying only chunks that straddle parts. */
export function splitIntoShards(parts: ArrayBuffer[], shardBytes: number): Uint8Array[] {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out: Uint8Array[] = [];
  let part = 0;
  let offsetInPart = 0;
  for (let start = 0; start < total; start += shardBytes) {
    const len = Math.min(shardBytes, total - start);
    while (parts[part].byteLength - offsetInPart === 0) {
      part++;
      offsetInPart = 0;
    }
    if (parts[part].byteLength - offsetInPart >= len) {
      out.push(new Uint8Array(parts[part], offsetInPart, len));
      offsetInPart += len;
      continue;
    }
    const chunk = new Uint8Array(len);
    let filled = 0;
    while (filled < len) {
      const avail = parts[part].byteLength - offsetInPart;
      if (avail === 0) {
        part++;
        offsetInPart = 0;
        continue;
      }
      const take = Math.min(avail, len - filled);
      chunk.set(new Uint8Array(parts[part], offsetInPart, take), filled);
      filled += take;
      offsetInPart += take;
    }
    out.push(chunk);
  }
  return out;
}

/** Turn ModelArtifacts into model.json bytes and weight shards of at most `shardBytes`. */
export function encodeCheckpoint(artifacts: Artifacts, shardBytes = DEFAULT_SHARD_BYTES): EncodedCheckpoint {
  if (!(Number.isInteger(shardBytes) && shardBytes > 0)) throw new FrcnnError(`shardBytes must be a positive integer, got ${shardBytes}`);
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new FrcnnError('checkpoint: binary (GraphDef) model topologies are not supported; give a JSON topology or none');
  }
  const wd = artifacts.weightData;
  if (wd !== undefined && artifacts.weightSpecs === undefined) throw new FrcnnError('checkpoint: weightData given without weightSpecs');
  const layout: WeightLayout = wd === undefined ? { kind: 'none' } : Array.isArray(wd) ? { kind: 'parts', sizes: wd.map((b) => b.byteLength) } : { kind: 'buffer' };
  const parts = wd === undefined ? [] : Array.isArray(wd) ? wd : [wd];
  const chunks = splitIntoShards(parts, shardBytes);
  const shards = chunks.map((bytes, i) => ({ path: shardName(i, chunks.length), bytes }));
  const marker: CheckpointMarker = {
    version: CHECKPOINT_VERSION,
    layout,
    shards: shards.map((s) => ({ path: s.path, bytes: s.bytes.byteLength, sha256: sha256Hex(s.bytes) })),
  };
  const json: Record<string, unknown> = {};
  for (const f of JSON_FIELDS) if (artifacts[f] !== undefined) json[f] = artifacts[f];
  json.weightsManifest = artifacts.weightSpecs === undefined ? [] : [{ paths: shards.map((s) => s.path), weights: artifacts.weightSpecs }];
  json[CHECKPOINT_MARKER] = marker;
  return { modelJson: new TextEncoder().encode(JSON.stringify(json)), shards };
}

export interface DecodeOptions {
  /**
   * Accept a plain tfjs model.json without our section (e.g. ImageNet weights converted by
   * tfjs tools): shards are read as listed, without checksums. Default false.
   */
  allowForeign?: boolean;
}

/** Reads one file of the checkpoint by its name in the manifest; `describe` names it for errors. */
export interface CheckpointSource {
  read(name: string): Promise<Uint8Array>;
  describe(name: string): string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the specs need, or undefined when a string tensor makes it data-dependent. */
function expectedWeightBytes(specs: WeightSpec[]): number | undefined {
  let total = 0;
  for (const s of specs) {
    const dtype = s.quantization?.dtype ?? s.dtype;
    const size = DTYPE_BYTES[dtype];
    if (size === undefined) return undefined;
    total += s.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

function parseSpecs(where: string, manifest: unknown): { specs: WeightSpec[] | undefined; paths: string[] } {
  if (!Array.isArray(manifest)) throw new ForeignFormatError(where, 'weightsManifest is missing or not an array');
  if (manifest.length === 0) return { specs: undefined, paths: [] };
  const specs: WeightSpec[] = [];
  const paths: string[] = [];
  manifest.forEach((group, g) => {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new CorruptFileError(where, `weightsManifest[${g}] needs "paths" and "weights" arrays`);
    }
    group.paths.forEach((p, i) => {
      if (typeof p !== 'string' || !SHARD_NAME.test(p)) {
        throw new CorruptFileError(where, `weightsManifest[${g}].paths[${i}] = ${JSON.stringify(p)} is not a plain file name`);
      }
      paths.push(p);
    });
    group.weights.forEach((w, i) => {
      if (!isRecord(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string' || !w.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw new CorruptFileError(where, `weightsManifest[${g}].weights[${i}] is not a weight spec {name, shape, dtype}`);
      }
      specs.push(w as unknown as WeightSpec);
    });
  });
  return { specs, paths };
}

function parseMarker(where: string, m: unknown): CheckpointMarker {
  if (!isRecord(m)) throw new ForeignFormatError(where, `"${CHECKPOINT_MARKER}" is not an object`);
  if (m.version !== CHECKPOINT_VERSION) {
    throw new ForeignFormatError(where, `checkpoint format version ${JSON.stringify(m.version)}; this build reads version ${CHECKPOINT_VERSION}`);
  }
  const layout = m.layout;
  const okLayout =
    isRecord(layout) &&
    (layout.kind === 'none' || layout.kind === 'buffer' || (layout.kind === 'parts' && Array.isArray(layout.sizes) && layout.sizes.every((n) => Number.isInteger(n) && (n as number) >= 0)));
  if (!okLayout) throw new CorruptFileError(where, `${CHECKPOINT_MARKER}.layout is malformed`);
  if (!Array.isArray(m.shards)) throw new CorruptFileError(where, `${CHECKPOINT_MARKER}.shards is not an array`);
  m.shards.forEach((s, i) => {
    if (!isRecord(s) || typeof s.path !== 'string' || !Number.isInteger(s.bytes) || !isSha256Hex(s.sha256)) {
      throw new CorruptFileError(where, `${CHECKPOINT_MARKER}.shards[${i}] needs {path, bytes, sha256}`);
    }
  });
  return m as unknown as CheckpointMarker;
}

/** Concatenate chunks into byte ranges of the given sizes (each a fresh, exact ArrayBuffer). */
function regroup(chunks: Uint8Array[], sizes: number[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  let c = 0;
  let off = 0;
  for (const size of sizes) {
    const buf = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const avail = chunks[c].byteLength - off;
      if (avail === 0) {
        c++;
        off = 0;
        continue;
      }
      const take = Math.min(avail, size - filled);
      buf.set(chunks[c].subarray(off, off + take), filled);
      filled += take;
      off += take;
    }
    out.push(buf.buffer);
  }
  return out;
}

/** Read a checkpoint back: parse model.json, fetch and verify each shard, rebuild `weightData` as saved. */
export async function decodeCheckpoint(modelJson: Uint8Array, src: CheckpointSource, opts: DecodeOptions = {}): Promise<Artifacts> {
  const where = src.describe(MODEL_JSON);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(modelJson));
  } catch (err) {
    throw new ForeignFormatError(where, `not a JSON model file (${(err as Error).message})`, { cause: err });
  }
  if (!isRecord(json)) throw new ForeignFormatError(where, 'not a JSON object');
  const { specs, paths } = parseSpecs(where, json.weightsManifest);

  const artifacts: Artifacts = {};
  for (const f of JSON_FIELDS) if (json[f] !== undefined) (artifacts as Record<string, unknown>)[f] = json[f];

  const markerRaw = json[CHECKPOINT_MARKER];
  if (markerRaw === undefined) {
    if (!opts.allowForeign) {
      throw new ForeignFormatError(where, `not an frcnn checkpoint (no "${CHECKPOINT_MARKER}" section; format ${JSON.stringify(json.format ?? null)}); load plain tfjs models with allowForeign`);
    }
    if (specs !== undefined) {
      artifacts.weightSpecs = specs;
      const chunks = await Promise.all(paths.map((p) => src.read(p)));
      artifacts.weightData = regroup(chunks, [chunks.reduce((s, c) => s + c.byteLength, 0)])[0];
      checkSize(where, specs, artifacts.weightData.byteLength);
    }
    return artifacts;
  }

  const marker = parseMarker(where, markerRaw);
  const listed = marker.shards.map((s) => s.path);
  if (listed.length !== paths.length || listed.some((p, i) => p !== paths[i])) {
    throw new CorruptFileError(where, `weightsManifest paths ${JSON.stringify(paths)} differ from the checksummed shards ${JSON.stringify(listed)}`);
  }
  const chunks = await Promise.all(
    marker.shards.map(async (s) => {
      const bytes = await src.read(s.path);
      const name = src.describe(s.path);
      if (bytes.byteLength !== s.bytes) throw new CorruptFileError(name, `${bytes.byteLength} bytes, model.json says ${s.bytes} (truncated or replaced)`);
      const actual = sha256Hex(bytes);
      if (actual !== s.sha256) throw new ChecksumMismatchError(name, s.sha256, actual);
      return bytes;
    }),
  );
  const total = chunks.reduce((s, c) => s + c.byteLength, 0);
  if (specs !== undefined) artifacts.weightSpecs = specs;
  const layout = marker.layout;
  if (layout.kind === 'none') {
    if (total !== 0) throw new CorruptFileError(where, `has ${total} weight bytes but records no weight data`);
    return artifacts;
  }
  const sizes = layout.kind === 'buffer' ? [total] : layout.sizes;
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum !== total) throw new CorruptFileError(where, `weight layout sums to ${sum} bytes, shards hold ${total}`);
  const buffers = regroup(chunks, sizes);
  artifacts.weightData = layout.kind === 'buffer' ? buffers[0] : buffers;
  if (specs !== undefined) checkSize(where, specs, total);
  return artifacts;
}

function checkSize(where: string, specs: WeightSpec[], actual: number): void {
  const expected = expectedWeightBytes(specs);
  if (expected !== undefined && expected !== actual) {
    throw new CorruptFileError(where, `weight specs need ${expected} bytes, the shards hold ${actual}`);
  }
}
