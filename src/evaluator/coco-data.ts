/**
 * COCO ground truth and bbox results in flat typed arrays, read the way pycocotools' `COCO`
 * and `COCO.loadRes` read them: image and category ids sorted (`sorted(getImgIds())`),
 * annotations of unknown images or categories left out (as `getAnnIds` filters them),
 * detection area = w × h, and results on images outside the ground truth refused.
 */
import { readFileSync } from 'node:fs';
import type { ImageEntry } from '../data/types.ts';
import { InputError } from '../util/errors.ts';
import { checkDetectionList, type DetectionList } from './detection-list.ts';
import { parseCocoResultsFast } from './coco-results-fast.ts';
import { parseJsonText, readJsonFile } from './json-file.ts';

export { readJsonFile };

/** A COCO image or category id: numbers normally, strings accepted (all of one kind per file). */
export type CocoId = number | string;

/** Ground-truth annotations, flat: annotation j is on image `image[j]` of category `category[j]`. */
export interface CocoGroundTruth {
  source: string;
  /** Sorted unique image ids; `image` values index this list. */
  imageIds: CocoId[];
  /** Sorted unique category ids; `category` values index this list. */
  categoryIds: CocoId[];
  /** Category names, aligned with `categoryIds`. */
  categoryNames: string[];
  image: Int32Array;
  category: Int32Array;
  /** 4 per annotation, COCO [x, y, w, h]. */
  bbox: Float64Array;
  /** The annotation's `area` field (what the area ranges test). */
  area: Float64Array;
  iscrowd: Uint8Array;
  /** Annotation ids (pycocotools records a match by id, so an id of 0 counts as no match). */
  annId: Float64Array;
  /** Annotations left out because their image or category is not in the file's lists. */
  skipped: number;
}

