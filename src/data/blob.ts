/**
 * One training/test image prepared for the network, as py-faster-rcnn's `get_minibatch` +
 * `prep_im_for_blob`: decode, flip if asked, subtract the pixel means, resize so the shorter
 * side is `targetSize` (longer side at most `maxSize`), and scale the ground truth with it.
 */
import { InputError } from '../util/errors.ts';
import { flipBoxes, flipImageHwc } from './flip.ts';
import { decodeImage, decodeImageBytes } from './image-io.ts';
import type { ImageCache } from './image-cache.ts';
import { computeScale, resizeBilinear, scaledSize } from './resize.ts';
import type { ImageBlob, ImageEntry } from './types.ts';

/**
 * ImageNet means in RGB order: py-faster-rcnn's `PIXEL_MEANS = [[[102.9801, 115.9465, 122.7717]]]`
 * is BGR; we keep pixels RGB.
 */
export const DEFAULT_PIXEL_MEANS: readonly [number, number, number] = [122.7717, 115.9465, 102.9801];

export interface PrepareOptions {
  /** Shorter side after resizing (py-faster-rcnn `SCALES`, 600). */
  targetSize: number;
  /** Cap on the longer side (py-faster-rcnn `MAX_SIZE`, 1000). */
  maxSize: number;
  /** Mirror the image and its boxes left–right. */
  flip: boolean;
  /** RGB means subtracted from every pixel. @default DEFAULT_PIXEL_MEANS */
  pixelMeans?: readonly [number, number, number];
  /** Keep "difficult" objects as ground truth (py-faster-rcnn `use_diff`). @default false */
  keepDifficult?: boolean;
  /** Reuse decoded + resized pixels across epochs. The returned `pixels` may then be shared: treat them as read-only. */
  cache?: ImageCache;
  /**
   * Reads an image's bytes when `entry.file` is not a local path (e.g. an object-store key).
   * @default the local file system
   */
  readImage?: (file: string) => Promise<Uint8Array>;
}

/** Cache key: everything the pixels depend on. */
function cacheKey(entry: ImageEntry, opts: PrepareOptions, means: readonly number[]): string {
  return `${entry.file}|${opts.flip ? 1 : 0}|${opts.targetSize}|${opts.maxSize}|${means.join(',')}`;
}

/**
 * Ground-truth boxes and classes of an entry in original pixels (difficult and crowd objects
 * excluded unless asked); `classes` maps names to 1..K. Throws an `InputError` on a name not in `classes`.
 */
export function entryTargets(
  entry: ImageEntry,
  classes: readonly string[],
  keepDifficult = false,
): { boxes: Float32Array; classes: Int32Array } {
  const kept = entry.objects.filter((o) => !o.crowd && (keepDifficult || !o.difficult));
  const boxes = new Float32Array(kept.length * 4);
  const cls = new Int32Array(kept.length);
  kept.forEach((o, i) => {
    const c = classes.indexOf(o.name);
    if (c < 0) throw new InputError(entry.file, `object ${i + 1} ("${o.name}"): class not in [${classes.join(', ')}]`);
    boxes.set(o.box, 4 * i);
    cls[i] = c + 1;
  });
  return { boxes, classes: cls };
}

/**
 * Whether an entry has any training target (py-faster-rcnn's `filter_roidb` drops images
 * without foreground; crowd and, unless kept, difficult objects do not count).
 */
export function hasTrainingTargets(entry: ImageEntry, keepDifficult = false): boolean {
  return entry.objects.some((o) => !o.crowd && (keepDifficult || !o.difficult));
}

export async function prepareImageBlob(entry: ImageEntry, classes: readonly string[], opts: PrepareOptions): Promise<ImageBlob> {
  const means = opts.pixelMeans ?? DEFAULT_PIXEL_MEANS;
  const scale = computeScale(entry.width, entry.height, opts.targetSize, opts.maxSize);
  const size = scaledSize(entry.width, entry.height, scale);
  const targets = entryTargets(entry, classes, opts.keepDifficult);

  const key = opts.cache ? cacheKey(entry, opts, means) : '';
  let pixels = opts.cache?.get(key);
  if (!pixels) {
    const img = opts.readImage ? decodeImageBytes(await opts.readImage(entry.file), entry.file) : await decodeImage(entry.file);
    if (img.width !== entry.width || img.height !== entry.height) {
      throw new InputError(entry.file, `image is ${img.width}x${img.height} but its annotation says ${entry.width}x${entry.height}`);
    }
    const src = opts.flip ? flipImageHwc(img.data, img.width, img.height) : img.data;
    // Means before resizing, as py-faster-rcnn; bilinear weights sum to one, so the order only moves rounding.
    const centred = new Float32Array(src.length);
    for (let i = 0; i < src.length; i += 3) {
      centred[i] = src[i] - means[0];
      centred[i + 1] = src[i + 1] - means[1];
      centred[i + 2] = src[i + 2] - means[2];
    }
    // At scale 1 every tap weight is 0 (cv2 copies too): skip the arithmetic.
    pixels =
      scale === 1 && size.width === img.width && size.height === img.height
        ? centred
        : resizeBilinear(centred, img.width, img.height, size.width, size.height, { scaleX: scale, scaleY: scale });
    opts.cache?.set(key, pixels);
  }

  const boxes = opts.flip ? flipBoxes(targets.boxes, entry.width) : targets.boxes;
  for (let i = 0; i < boxes.length; i++) boxes[i] *= scale;
  return {
    imageId: entry.id,
    pixels,
    height: size.height,
    width: size.width,
    scale,
    flipped: opts.flip,
    gtBoxes: boxes,
    gtClasses: targets.classes,
  };
}
