/**
 * COCO-format detection annotations (`instances_*.json`): images, annotations with
 * `[x, y, w, h]` boxes in pixels, categories. Boxes become 0-based inclusive
 * `[x, y, x + w − 1, y + h − 1]`, clipped as py-faster-rcnn's `clean_bbox`. `iscrowd` objects
 * are kept flagged `crowd`: ignore regions for the COCO evaluator, and (as in Detectron) not
 * training targets — py-faster-rcnn left them in the RPN's ground truth, a known quirk.
 * Classes follow category ids in ascending order.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../util/errors.ts';
import { isNotFound, localFiles, readFailure, type DatasetFiles } from './dataset-files.ts';
import { BrokenInputHandler, type OnBroken, type SkippedInput } from './broken-input.ts';
import type { AnnotatedObject, DetectionDataset, ImageEntry } from './types.ts';

export interface CocoLoadOptions {
  /** Broken annotation or missing image: throw an `InputError` (default) or skip with a warning. */
  onBroken?: OnBroken;
  /** The split name `split()` answers to. Default: the file stem after "instances_" (instances_val2017.json → "val2017"). */
  split?: string;
  /** Check that every image file exists. @default true */
  checkImages?: boolean;
  /** Where the files are read from (an object-store adapter, say). @default the local file system */
  files?: DatasetFiles;
}

export interface CocoDataset extends DetectionDataset {
  readonly splits: readonly string[];
  /** COCO category id of each class (aligned with `classes`), to write results back in COCO ids. */
  readonly categoryIds: readonly number[];
  readonly skipped: readonly SkippedInput[];
}

/**
 * Boxes may overshoot the image by float rounding in real COCO files (x + w = width + 1e-3);
 * up to this many pixels they are clipped, beyond it they are broken.
 */
const OUTSIDE_TOLERANCE_PX = 1;

interface RawImage {
  id?: unknown;
  file_name?: unknown;
  width?: unknown;
  height?: unknown;
}
interface RawAnnotation {
  id?: unknown;
  image_id?: unknown;
  category_id?: unknown;
  bbox?: unknown;
  iscrowd?: unknown;
}
interface RawCategory {
  id?: unknown;
  name?: unknown;
}

const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

function splitNameOf(file: string): string {
  return basename(file).replace(/\.json$/i, '').replace(/^instances_/, '');
}