/** Detections, flat, in file order. */
export interface CocoDetections {
  source: string;
  image: Int32Array;
  category: Int32Array;
  /** 4 per detection, [x, y, w, h]. */
  bbox: Float64Array;
  score: Float64Array;
  /** Detections left out because their category is not in the ground truth (pycocotools ignores them). */
  skippedUnknownCategory: number;
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(v: Json, where: string, field: string): CocoId {
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string') return v;
  throw new InputError(where, `"${field}" must be a number or a string, got ${JSON.stringify(v)}`);
}

/** Sorted unique ids, as `np.unique`; mixing numbers and strings is refused. */
function sortedUnique(ids: CocoId[], where: string): CocoId[] {
  const uniq = [...new Set(ids)];
  if (uniq.length === 0) return uniq;
  const kind = typeof uniq[0];
  if (uniq.some((v) => typeof v !== kind)) throw new InputError(where, 'ids mix numbers and strings');
  return kind === 'number'
    ? (uniq as number[]).sort((a, b) => a - b)
    : (uniq as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function numberField(rec: Record<string, Json>, field: string, where: string): number {
  const v = rec[field];
  if (v === undefined) throw new InputError(where, `missing field "${field}"`);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(where, `"${field}" must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function bboxField(rec: Record<string, Json>, where: string, out: Float64Array, at: number): void {
  const b = rec.bbox;
  if (b === undefined) throw new InputError(where, 'missing field "bbox"');
  if (!Array.isArray(b) || b.length !== 4 || b.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new InputError(where, `"bbox" must be [x, y, w, h] (4 finite numbers), got ${JSON.stringify(b)}`);
  }
  out[at] = b[0];
  out[at + 1] = b[1];
  out[at + 2] = b[2];
  out[at + 3] = b[3];
}

function arrayField(doc: Record<string, Json>, field: string, source: string): Json[] {
  const v = doc[field];
  if (!Array.isArray(v)) throw new InputError(source, v === undefined ? `missing field "${field}"` : `"${field}" must be an array`);
  return v;
}

/** Ground truth from a parsed COCO instances document (`source` names it in errors). */
export function parseCocoGroundTruth(doc: Json, source: string): CocoGroundTruth {
  if (!isRecord(doc)) throw new InputError(source, 'a COCO ground-truth file must be a JSON object');
  const images = arrayField(doc, 'images', source);
  const categories = arrayField(doc, 'categories', source);
  const anns = arrayField(doc, 'annotations', source);
  const imgIdList = images.map((im, i) => {
    const where = `${source}: images[${i}]`;
    if (!isRecord(im)) throw new InputError(where, 'must be an object');
    if (im.id === undefined) throw new InputError(where, 'missing field "id"');
    return idOf(im.id, where, 'id');
  });
  const catNameById = new Map<CocoId, string>();
  const catIdList = categories.map((c, i) => {
    const where = `${source}: categories[${i}]`;
    if (!isRecord(c)) throw new InputError(where, 'must be an object');
    if (c.id === undefined) throw new InputError(where, 'missing field "id"');
    const id = idOf(c.id, where, 'id');
    catNameById.set(id, typeof c.name === 'string' ? c.name : String(id));
    return id;
  });
  const imageIds = sortedUnique(imgIdList, `${source}: images`);
  const categoryIds = sortedUnique(catIdList, `${source}: categories`);
  const imageIndex = new Map(imageIds.map((id, i) => [id, i]));
  const catIndex = new Map(categoryIds.map((id, i) => [id, i]));

  const n = anns.length;
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const bbox = new Float64Array(4 * n);
  const area = new Float64Array(n);
  const iscrowd = new Uint8Array(n);
  const annId = new Float64Array(n);
  const seenIds = new Map<number, number>();
  let k = 0;
  for (let j = 0; j < n; j++) {
    const a = anns[j];
    const where = `${source}: annotations[${j}]`;
    if (!isRecord(a)) throw new InputError(where, 'must be an object');
    const id = numberField(a, 'id', where);
    const first = seenIds.get(id);
    if (first !== undefined) throw new InputError(where, `annotation id ${id} already used by annotations[${first}]`);
    seenIds.set(id, j);
    if (a.image_id === undefined) throw new InputError(where, 'missing field "image_id"');
    if (a.category_id === undefined) throw new InputError(where, 'missing field "category_id"');
    const im = imageIndex.get(idOf(a.image_id, where, 'image_id'));
    const cat = catIndex.get(idOf(a.category_id, where, 'category_id'));
    bboxField(a, where, bbox, 4 * k);
    const ar = numberField(a, 'area', where);
    const crowd = a.iscrowd;
    if (crowd === undefined) throw new InputError(where, 'missing field "iscrowd"');
    if (!(crowd === 0 || crowd === 1 || typeof crowd === 'boolean')) {
      throw new InputError(where, `"iscrowd" must be 0 or 1, got ${JSON.stringify(crowd)}`);
    }
    if (im === undefined || cat === undefined) continue; // pycocotools' getAnnIds never returns it
    image[k] = im;
    category[k] = cat;
    area[k] = ar;
    iscrowd[k] = crowd ? 1 : 0;
    annId[k] = id;
    k++;
  }
  return {
    source,
    imageIds,
    categoryIds,
    categoryNames: categoryIds.map((id) => catNameById.get(id) as string),
    image: image.slice(0, k),
    category: category.slice(0, k),
    bbox: bbox.slice(0, 4 * k),
    area: area.slice(0, k),
    iscrowd: iscrowd.slice(0, k),
    annId: annId.slice(0, k),
    skipped: n - k,
  };
}

/** Results `[{image_id, category_id, bbox: [x, y, w, h], score}]` against `gt`. */
export function parseCocoResults(doc: Json, gt: CocoGroundTruth, source: string): CocoDetections {
  if (!Array.isArray(doc)) throw new InputError(source, 'results must be a JSON array of {image_id, category_id, bbox, score}');
  const n = doc.length;
  const imageIndex = new Map(gt.imageIds.map((id, i) => [id, i]));
  const catIndex = new Map(gt.categoryIds.map((id, i) => [id, i]));
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const bbox = new Float64Array(4 * n);
  const score = new Float64Array(n);
  let k = 0;
  for (let j = 0; j < n; j++) {
    const r = doc[j];
    const where = `${source}: record ${j}`;
    if (!isRecord(r)) throw new InputError(where, 'must be an object');
    if (r.image_id === undefined) throw new InputError(where, 'missing field "image_id"');
    if (r.category_id === undefined) throw new InputError(where, 'missing field "category_id"');
    const imgId = idOf(r.image_id, where, 'image_id');
    const im = imageIndex.get(imgId);
    if (im === undefined) throw new InputError(where, `image_id ${JSON.stringify(imgId)} is not an image of ${gt.source}`);
    const cat = catIndex.get(idOf(r.category_id, where, 'category_id'));
    bboxField(r, where, bbox, 4 * k);
    const s = numberField(r, 'score', where);
    if (cat === undefined) continue; // pycocotools evaluates only the ground truth's categories
    image[k] = im;
    category[k] = cat;
    score[k] = s;
    k++;
  }
  return {
    source,
    image: image.slice(0, k),
    category: category.slice(0, k),
    bbox: bbox.slice(0, 4 * k),
    score: score.slice(0, k),
    skippedUnknownCategory: n - k,
  };
}

export function readCocoGroundTruth(path: string): CocoGroundTruth {
  return parseCocoGroundTruth(readJsonFile(path), path);
}

/** Read a results file: the allocation-free scanner first, the general parser for anything it declines. */
export function readCocoResults(path: string, gt: CocoGroundTruth): CocoDetections {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'file not found' : (err as Error).message, { cause: err });
  }
  const fast = parseCocoResultsFast(bytes, gt, path);
  if (fast) return fast;
  return parseCocoResults(parseJsonText(bytes.toString('utf8'), path), gt, path);
}

/** Image ids as COCO ids: numbers when every id is a canonical integer string (COCO datasets). */
function cocoImageIds(entries: readonly ImageEntry[]): CocoId[] {
  const numeric = entries.every((e) => /^(0|[1-9]\d{0,14})$/.test(e.id));
  return entries.map((e) => (numeric ? Number(e.id) : e.id));
}

/**
 * Ground truth from dataset entries (0-based inclusive boxes → COCO [x1, y1, x2-x1+1, y2-y1+1],
 * area = w × h, as py-faster-rcnn converts). Category ids are the labels 1..K of `classes`.
 * Crowd objects (and VOC `difficult` ones) become crowd regions: ignored, and they may absorb
 * detections. Areas are box areas (the JSON's mask areas are not in `ImageEntry`), so for
 * results equal to pycocotools on a COCO file, evaluate that file (`readCocoGroundTruth`).
 */
export function cocoGroundTruthFromEntries(entries: readonly ImageEntry[], classes: readonly string[], source = 'dataset'): CocoGroundTruth {
  const ids = cocoImageIds(entries);
  const imageIds = sortedUnique(ids, source);
  if (imageIds.length !== entries.length) throw new InputError(source, 'image ids are not unique');
  const imageIndex = new Map(imageIds.map((id, i) => [id, i]));
  const catIndex = new Map(classes.map((c, i) => [c, i]));
  let n = 0;
  for (const e of entries) n += e.objects.length;
  const gt: CocoGroundTruth = {
    source,
    imageIds,
    categoryIds: classes.map((_, i) => i + 1),
    categoryNames: [...classes],
    image: new Int32Array(n),
    category: new Int32Array(n),
    bbox: new Float64Array(4 * n),
    area: new Float64Array(n),
    iscrowd: new Uint8Array(n),
    annId: new Float64Array(n),
    skipped: 0,
  };
  let j = 0;
  entries.forEach((e, i) => {
    for (const o of e.objects) {
      const c = catIndex.get(o.name);
      if (c === undefined) throw new InputError(`${source}: image ${e.id}`, `unknown class ${JSON.stringify(o.name)}`);
      const [x1, y1, x2, y2] = o.box;
      const w = x2 - x1 + 1;
      const h = y2 - y1 + 1;
      gt.image[j] = imageIndex.get(ids[i]) as number;
      gt.category[j] = c;
      gt.bbox.set([x1, y1, w, h], 4 * j);
      gt.area[j] = w * h;
      gt.iscrowd[j] = o.crowd || o.difficult ? 1 : 0;
      gt.annId[j] = j + 1;
      j++;
    }
  });
  return gt;
}

/** Detections from the pipeline's in-memory list (0-based x1y1x2y2, labels 1..K) against `gt`. */
export function cocoDetectionsFromList(list: DetectionList, gt: CocoGroundTruth, source = 'detections'): CocoDetections {
  const n = checkDetectionList(list);
  const numeric = typeof gt.imageIds[0] === 'number';
  const imageIndex = new Map(gt.imageIds.map((id, i) => [id, i]));
  const K = gt.categoryIds.length;
  const det: CocoDetections = {
    source,
    image: new Int32Array(n),
    category: new Int32Array(n),
    bbox: new Float64Array(4 * n),
    score: new Float64Array(n),
    skippedUnknownCategory: 0,
  };
  for (let j = 0; j < n; j++) {
    const id = list.imageIds[j];
    const im = imageIndex.get(numeric ? Number(id) : id);
    if (im === undefined) throw new InputError(`${source}: detection ${j}`, `image ${JSON.stringify(id)} is not in ${gt.source}`);
    const label = list.labels[j];
    if (!(label >= 1 && label <= K)) throw new InputError(`${source}: detection ${j}`, `label ${label} is outside 1..${K}`);
    const s = list.scores[j];
    if (!Number.isFinite(s)) throw new InputError(`${source}: detection ${j}`, `score is ${s}`);
    const x1 = list.boxes[4 * j], y1 = list.boxes[4 * j + 1];
    det.image[j] = im;
    det.category[j] = label - 1;
    det.bbox[4 * j] = x1;
    det.bbox[4 * j + 1] = y1;
    det.bbox[4 * j + 2] = list.boxes[4 * j + 2] - x1 + 1;
    det.bbox[4 * j + 3] = list.boxes[4 * j + 3] - y1 + 1;
    det.score[j] = s;
  }
  return det;
}
