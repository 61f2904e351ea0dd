/**
 * PASCAL VOC trees (VOCdevkit/VOC2007 layout, and the generated shapes dataset):
 * `Annotations/<id>.xml`, `JPEGImages/<file>`, `ImageSets/Main/<split>.txt`. Every split
 * listed in ImageSets/Main is read up front, each annotation once, so `split()` is synchronous.
 */
import { join, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { createProgress } from '../util/progress.ts';
import { BrokenInputHandler, type OnBroken, type SkippedInput } from './broken-input.ts';
import { isNotFound, localFiles, readFailure, type DatasetFiles } from './dataset-files.ts';
import { imageSizeOfBytes } from './image-io.ts';
import { objectLabel, parseVocAnnotation, vocBoxProblem, type VocAnnotation } from './voc-annotation.ts';
import type { AnnotatedObject, DetectionDataset, ImageEntry } from './types.ts';

/** The 20 PASCAL VOC classes, in the order of py-faster-rcnn's `pascal_voc._classes`. */
export const VOC_CLASSES: readonly string[] = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** Metadata file at the root of a generated tree; `classes` fixes the class order. */
export const DATASET_META_FILE = 'dataset.json';

export interface VocLoadOptions {
  /**
   * Foreground classes in model order. Default: `classes` of `dataset.json` when present, else
   * the 20 VOC classes when every name found is one of them, else the sorted names found.
   */
  classes?: readonly string[];
  /** Broken object or image: throw an `InputError` (default) or skip it with a warning. */
  onBroken?: OnBroken;
  /**
   * Keep "difficult" objects (flagged) in the entries. Default true: evaluators need them, and
   * `prepareImageBlob` leaves them out of training targets anyway. False drops them at load
   * (py-faster-rcnn `use_diff = False`).
   */
  keepDifficult?: boolean;
  /** Only these splits (default: every `ImageSets/Main/<split>.txt` that is not a per-class file). */
  splits?: readonly string[];
  /** Show a progress line/bar while reading annotations. @default false */
  progress?: boolean;
  /** Where the files are read from (an object-store adapter, say). @default the local file system */
  files?: DatasetFiles;
}

export interface VocDataset extends DetectionDataset {
  /** Split names available to `split()`. */
  readonly splits: readonly string[];
  /** What `onBroken: 'skip'` dropped. */
  readonly skipped: readonly SkippedInput[];
}

const ID_RE = /^[^\s/\\]+$/;
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.JPG', '.JPEG', '.PNG'];
/** Concurrent annotation reads: enough to hide latency, well under the open-files limit. */
const READ_CONCURRENCY = 32;

const utf8 = new TextDecoder('utf-8');

async function listDir(files: DatasetFiles, dir: string): Promise<string[]> {
  try {
    return await files.list(dir);
  } catch (err) {
    throw new InputError(dir, isNotFound(err) ? 'directory not found (not a VOC tree?)' : `cannot list directory (${readFailure(err)})`, { cause: err });
  }
}

/** Split files are `<split>.txt`; per-class files `<class>_<split>.txt` name another split after the last "_". */
function splitFileNames(files: string[]): string[] {
  const stems = files.filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4));
  const all = new Set(stems);
  return stems
    .filter((s) => {
      const cut = s.lastIndexOf('_');
      return cut <= 0 || !all.has(s.slice(cut + 1));
    })
    .sort();
}

async function readSplit(files: DatasetFiles, root: string, split: string): Promise<string[]> {
  const file = join(root, 'ImageSets', 'Main', `${split}.txt`);
  let text: string;
  try {
    text = utf8.decode(await files.read(file));
  } catch (err) {
    throw new InputError(file, isNotFound(err) ? 'split file not found' : `cannot read split file (${readFailure(err)})`, { cause: err });
  }
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const id = line.trim().split(/\s+/)[0];
    if (!id) return;
    if (!ID_RE.test(id)) throw new InputError(`${file}:${i + 1}`, `bad image id ${JSON.stringify(id)}`);
    ids.push(id);
  });
  return ids;
}

async function readMetaClasses(files: DatasetFiles, root: string): Promise<string[] | undefined> {
  const file = join(root, DATASET_META_FILE);
  let text: string;
  try {
    text = utf8.decode(await files.read(file));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new InputError(file, `cannot read (${readFailure(err)})`, { cause: err });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const classes = (meta as { classes?: unknown }).classes;
  if (classes === undefined) return undefined;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string' && c !== '')) {
    throw new InputError(file, '"classes" must be a non-empty array of class names');
  }
  if (new Set(classes).size !== classes.length) throw new InputError(file, '"classes" has duplicates');
  return classes as string[];
}

async function mapPool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface ReadImage {
  id: string;
  file: string;
  width: number;
  height: number;
  objects: Array<{ index: number; object: AnnotatedObject }>;
  annotationFile: string;
}

