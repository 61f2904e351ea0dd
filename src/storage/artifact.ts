/**
 * Artifacts and their commit protocol. An artifact (a checkpoint, a proposals file set, a
 * report) lives under a prefix chosen by the orchestrator, e.g. `stages/<stageKey>`:
 *
 *   <prefix>/attempts/<attemptId>/<name>   files, written by one attempt (one lease)
 *   <prefix>/manifest.json                 written LAST, only if absent: names the attempt
 *                                          and every file with its size and SHA-256
 *
 * Readers go through the manifest only, so they never see half an artifact nor the files of
 * an attempt that did not commit. The first commit wins; a later one (a stale lease, a
 * duplicate worker) leaves the artifact untouched and is told which attempt won.
 *
 * Two ways to commit: the writer commits itself (`w.commit(meta)`), or it seals its attempt
 * (`w.seal(meta)` writes `<prefix>/sealed/<attemptId>.json`, the would-be manifest) and the
 * coordinator, after checking the lease's fencing token, calls `commitSealed(store, prefix,
 * attemptId)`: then only the coordinator decides what becomes visible. `commitAttempt` does
 * the same for an attempt folder written with plain `store.put` (no writer, no seal).
 *
 * "First wins" is atomic on the fs store (link) and on S3 servers with conditional writes
 * (If-None-Match: AWS, MinIO). On an S3 server without them, two commits racing within one
 * round trip could both report success; a single committer (the coordinator) avoids that.
 */
import { FrcnnError } from '../util/errors.ts';
import { ArtifactAlreadyCommittedError, ArtifactFileNotFoundError, ArtifactNotFoundError, ChecksumMismatchError, CorruptFileError, ForeignFormatError, InvalidKeyError } from './errors.ts';
import { sha256Hex, isSha256Hex } from './checksum.ts';
import { validateKey, joinKey } from './keys.ts';
import type { ObjectStore, PutOptions } from './object-store.ts';

export const ARTIFACT_FORMAT = 'frcnn-artifact';
export const ARTIFACT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
/** The reserved segment between an artifact prefix and its attempts. */
export const ATTEMPTS_SEGMENT = 'attempts';
/** The reserved segment holding sealed (finished, not yet committed) attempts' manifests. */
export const SEALED_SEGMENT = 'sealed';

/** An attempt id: one segment of `[A-Za-z0-9._=-]`, e.g. a lease id or `job-17.try-2`. */
export type AttemptId = string & { readonly __brand: 'AttemptId' };

export function attemptId(s: string): AttemptId {
  if (!/^[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,127}$/.test(s)) throw new InvalidKeyError(s, 'an attempt id is one key segment of [A-Za-z0-9._=-] (at most 128, no leading ".")');
  return s as AttemptId;
}

export interface ArtifactFile {
  name: string;
  size: number;
  sha256: string;
}

export interface ArtifactManifest {
  format: typeof ARTIFACT_FORMAT;
  version: typeof ARTIFACT_VERSION;
  prefix: string;
  attempt: AttemptId;
  /** ISO 8601 time of the commit. */
  committedAt: string;
  files: ArtifactFile[];
  /** Whatever the writer wants readers to know (stage key, metrics, config digest...). */
  meta: Record<string, unknown>;
}

export type CommitResult =
  | { committed: true; manifest: ArtifactManifest }
  /** Another attempt committed first; `winner` is its manifest, the artifact is unchanged. */
  | { committed: false; winner: ArtifactManifest };

export interface ArtifactWriter {
  readonly prefix: string;
  readonly attempt: AttemptId;
  /** Write one file of the artifact (at most 64 MiB; shard larger data). */
  put(name: string, bytes: Uint8Array, opts?: PutOptions): Promise<ArtifactFile>;
  /** Write the manifest, making the artifact visible, unless another attempt committed first. */
  commit(meta?: Record<string, unknown>): Promise<CommitResult>;
  /** Finish the attempt without committing: record its files for `commitSealed` (by the coordinator). */
  seal(meta?: Record<string, unknown>): Promise<ArtifactManifest>;
  /** Delete this attempt's files (a failed or superseded attempt). */
  abort(): Promise<void>;
}

export interface Artifact {
  readonly prefix: string;
  readonly manifest: ArtifactManifest;
  has(name: string): boolean;
  /** Read a file of the committed attempt, checked against the manifest's size and SHA-256. */
  read(name: string): Promise<Uint8Array>;
  /** The store key of a file (for messages). */
  keyOf(name: string): string;
}

