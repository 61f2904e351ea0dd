/**
 * Where a stage finds its images. A trial's `dataset.root` is either a local VOC tree (a
 * directory path) or `store:<prefix>`, a tree uploaded into the stage's object store with
 * `uploadDataset` (`frcnn pipeline dataset-upload`). A stored tree is materialised once per
 * machine into a cache directory keyed by the store, prefix and upload digest, so workers on
 * other machines need nothing but the store.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { datasetDigest } from '../data/digest.ts';
import type { ImageEntry } from '../data/types.ts';
import { loadVocDataset, type VocDataset } from '../data/voc.ts';
import type { DatasetSubset } from '../pipeline/config-subset.ts';
import { joinKey } from '../storage/keys.ts';
import { listAll, type ObjectStore } from '../storage/object-store.ts';
import { InputError } from '../util/errors.ts';
import { getJson, putJson } from './store-io.ts';

export const STORE_DATASET_SCHEME = 'store:';
/** Written last by an upload: the tree is complete when it exists. */
export const UPLOAD_RECORD = 'upload.json';
/** Files of a VOC tree an upload copies (dataset.json fixes the class order of generated trees). */
const VOC_ENTRIES = ['Annotations', 'ImageSets', 'JPEGImages', 'dataset.json'];

export interface UploadRecord {
  format: 'frcnn-dataset-upload';
  name: string;
  /** `datasetDigest` of every split (annotations). */
  digest: string;
  splits: string[];
  files: number;
  bytes: number;
}

/** The directory stored trees are materialised into: `$FRCNN_CACHE_DIR/datasets` or the temp dir. */
export function datasetCacheRoot(): string {
  return join(process.env.FRCNN_CACHE_DIR ?? join(tmpdir(), 'frcnn-cache'), 'datasets');
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...(await walk(p)));
    else if (d.isFile()) out.push(p);
  }
  return out.sort();
}

/** Copy the VOC tree at `dir` into `store` under `datasets/<name>/`; returns the trial `dataset.root` to use. */
export async function uploadDataset(
  dir: string,
  store: ObjectStore,
  name: string,
  onFile?: (done: number, total: number) => void,
): Promise<{ root: string; prefix: string; record: UploadRecord }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new InputError('--name', `expected letters, digits, ".", "_" or "-", got ${JSON.stringify(name)}`);
  const root = resolve(dir);
  const ds = await loadVocDataset(root);
  const files: string[] = [];
  for (const e of VOC_ENTRIES) {
    const p = join(root, e);
    const s = await stat(p).catch(() => undefined);
    if (s?.isDirectory()) files.push(...(await walk(p)));
    else if (s?.isFile()) files.push(p);
  }
  const prefix = `datasets/${name}`;
  let bytes = 0;
  for (let i = 0; i < files.length; i++) {
    const data = await readFile(files[i]);
    bytes += data.byteLength;
    await store.put(joinKey(prefix, relative(root, files[i]).split(sep).join('/')), data);
    onFile?.(i + 1, files.length);
  }
  const record: UploadRecord = { format: 'frcnn-dataset-upload', name, digest: await datasetDigest(ds, ds.splits), splits: [...ds.splits], files: files.length, bytes };
  await putJson(store, joinKey(prefix, UPLOAD_RECORD), record);
  return { root: `${STORE_DATASET_SCHEME}${prefix}`, prefix, record };
}

/** Download a stored tree once into the cache (a `.complete` marker guards against half copies). */
async function materialise(store: ObjectStore, prefix: string): Promise<string> {
  const where = `${store.location}/${prefix}`;
  const record = await getJson<UploadRecord>(store, joinKey(prefix, UPLOAD_RECORD)).catch((err: unknown) => {
    throw new InputError(`dataset ${STORE_DATASET_SCHEME}${prefix}`, `no complete upload in ${store.location} (missing ${UPLOAD_RECORD}; run the upload again)`, { cause: err });
  });
  const id = createHash('sha256').update(`${store.location}\n${prefix}\n${record.digest}`).digest('hex').slice(0, 24);
  const dir = join(datasetCacheRoot(), id);
  const marker = join(dir, '.complete');
  if (await stat(marker).catch(() => undefined)) return dir;
  // Unique per call: two stages of one process may materialise the same tree at once.
  const tmp = `${dir}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
  await rm(tmp, { recursive: true, force: true });
  const objects = (await listAll(store, `${prefix}/`)).filter((o) => !o.key.endsWith(`/${UPLOAD_RECORD}`));
  if (objects.length === 0) throw new InputError(`dataset ${where}`, 'no files under this prefix');
  for (const o of objects) {
    const rel = o.key.slice(prefix.length + 1);
    const path = join(tmp, ...rel.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await store.get(o.key));
  }
  await writeFile(join(tmp, '.complete'), `${JSON.stringify(record)}\n`);
  await mkdir(dirname(dir), { recursive: true });
  // The rename moves the tree with its marker in one step, so `dir` is never removed while it
  // may be complete: another process materialising the same tree at the same time may already
  // be reading it (removing it first made a concurrent stage fail with "split file not found").
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(tmp, dir);
      return dir;
    } catch (err) {
      if (await stat(marker).catch(() => undefined)) {
        // Another process materialised it first: use theirs.
        await rm(tmp, { recursive: true, force: true });
        return dir;
      }
      // A leftover without a marker (an interrupted copy of an older version): replace it once.
      if (attempt > 0 || !(await stat(dir).catch(() => undefined))) throw err;
      await rm(dir, { recursive: true, force: true });
    }
  }
}

const loaded = new Map<string, Promise<VocDataset>>();

/** The local directory of a dataset root (materialising a stored tree). */
export async function localDatasetDir(root: string | undefined, store: ObjectStore): Promise<string> {
  if (!root) throw new InputError('dataset.root', 'is required by the stage functions (a VOC directory or store:<prefix>)');
  if (root.startsWith(STORE_DATASET_SCHEME)) return materialise(store, root.slice(STORE_DATASET_SCHEME.length).replace(/\/+$/, ''));
  return resolve(root);
}

/** The dataset a stage reads, loaded once per process per directory. */
export async function openStageDataset(subset: DatasetSubset, store: ObjectStore): Promise<VocDataset> {
  const dir = await localDatasetDir(subset.root, store);
  let p = loaded.get(dir);
  if (!p) {
    p = loadVocDataset(dir);
    loaded.set(dir, p);
    p.catch(() => loaded.delete(dir));
  }
  return p;
}

/** The images of the subset's split, limited to the first `limit`. */
export function splitEntries(ds: VocDataset, subset: DatasetSubset): ImageEntry[] {
  if (!ds.splits.includes(subset.split)) throw new InputError(`dataset ${ds.source}`, `no split ${JSON.stringify(subset.split)} (has ${ds.splits.join(', ')})`);
  const all = ds.split(subset.split);
  return subset.limit ? all.slice(0, subset.limit) : all;
}

/** Training images: entries with at least one non-difficult, non-crowd object (py-faster-rcnn filter_roidb). */
export function trainingSplitEntries(ds: VocDataset, subset: DatasetSubset): ImageEntry[] {
  const entries = splitEntries(ds, subset).filter((e) => e.objects.some((o) => !o.difficult && !o.crowd));
  if (entries.length === 0) throw new InputError(`dataset ${ds.source} split ${subset.split}`, 'no training images with objects');
  return entries;
}