export async function loadVocDataset(rootDir: string, opts: VocLoadOptions = {}): Promise<VocDataset> {
  const files = opts.files ?? localFiles;
  // Local entries carry absolute paths: they outlive the working directory they were loaded from.
  const root = files.local ? resolve(rootDir) : rootDir;
  const broken = new BrokenInputHandler(opts.onBroken ?? 'error');
  const keepDifficult = opts.keepDifficult ?? true;
  const mainDir = join(root, 'ImageSets', 'Main');
  const available = splitFileNames(await listDir(files, mainDir));
  const wanted = opts.splits ? [...opts.splits] : available;
  for (const s of wanted) {
    if (!available.includes(s)) throw new InputError(join(mainDir, `${s}.txt`), `split not found (have: ${available.join(', ') || 'none'})`);
  }
  if (wanted.length === 0) throw new InputError(mainDir, 'no split files (<split>.txt)');

  const splitIds = new Map<string, string[]>();
  for (const s of wanted) splitIds.set(s, await readSplit(files, root, s));
  const ids = [...new Set([...splitIds.values()].flat())];
  const imageFiles = new Set(await listDir(files, join(root, 'JPEGImages')));

  const progress = createProgress({ label: 'annotations', total: ids.length, unit: 'xml', mode: opts.progress ? undefined : 'silent' });
  let done = 0;
  const read = await mapPool(ids, READ_CONCURRENCY, async (id): Promise<ReadImage | undefined> => {
    const annotationFile = `Annotations/${id}.xml`;
    const where = join(root, annotationFile);
    let ann: VocAnnotation;
    try {
      ann = parseVocAnnotation(utf8.decode(await files.read(where)), where);
    } catch (err) {
      const message =
        err instanceof InputError
          ? err.message.slice(err.where.length + 2)
          : isNotFound(err)
            ? 'annotation file not found'
            : `cannot read annotation (${readFailure(err)})`;
      broken.report(err instanceof InputError ? err.where : where, message, 'image', err);
      return undefined;
    } finally {
      progress.update(++done);
    }
    const candidates = ann.filename ? [ann.filename, ...IMAGE_EXTENSIONS.map((e) => id + e)] : IMAGE_EXTENSIONS.map((e) => id + e);
    const name = candidates.find((c) => imageFiles.has(c));
    if (!name) {
      broken.report(where, `image file not found: JPEGImages/${ann.filename ?? `${id}.jpg`}`, 'image');
      return undefined;
    }
    const file = join(root, 'JPEGImages', name);
    let { width, height } = ann;
    if (width === 0 || height === 0) {
      try {
        ({ width, height } = imageSizeOfBytes(await files.read(file), file));
      } catch (err) {
        const why = err instanceof InputError ? err.message : readFailure(err);
        broken.report(where, `no <size> and the image header is unreadable: ${why}`, 'image', err);
        return undefined;
      }
    }
    const objects: ReadImage['objects'] = [];
    for (const o of ann.objects) {
      if (!o.ok) {
        broken.report(where, `${objectLabel(o.index, o.name)}: ${o.problem}`, 'object');
        continue;
      }
      const [x1, y1, x2, y2] = o.object.box;
      // Re-check against the image's own size when the XML had none.
      const problem = vocBoxProblem({ xmin: x1 + 1, ymin: y1 + 1, xmax: x2 + 1, ymax: y2 + 1 }, width, height);
      if (problem) {
        broken.report(where, `${objectLabel(o.index, o.object.name)}: ${problem}`, 'object');
        continue;
      }
      objects.push({ index: o.index, object: o.object });
    }
    return { id, file, width, height, objects, annotationFile: where };
  });
  progress.stop();

  const byId = new Map<string, ReadImage>();
  for (const r of read) if (r) byId.set(r.id, r);
  const found = new Set<string>();
  for (const r of byId.values()) for (const o of r.objects) found.add(o.object.name);

  const classes = opts.classes ?? (await readMetaClasses(files, root)) ?? ([...found].every((n) => VOC_CLASSES.includes(n)) && found.size > 0 ? VOC_CLASSES : [...found].sort());
  if (classes.length === 0) throw new InputError(root, 'no classes: no objects found and none given');
  const known = new Set(classes);

  const entries = new Map<string, ImageEntry>();
  for (const r of byId.values()) {
    const objects: AnnotatedObject[] = [];
    for (const { index, object } of r.objects) {
      if (!known.has(object.name)) {
        broken.report(r.annotationFile, `${objectLabel(index, object.name)}: unknown class (classes: ${classes.join(', ')})`, 'object');
        continue;
      }
      if (object.difficult && !keepDifficult) continue;
      objects.push({ name: object.name, box: object.box, difficult: object.difficult });
    }
    entries.set(r.id, { id: r.id, file: r.file, width: r.width, height: r.height, objects });
  }

  const splits = new Map<string, ImageEntry[]>();
  for (const [s, list] of splitIds) splits.set(s, list.flatMap((id) => entries.get(id) ?? []));
  return {
    source: root,
    classes: [...classes],
    splits: [...splits.keys()],
    skipped: broken.skipped,
    split(name: string): ImageEntry[] {
      const list = splits.get(name);
      if (!list) throw new InputError(join(mainDir, `${name}.txt`), `split not loaded (have: ${[...splits.keys()].join(', ')})`);
      return list;
    },
  };
}