export async function loadCocoDataset(annotationFile: string, imageDirArg: string, opts: CocoLoadOptions = {}): Promise<CocoDataset> {
  const file = annotationFile;
  const files = opts.files ?? localFiles;
  // Local entries carry absolute paths: they outlive the working directory they were loaded from.
  const imageDir = files.local ? resolve(imageDirArg) : imageDirArg;
  const broken = new BrokenInputHandler(opts.onBroken ?? 'error');
  let text: string;
  try {
    text = new TextDecoder('utf-8').decode(await files.read(file));
  } catch (err) {
    throw new InputError(file, isNotFound(err) ? 'annotation file not found' : `cannot read (${readFailure(err)})`, { cause: err });
  }
  let json: { images?: unknown; annotations?: unknown; categories?: unknown };
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `not valid COCO JSON: ${(err as Error).message}`, { cause: err });
  }
  for (const key of ['images', 'annotations', 'categories'] as const) {
    if (!Array.isArray(json?.[key])) throw new InputError(file, `missing "${key}" array`);
  }
  const images = json.images as RawImage[];
  const annotations = json.annotations as RawAnnotation[];
  const categories = json.categories as RawCategory[];

  const catIndex = new Map<number, string>();
  categories.forEach((c, i) => {
    if (!Number.isInteger(c?.id) || typeof c?.name !== 'string' || c.name === '') throw new InputError(file, `categories[${i}]: needs an integer "id" and a "name"`);
    if (catIndex.has(c.id as number)) throw new InputError(file, `categories[${i}]: duplicate category id ${c.id}`);
    catIndex.set(c.id as number, c.name);
  });
  const categoryIds = [...catIndex.keys()].sort((a, b) => a - b);
  const classes = categoryIds.map((id) => catIndex.get(id)!);
  if (new Set(classes).size !== classes.length) throw new InputError(file, 'categories: duplicate category names');
  if (classes.length === 0) throw new InputError(file, 'no categories');

  // Directory listings, fetched once per directory (file_name may hold a sub-directory); undefined: no such directory.
  const listings = new Map<string, Promise<Set<string> | undefined>>();
  const listDir = (dir: string): Promise<Set<string> | undefined> => {
    let listing = listings.get(dir);
    if (!listing) {
      listing = files.list(dir).then(
        (names) => new Set(names),
        (err) => {
          if (isNotFound(err)) return undefined;
          throw new InputError(dir, `cannot list image directory (${readFailure(err)})`, { cause: err });
        },
      );
      listings.set(dir, listing);
    }
    return listing;
  };
  const exists = async (path: string) => (await listDir(dirname(path)))?.has(basename(path)) ?? false;
  const checkImages = opts.checkImages ?? true;
  if (checkImages && !(await listDir(imageDir))) throw new InputError(imageDir, 'image directory not found');
  const byId = new Map<number, ImageEntry>();
  const order: ImageEntry[] = [];
  for (let i = 0; i < images.length; i++) {
    const im = images[i];
    const label = `images[${i}]${im && im.id !== undefined ? ` (id ${JSON.stringify(im.id)})` : ''}`;
    if (!im || !Number.isInteger(im.id)) {
      broken.report(file, `${label}: needs an integer "id"`, 'image');
      continue;
    }
    if (byId.has(im.id as number)) throw new InputError(file, `${label}: duplicate image id`);
    if (typeof im.file_name !== 'string' || im.file_name === '') {
      broken.report(file, `${label}: needs a "file_name"`, 'image');
      continue;
    }
    if (!isPositiveInt(im.width) || !isPositiveInt(im.height)) {
      broken.report(file, `${label}: "width" and "height" must be positive integers, got ${JSON.stringify(im.width)}x${JSON.stringify(im.height)}`, 'image');
      continue;
    }
    const path = join(imageDir, im.file_name);
    if (checkImages && !(await exists(path))) {
      broken.report(file, `${label}: image file not found: ${path}`, 'image');
      continue;
    }
    const entry: ImageEntry = { id: String(im.id), file: path, width: im.width, height: im.height, objects: [] };
    byId.set(im.id as number, entry);
    order.push(entry);
  }

  // Ids of images dropped as broken: their annotations go silently with them.
  const droppedImages = new Set(images.map((im) => im?.id).filter((id) => Number.isInteger(id) && !byId.has(id as number)));
  for (let i = 0; i < annotations.length; i++) {
    const a = annotations[i];
    const cat = catIndex.get(a?.category_id as number);
    const label = `annotations[${i}] (id ${JSON.stringify(a?.id)}${cat ? `, ${JSON.stringify(cat)}` : ''})`;
    if (droppedImages.has(a?.image_id)) continue;
    const entry = byId.get(a?.image_id as number);
    if (!entry) {
      broken.report(file, `${label}: unknown image_id ${JSON.stringify(a?.image_id)}`, 'object');
      continue;
    }
    if (!cat) {
      broken.report(file, `${label}: unknown category_id ${JSON.stringify(a.category_id)}`, 'object');
      continue;
    }
    const bb = a.bbox;
    if (!Array.isArray(bb) || bb.length !== 4 || !bb.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      broken.report(file, `${label}: "bbox" must be [x, y, w, h] numbers, got ${JSON.stringify(bb)}`, 'object');
      continue;
    }
    const [x, y, w, h] = bb as number[];
    if (!(w > 0 && h > 0)) {
      broken.report(file, `${label}: zero-area bbox [${bb.join(', ')}]`, 'object');
      continue;
    }
    const W = entry.width;
    const H = entry.height;
    const tol = OUTSIDE_TOLERANCE_PX;
    if (x < -tol || y < -tol || x + w > W + tol || y + h > H + tol) {
      broken.report(file, `${label}: bbox [${bb.join(', ')}] lies outside the ${W}x${H} image ${entry.id}`, 'object');
      continue;
    }
    // py-faster-rcnn coco.py clean_bbox: x1 = max(0, x), x2 = min(W − 1, x1 + max(0, w − 1)).
    const x1 = Math.min(Math.max(x, 0), W - 1);
    const y1 = Math.min(Math.max(y, 0), H - 1);
    const x2 = Math.min(W - 1, x1 + Math.max(0, w - 1));
    const y2 = Math.min(H - 1, y1 + Math.max(0, h - 1));
    const obj: AnnotatedObject = { name: cat, box: [x1, y1, x2, y2], difficult: false };
    if (a.iscrowd === 1 || a.iscrowd === true) obj.crowd = true;
    entry.objects.push(obj);
  }

  const splitName = opts.split ?? splitNameOf(file);
  return {
    source: file,
    classes,
    categoryIds,
    splits: [splitName],
    skipped: broken.skipped,
    split(name: string): ImageEntry[] {
      if (name !== splitName) throw new InputError(file, `split "${name}" not in this file (it holds "${splitName}")`);
      return order;
    },
  };
}