/** Validate an artifact prefix: a key with no reserved `attempts` segment. */
export function validateArtifactPrefix(prefix: string): string {
  const p = validateKey(prefix.replace(/\/+$/, ''));
  for (const reserved of [ATTEMPTS_SEGMENT, SEALED_SEGMENT]) {
    if (p.split('/').includes(reserved)) throw new InvalidKeyError(prefix, `an artifact prefix may not contain the reserved segment "${reserved}"`);
  }
  return p;
}

const manifestKey = (prefix: string): string => `${prefix}/${MANIFEST_NAME}`;
const attemptPrefix = (prefix: string, attempt: string): string => `${prefix}/${ATTEMPTS_SEGMENT}/${attempt}`;
const sealKey = (prefix: string, attempt: string): string => `${prefix}/${SEALED_SEGMENT}/${attempt}.json`;
const encodeJson = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x, null, 1));

/**
 * Make `draft` the artifact's manifest unless one exists; every file it names must be in the
 * store with its size. Returns who won.
 */
async function commitDraft(store: ObjectStore, draft: ArtifactManifest): Promise<CommitResult> {
  const { prefix: p, attempt: a } = draft;
  const base = attemptPrefix(p, a);
  for (const f of draft.files) {
    const h = await store.head(joinKey(base, f.name));
    if (!h || h.size !== f.size) throw new FrcnnError(`artifact ${p} attempt ${a}: file ${f.name} is missing or changed in ${store.location}; not committing`);
  }
  const manifest: ArtifactManifest = { ...draft, committedAt: new Date().toISOString() };
  await store.putIfAbsent(manifestKey(p), encodeJson(manifest), { contentType: 'application/json' });
  // Read back: on an S3 server without conditional writes two racing commits could both
  // "succeed"; whichever manifest is there now is the one readers see.
  const current = await readManifest(store, p);
  if (!current) throw new FrcnnError(`artifact ${p}: manifest vanished right after commit in ${store.location}`);
  return current.attempt === a ? { committed: true, manifest: current } : { committed: false, winner: current };
}

/**
 * Commit whatever attempt `attempt` wrote under `<prefix>/attempts/<attempt>/`, by listing it
 * (for writers that used plain `store.put` into their attempt folder; the coordinator calls
 * this after checking the lease). An attempt folder with no files is refused.
 */
export async function commitAttempt(store: ObjectStore, prefix: string, attempt: string, meta: Record<string, unknown> = {}): Promise<CommitResult> {
  const p = validateArtifactPrefix(prefix);
  const a = attemptId(attempt);
  const base = `${attemptPrefix(p, a)}/`;
  const files: ArtifactFile[] = [];
  for await (const o of store.list(base)) {
    // S3 listings carry no user metadata: ask for the checksum the object was written with.
    const sha256 = o.sha256 ?? (await store.head(o.key))?.sha256;
    if (!sha256) throw new CorruptFileError(`${store.location}/${o.key}`, 'has no checksum (not written through the object store)');
    files.push({ name: o.key.slice(base.length), size: o.size, sha256 });
  }
  if (files.length === 0) throw new ArtifactNotFoundError(`${p} (attempt ${a} wrote no files)`, store.location);
  return commitDraft(store, { format: ARTIFACT_FORMAT, version: ARTIFACT_VERSION, prefix: p, attempt: a, committedAt: '', files, meta });
}

/**
 * Commit an attempt its writer sealed (the coordinator's side of the protocol, called after
 * it has checked the attempt's lease). Throws ArtifactNotFoundError if the attempt was never
 * sealed.
 */
export async function commitSealed(store: ObjectStore, prefix: string, attempt: string): Promise<CommitResult> {
  const p = validateArtifactPrefix(prefix);
  const a = attemptId(attempt);
  const key = sealKey(p, a);
  if (!(await store.exists(key))) throw new ArtifactNotFoundError(`${p} (attempt ${a} is not sealed)`, store.location);
  const draft = parseManifest(await store.get(key), `${store.location}/${key}`, p);
  if (draft.attempt !== a) throw new CorruptFileError(`${store.location}/${key}`, `seal names attempt ${draft.attempt}`);
  return commitDraft(store, draft);
}

