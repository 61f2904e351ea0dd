/**
 * Reading a VOCdevkit tree for evaluation: `ImageSets/Main/<set>.txt`, `Annotations/<id>.xml`
 * (boxes kept 1-based as written, like `voc_eval`'s `parse_rec`), and py-faster-rcnn's
 * detection files `comp4[_<salt>]_det_<set>_<class>.txt` (`<image> <score> <x1> <y1> <x2> <y2>`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.ts';
import { createProgress } from '../util/progress.ts';
import { childElement, childElements, parseXml, type XmlElement } from './xml.ts';
import type { VocDetections, VocGroundTruth } from './voc-eval.ts';

export interface ReadOptions {
  /** Show progress on stderr for long reads. Default false. */
  progress?: boolean;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? `${what} not found` : `cannot read ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** Image ids of `ImageSets/Main/<imageset>.txt` (first token of each non-blank line). */
export function readImageSet(devkit: string, imageset: string): string[] {
  const file = join(devkit, 'ImageSets', 'Main', `${imageset}.txt`);
  const ids: string[] = [];
  const seen = new Set<string>();
  readText(file, 'image set').split('\n').forEach((raw, i) => {
    const id = raw.trim().split(/\s+/)[0];
    if (!id) return;
    if (seen.has(id)) throw new InputError(`${file}:${i + 1}`, `image ${JSON.stringify(id)} is listed twice`);
    seen.add(id);
    ids.push(id);
  });
  return ids;
}

export interface VocObject {
  name: string;
  difficult: boolean;
  /** [xmin, ymin, xmax, ymax] as written (1-based inclusive). */
  box: [number, number, number, number];
}

function fieldText(parent: XmlElement, name: string, where: string): string {
  const el = childElement(parent, name);
  if (!el) throw new InputError(where, `missing <${name}>`);
  return el.text.trim();
}

function fieldNumber(parent: XmlElement, name: string, where: string): number {
  const text = fieldText(parent, name, where);
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new InputError(where, `<${name}> is not a number: ${JSON.stringify(text)}`);
  return v;
}

/** The `<object>` children of an annotation file (parts inside an object are not objects). */
export function parseVocAnnotation(xml: string, file: string): VocObject[] {
  const root = parseXml(xml, file);
  return childElements(root, 'object').map((obj, k) => {
    const where = `${file}:${obj.line} (object ${k + 1})`;
    const name = fieldText(obj, 'name', where);
    if (name === '') throw new InputError(where, '<name> is empty');
    const diff = childElement(obj, 'difficult');
    const difficult = diff ? Number(diff.text.trim()) : 0;
    if (!Number.isFinite(difficult)) throw new InputError(where, `<difficult> is not a number: ${JSON.stringify(diff?.text)}`);
    const bb = childElement(obj, 'bndbox');
    if (!bb) throw new InputError(where, 'missing <bndbox>');
    const box: [number, number, number, number] = [
      fieldNumber(bb, 'xmin', where),
      fieldNumber(bb, 'ymin', where),
      fieldNumber(bb, 'xmax', where),
      fieldNumber(bb, 'ymax', where),
    ];
    return { name, difficult: difficult !== 0, box };
  });
}

/**
 * Ground truth of `<devkit>/ImageSets/Main/<imageset>.txt` from `<devkit>/Annotations`.
 * Classes are the object names found, sorted (the VOC order for the 20 VOC classes).
 */
export function readVocDevkit(devkit: string, imageset: string, opts: ReadOptions = {}): VocGroundTruth {
  const imageIds = readImageSet(devkit, imageset);
  const perImage: VocObject[][] = [];
  const progress = createProgress({ label: 'annotations', total: imageIds.length, unit: 'img', mode: opts.progress && imageIds.length > 2000 ? undefined : 'silent' });
  const names = new Set<string>();
  let n = 0;
  imageIds.forEach((id, i) => {
    const file = join(devkit, 'Annotations', `${id}.xml`);
    const objs = parseVocAnnotation(readText(file, 'annotation'), file);
    for (const o of objs) names.add(o.name);
    perImage.push(objs);
    n += objs.length;
    if (i % 256 === 0) progress.update(i);
  });
  progress.update(imageIds.length);
  progress.stop();
  const classes = [...names].sort();
  const byName = new Map(classes.map((c, i) => [c, i]));
  const image = new Int32Array(n);
  const classIndex = new Int32Array(n);
  const boxes = new Float64Array(4 * n);
  const difficult = new Uint8Array(n);
  let j = 0;
  perImage.forEach((objs, i) => {
    for (const o of objs) {
      image[j] = i;
      classIndex[j] = byName.get(o.name) as number;
      boxes.set(o.box, 4 * j);
      difficult[j] = o.difficult ? 1 : 0;
      j++;
    }
  });
  return { source: devkit, imageIds, classes, image, classIndex, boxes, difficult };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Class name → file of the detection files for `imageset` found in `dir`. */
export function findDetectionFiles(dir: string, imageset: string): Map<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new InputError(dir, `cannot list detection files: ${(err as Error).message}`, { cause: err });
  }
  const re = new RegExp(`^comp\\d+(?:_[^_]+)?_det_${escapeRegExp(imageset)}_(.+)\\.txt$`);
  const files = new Map<string, string>();
  for (const name of names.sort()) {
    const m = re.exec(name);
    if (!m) continue;
    const prev = files.get(m[1]);
    if (prev) throw new InputError(join(dir, name), `a second detection file for class ${JSON.stringify(m[1])} (first: ${prev})`);
    files.set(m[1], join(dir, name));
  }
  return files;
}

/**
 * Parse the lines of one detection file into the given accumulators. Each non-blank line is
 * `<image> <score> <x1> <y1> <x2> <y2>`; the image must be one of `imageIndex`.
 */
function parseDetectionFile(
  text: string,
  file: string,
  imageIndex: Map<string, number>,
  classIndex: number,
  out: { image: number[]; cls: number[]; boxes: number[]; scores: number[] },
): void {
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    const f = line.split(/\s+/);
    const where = `${file}:${lineNo}`;
    if (f.length !== 6) throw new InputError(where, `expected "<image> <score> <x1> <y1> <x2> <y2>", got ${f.length} fields`);
    const img = imageIndex.get(f[0]);
    if (img === undefined) throw new InputError(where, `image ${JSON.stringify(f[0])} is not in the image set`);
    const nums = [Number(f[1]), Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])];
    const bad = nums.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InputError(where, `field ${bad + 2} is not a number: ${JSON.stringify(f[bad + 1])}`);
    out.image.push(img);
    out.cls.push(classIndex);
    out.scores.push(nums[0]);
    out.boxes.push(nums[1], nums[2], nums[3], nums[4]);
  }
}

/** Every detection file for `imageset` in `dir`, against the images of `gt`. */
export function readVocDetections(dir: string, imageset: string, gt: VocGroundTruth): VocDetections {
  const files = findDetectionFiles(dir, imageset);
  if (files.size === 0) throw new InputError(dir, `no detection files comp*_det_${imageset}_<class>.txt`);
  const imageIndex = new Map(gt.imageIds.map((id, i) => [id, i]));
  const out = { image: [] as number[], cls: [] as number[], boxes: [] as number[], scores: [] as number[] };
  const classes: string[] = [];
  for (const [name, file] of files) {
    parseDetectionFile(readText(file, 'detection file'), file, imageIndex, classes.length, out);
    classes.push(name);
  }
  return {
    source: dir,
    classes,
    image: Int32Array.from(out.image),
    classIndex: Int32Array.from(out.cls),
    boxes: Float64Array.from(out.boxes),
    scores: Float64Array.from(out.scores),
  };
}
