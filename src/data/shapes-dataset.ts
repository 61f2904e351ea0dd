/**
 * Writes the generated shapes dataset as a PASCAL VOC tree, so the VOC loader (and any VOC
 * tool) reads it like VOC2007:
 *
 *   <out>/JPEGImages/000001.jpg …      images (JPEG quality 90, or PNG)
 *   <out>/Annotations/000001.xml …     VOC XML, 1-based inclusive boxes
 *   <out>/ImageSets/Main/{train,test,trainval}.txt, <class>_<split>.txt  (`<id>  1` / `<id> -1`)
 *   <out>/dataset.json                 generator parameters and the class order
 *
 * Ids run 000001… through train, then test. Image i is drawn from its own RNG seeded by
 * (seed, i), so a tree is a pure function of its options.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../util/errors.ts';
import { createProgress } from '../util/progress.ts';
import { Rng } from '../util/rng.ts';
import { encodeImage, type ImageFormat } from './image-io.ts';
import { defaultRenderOptions, renderShapesImage, SHAPE_CLASSES, type ShapesRenderOptions } from './shapes-render.ts';
import { formatVocAnnotation } from './voc-annotation.ts';
import { DATASET_META_FILE } from './voc.ts';

/** Defaults: enough images to learn four shapes in minutes on a CPU, a test split for a stable mAP. */
export const DEFAULT_SHAPES_TRAIN = 500;
export const DEFAULT_SHAPES_TEST = 100;
/** Image side in pixels. */
export const DEFAULT_SHAPES_SIZE = 256;
export const DEFAULT_SHAPES_SEED = 1;
export const DEFAULT_JPEG_QUALITY = 90;
/** Marks dataset.json as ours, so re-generating may replace a previous tree. */
export const SHAPES_GENERATOR = 'frcnn-shapes';
export const SHAPES_GENERATOR_VERSION = 1;

export interface ShapesDatasetOptions {
  out: string;
  /** Training images. @default 500 */
  train?: number;
  /** Test images. @default 100 */
  test?: number;
  /** Square image side in pixels (`width`/`height` override it for non-square images). @default 256 */
  size?: number;
  width?: number;
  height?: number;
  /** @default 1 */
  seed?: number;
  /** @default 'jpg' */
  format?: ImageFormat;
  /** JPEG quality 1..100. @default 90 */
  quality?: number;
  /** Overrides of the renderer's parameters (objects per image, sizes, aspects, occlusion, noise). */
  render?: Partial<Omit<ShapesRenderOptions, 'width' | 'height'>>;
  /** Show progress on stderr. @default false */
  progress?: boolean;
}

export interface ShapesDatasetResult {
  root: string;
  classes: string[];
  /** Images per split: train, test, trainval. */
  counts: Record<string, number>;
  /** Objects per class over all splits. */
  objects: Record<string, number>;
}

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`generateShapesDataset: ${name} must be an integer >= ${min}, got ${v}`);
}

/** Refuse to write over a directory that is not empty and not a previous shapes tree. */
async function prepareOut(out: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(out);
  } catch {
    await mkdir(out, { recursive: true });
    return;
  }
  if (names.length === 0) return;
  let ours = false;
  try {
    ours = JSON.parse(await readFile(join(out, DATASET_META_FILE), 'utf8')).generator === SHAPES_GENERATOR;
  } catch {
    ours = false;
  }
  if (!ours) throw new InputError(out, 'directory is not empty and holds no generated shapes dataset; choose an empty or new directory');
  // Stale files of a larger previous run must not leak into this one.
  for (const d of ['Annotations', 'JPEGImages', 'ImageSets', DATASET_META_FILE]) await rm(join(out, d), { recursive: true, force: true });
}

/** The RNG seed of image `index` (0-based, train then test) of a tree generated with `seed`. */
export function shapesImageSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