/**
 * Start writing attempt `attempt` of the artifact at `prefix`. Throws
 * ArtifactAlreadyCommittedError if this very attempt already committed it; other attempts may
 * write (into their own folder) and learn at `commit` that they lost.
 */
export async function beginArtifact(store: ObjectStore, prefix: string, attempt: string): Promise<ArtifactWriter> {
  const p = validateArtifactPrefix(prefix);
  const a = attemptId(attempt);
  const base = attemptPrefix(p, a);
  // Rewriting the files of the committed attempt would change a committed artifact.
  const existing = await readManifest(store, p);
  if (existing?.attempt === a) throw new ArtifactAlreadyCommittedError(p, a, a);
  const files = new Map<string, ArtifactFile>();
  let state: 'open' | 'sealed' | 'committed' | 'aborted' = 'open';
  const draft = (meta: Record<string, unknown>): ArtifactManifest => ({
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    prefix: p,
    attempt: a,
    committedAt: '',
    files: [...files.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    meta,
  });
  return {
    prefix: p,
    attempt: a,
    async put(name, bytes, opts) {
      if (state !== 'open') throw new FrcnnError(`artifact ${p} attempt ${a} is ${state}; no more files can be added`);
      const info = await store.put(joinKey(base, name), bytes, opts);
      const file = { name, size: info.size, sha256: info.sha256 ?? sha256Hex(bytes) };
      files.set(name, file);
      return file;
    },
    async commit(meta = {}) {
      if (state === 'aborted') throw new FrcnnError(`artifact ${p} attempt ${a} was aborted; it cannot commit`);
      const result = await commitDraft(store, draft(meta));
      state = 'committed';
      return result;
    },
    async seal(meta = {}) {
      if (state === 'aborted') throw new FrcnnError(`artifact ${p} attempt ${a} was aborted; it cannot be sealed`);
      const d = draft(meta);
      await store.put(sealKey(p, a), encodeJson(d), { contentType: 'application/json' });
      state = 'sealed';
      return d;
    },
    async abort() {
      state = 'aborted';
      await store.deletePrefix(`${base}/`);
      await store.delete(sealKey(p, a));
    },
  };
}

async function readManifest(store: ObjectStore, prefix: string): Promise<ArtifactManifest | undefined> {
  const key = manifestKey(prefix);
  if (!(await store.exists(key))) return undefined;
  const bytes = await store.get(key);
  return parseManifest(bytes, `${store.location}/${key}`, prefix);
}

/** Parse and check a manifest (exported for tests). */
export function parseManifest(bytes: Uint8Array, where: string, prefix: string): ArtifactManifest {
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ForeignFormatError(where, `not a JSON artifact manifest (${(err as Error).message})`, { cause: err });
  }
  const r = m as Partial<ArtifactManifest> | null;
  if (!r || typeof r !== 'object' || r.format !== ARTIFACT_FORMAT) throw new ForeignFormatError(where, `not an frcnn artifact manifest (format ${JSON.stringify(r?.format ?? null)})`);
  if (r.version !== ARTIFACT_VERSION) throw new ForeignFormatError(where, `artifact manifest version ${JSON.stringify(r.version)}; this build reads version ${ARTIFACT_VERSION}`);
  if (typeof r.attempt !== 'string' || !Array.isArray(r.files) || typeof r.meta !== 'object' || r.meta === null) throw new CorruptFileError(where, 'manifest needs attempt, files and meta');
  attemptId(r.attempt);
  if (r.prefix !== prefix) throw new CorruptFileError(where, `manifest is for artifact ${JSON.stringify(r.prefix)}, found at ${JSON.stringify(prefix)} (copied by hand?)`);
  r.files.forEach((f, i) => {
    if (!f || typeof f.name !== 'string' || !Number.isInteger(f.size) || !isSha256Hex(f.sha256)) throw new CorruptFileError(where, `files[${i}] needs name, size and sha256`);
  });
  return r as ArtifactManifest;
}

