/**
 * The dataset types every part of frcnn shares. Boxes are PASCAL-style pixel boxes
 * [x1, y1, x2, y2], inclusive, 0-based (a VOC file's 1-based values minus 1), so a box's
 * width is x2 - x1 + 1 as in py-faster-rcnn.
 */

/** [x1, y1, x2, y2], inclusive pixel coordinates, 0-based. */
export type PixelBox = [number, number, number, number];

/** One annotated object of an image. */
export interface AnnotatedObject {
  /** Class name as written in the annotation (e.g. "circle", "person"). */
  name: string;
  box: PixelBox;
  /** VOC "difficult": ignored by the evaluators, excluded from training by default. */
  difficult: boolean;
  /**
   * COCO "iscrowd": the box covers a group of objects. Absent means false. Crowd boxes are
   * never training targets; the COCO evaluator treats them as ignore regions.
   */
  crowd?: boolean;
}

/** One image of a split, with its annotations (original resolution). */
export interface ImageEntry {
  /** The image id (VOC: file stem; COCO: the numeric id as a string). */
  id: string;
  /** Absolute path (or object-store key) of the image file. */
  file: string;
  width: number;
  height: number;
  objects: AnnotatedObject[];
}

/** A detection dataset: class names (background excluded) and its splits. */
export interface DetectionDataset {
  /** Where it was read from (directory or store prefix), for messages. */
  source: string;
  /** Foreground class names; class index c (1-based in the model, 0 = background) is classes[c-1]. */
  classes: readonly string[];
  /** The image entries of a split (VOC ImageSets/Main/<split>.txt, COCO: the file's images). */
  split(name: string): ImageEntry[];
}

/**
 * One image prepared for the network: resized, optionally flipped, mean-subtracted.
 * This is what the model's train step and inference consume.
 */
export interface ImageBlob {
  imageId: string;
  /** HWC float32 pixels, RGB, pixel means subtracted. */
  pixels: Float32Array;
  /** Network input size (after resizing). */
  height: number;
  width: number;
  /** Resize factor applied to the original image (network px / original px). */
  scale: number;
  flipped: boolean;
  /** Ground-truth boxes in network pixels, 4 per box (x1 y1 x2 y2). Difficult objects excluded. */
  gtBoxes: Float32Array;
  /** Ground-truth class indices, 1..K (0 is background), one per box. */
  gtClasses: Int32Array;
}