export async function generateShapesDataset(opts: ShapesDatasetOptions): Promise<ShapesDatasetResult> {
  const train = opts.train ?? DEFAULT_SHAPES_TRAIN;
  const test = opts.test ?? DEFAULT_SHAPES_TEST;
  const width = opts.width ?? opts.size ?? DEFAULT_SHAPES_SIZE;
  const height = opts.height ?? opts.size ?? DEFAULT_SHAPES_SIZE;
  const seed = opts.seed ?? DEFAULT_SHAPES_SEED;
  const format = opts.format ?? 'jpg';
  const quality = opts.quality ?? DEFAULT_JPEG_QUALITY;
  checkCount('train', train, 0);
  checkCount('test', test, 0);
  checkCount('width', width, 32);
  checkCount('height', height, 32);
  checkCount('seed', seed, 0);
  checkCount('quality', quality, 1);
  if (format !== 'jpg' && format !== 'png') throw new RangeError(`generateShapesDataset: format must be "jpg" or "png", got ${JSON.stringify(format)}`);
  if (train + test === 0) throw new RangeError('generateShapesDataset: nothing to generate (train + test = 0)');
  const render: ShapesRenderOptions = { ...defaultRenderOptions(width, height), ...opts.render };
  if (!(Number.isInteger(render.minObjects) && Number.isInteger(render.maxObjects) && render.minObjects >= 1 && render.maxObjects >= render.minObjects)) {
    throw new RangeError(`generateShapesDataset: objects need integers 1 <= min <= max, got ${render.minObjects}-${render.maxObjects}`);
  }
  if (!(render.minSide >= 4 && render.maxSide >= render.minSide && render.maxSide <= Math.min(width, height))) {
    throw new RangeError(`generateShapesDataset: sides need 4 <= min <= max <= ${Math.min(width, height)}, got ${render.minSide}-${render.maxSide}`);
  }
  if (!(render.minNoise >= 0 && render.maxNoise >= render.minNoise)) throw new RangeError('generateShapesDataset: noise needs 0 <= min <= max');

  const out = opts.out;
  await prepareOut(out);
  for (const d of ['Annotations', 'JPEGImages', join('ImageSets', 'Main')]) await mkdir(join(out, d), { recursive: true });

  const classes = [...SHAPE_CLASSES];
  const objects: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  const splits: Record<'train' | 'test', string[]> = { train: [], test: [] };
  // Per split and class: does the image contain the class (VOC's per-class image sets).
  const present: Record<'train' | 'test', Map<string, Set<string>>> = { train: new Map(), test: new Map() };
  const total = train + test;
  const progress = createProgress({ label: 'shapes', total, unit: 'img', mode: opts.progress ? undefined : 'silent' });
  for (let i = 0; i < total; i++) {
    const split = i < train ? 'train' : 'test';
    const id = String(i + 1).padStart(6, '0');
    const filename = `${id}.${format}`;
    const img = renderShapesImage(new Rng(shapesImageSeed(seed, i)), render);
    await writeFile(join(out, 'JPEGImages', filename), encodeImage({ data: img.pixels, width, height }, format, quality));
    const xml = formatVocAnnotation({ folder: 'shapes', filename, width, height, database: 'frcnn shapes', objects: img.objects });
    await writeFile(join(out, 'Annotations', `${id}.xml`), xml);
    splits[split].push(id);
    present[split].set(id, new Set(img.objects.map((o) => o.name)));
    for (const o of img.objects) objects[o.name]++;
    progress.update(i + 1);
  }
  progress.stop();

  const main = join(out, 'ImageSets', 'Main');
  const sets: Array<[string, 'train' | 'test']> = [['train', 'train'], ['trainval', 'train'], ['test', 'test']];
  for (const [name, from] of sets) {
    await writeFile(join(main, `${name}.txt`), splits[from].map((id) => `${id}\n`).join(''));
    for (const c of classes) {
      const lines = splits[from].map((id) => `${id} ${present[from].get(id)!.has(c) ? ' 1' : '-1'}\n`);
      await writeFile(join(main, `${c}_${name}.txt`), lines.join(''));
    }
  }
  const counts = { train, test, trainval: train };
  const meta = {
    generator: SHAPES_GENERATOR,
    version: SHAPES_GENERATOR_VERSION,
    classes,
    seed,
    width,
    height,
    format,
    ...(format === 'jpg' ? { quality } : {}),
    splits: counts,
    objects,
    render: { ...render, width: undefined, height: undefined },
    boxes: 'VOC: 1-based inclusive pixels; each box is the exact extent of its shape',
  };
  await writeFile(join(out, DATASET_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return { root: out, classes, counts, objects };
}
