/**
 * The in-memory form of a model's detections, as the pipeline holds them after inference:
 * one flat record of N detections over many images (no per-detection objects).
 */

/**
 * N detections. Boxes are inclusive pixel boxes `[x1, y1, x2, y2]`, 0-based, in the original
 * image's coordinates (the convention of `src/data/types.ts`: width = x2 - x1 + 1).
 */
export interface DetectionList {
  /** Image id of each detection (length N); ids as in `ImageEntry.id`. */
  imageIds: readonly string[];
  /** 4N numbers, row-major x1 y1 x2 y2. */
  boxes: Float32Array | Float64Array;
  /** N confidences; higher is more confident. */
  scores: Float32Array | Float64Array;
  /** N class labels, 1..K; label c is `classes[c - 1]` of the dataset (0 is background). */
  labels: Int32Array | Uint8Array | Uint16Array;
}

/** Throws a RangeError when the arrays of `d` disagree in length (a programming error, not input). */
export function checkDetectionList(d: DetectionList): number {
  const n = d.imageIds.length;
  if (d.boxes.length !== 4 * n || d.scores.length !== n || d.labels.length !== n) {
    throw new RangeError(
      `DetectionList: ${n} image ids but ${d.boxes.length} box numbers (want ${4 * n}), ` +
        `${d.scores.length} scores and ${d.labels.length} labels`,
    );
  }
  return n;
}