/** The committed artifact at `prefix`, or undefined when none is committed. */
export async function tryOpenArtifact(store: ObjectStore, prefix: string): Promise<Artifact | undefined> {
  const p = validateArtifactPrefix(prefix);
  const manifest = await readManifest(store, p);
  if (!manifest) return undefined;
  const byName = new Map(manifest.files.map((f) => [f.name, f]));
  const base = attemptPrefix(p, manifest.attempt);
  const keyOf = (name: string): string => joinKey(base, name);
  return {
    prefix: p,
    manifest,
    has: (name) => byName.has(name),
    keyOf,
    async read(name) {
      const f = byName.get(name);
      if (!f) throw new ArtifactFileNotFoundError(p, name);
      // The store verified the bytes against the checksum stored with them; comparing that
      // checksum with the manifest's binds the object to this commit without a second hash.
      const { bytes, sha256 } = await store.getWithChecksum(keyOf(name));
      if (sha256 !== f.sha256) throw new ChecksumMismatchError(keyOf(name), f.sha256, sha256, store.location);
      return bytes;
    },
  };
}

/** The committed artifact at `prefix`; throws ArtifactNotFoundError when none is committed. */
export async function openArtifact(store: ObjectStore, prefix: string): Promise<Artifact> {
  const a = await tryOpenArtifact(store, prefix);
  if (!a) throw new ArtifactNotFoundError(prefix, store.location);
  return a;
}

/**
 * Delete the files of every attempt at `prefix` except the committed one and those in
 * `keep` (attempts still running). Returns the deleted attempt ids.
 */
export async function cleanupAttempts(store: ObjectStore, prefix: string, keep: Iterable<string> = []): Promise<string[]> {
  const p = validateArtifactPrefix(prefix);
  const committed = (await readManifest(store, p))?.attempt;
  const spare = new Set<string>(keep);
  if (committed) spare.add(committed);
  const attemptsRoot = `${p}/${ATTEMPTS_SEGMENT}/`;
  const sealedRoot = `${p}/${SEALED_SEGMENT}/`;
  const seen = new Set<string>();
  for await (const o of store.list(attemptsRoot)) seen.add(o.key.slice(attemptsRoot.length).split('/')[0]);
  for await (const o of store.list(sealedRoot)) seen.add(o.key.slice(sealedRoot.length).replace(/\.json$/, ''));
  const deleted: string[] = [];
  for (const a of [...seen].sort()) {
    if (spare.has(a)) continue;
    await store.deletePrefix(`${attemptsRoot}${a}/`);
    await store.delete(sealKey(p, a));
    deleted.push(a);
  }
  return deleted;
}

/** Delete an artifact: the manifest first (so it disappears at once for readers), then its files. */
export async function deleteArtifact(store: ObjectStore, prefix: string): Promise<number> {
  const p = validateArtifactPrefix(prefix);
  await store.delete(manifestKey(p));
  return 1 + (await store.deletePrefix(`${p}/${ATTEMPTS_SEGMENT}/`)) + (await store.deletePrefix(`${p}/${SEALED_SEGMENT}/`));
}

/** Every artifact prefix under `root` (committed or not), found from its manifest or attempt files. */
export async function listArtifacts(store: ObjectStore, root: string): Promise<Array<{ prefix: string; committed: boolean }>> {
  const found = new Map<string, boolean>();
  const markers = [`/${ATTEMPTS_SEGMENT}/`, `/${SEALED_SEGMENT}/`];
  for await (const o of store.list(root)) {
    const i = Math.min(...markers.map((m) => o.key.indexOf(m)).filter((x) => x > 0));
    if (Number.isFinite(i)) {
      const p = o.key.slice(0, i);
      if (!found.has(p)) found.set(p, false);
    } else if (o.key.endsWith(`/${MANIFEST_NAME}`)) {
      found.set(o.key.slice(0, -MANIFEST_NAME.length - 1), true);
    }
  }
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([prefix, committed]) => ({ prefix, committed }));
}

/**
 * Garbage collection for the coordinator: delete every artifact under `root` whose prefix is
 * not in `keep` (final models, checkpoints of running stages, anything still needed).
 * `dryRun` reports without deleting.
 */
export async function gcArtifacts(store: ObjectStore, root: string, keep: Iterable<string>, opts: { dryRun?: boolean } = {}): Promise<{ deleted: string[]; kept: string[] }> {
  const keepSet = new Set([...keep].map((k) => k.replace(/\/+$/, '')));
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const { prefix } of await listArtifacts(store, root)) {
    if (keepSet.has(prefix)) {
      kept.push(prefix);
      continue;
    }
    if (!opts.dryRun) await deleteArtifact(store, prefix);
    deleted.push(prefix);
  }
  return { deleted, kept };
}
