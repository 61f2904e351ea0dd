/**
 * Horizontal flips, as py-faster-rcnn's `append_flipped_images` and `get_minibatch`:
 * boxes become x1' = W − x2 − 1, x2' = W − x1 − 1 (inclusive pixels), images mirror columns.
 */

/** Flip a box list (4N floats, x1 y1 x2 y2, 0-based inclusive) within an image `width` wide. */
export function flipBoxes(boxes: ArrayLike<number>, width: number): Float32Array {
  if (boxes.length % 4 !== 0) throw new RangeError(`flipBoxes: length ${boxes.length} is not a multiple of 4`);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = width - boxes[i + 2] - 1;
    out[i + 1] = boxes[i + 1];
    out[i + 2] = width - boxes[i] - 1;
    out[i + 3] = boxes[i + 3];
  }
  return out;
}

/** Mirror an interleaved HWC image left–right; returns a new array of the same type. */
export function flipImageHwc<T extends Uint8Array | Float32Array>(data: T, width: number, height: number, channels = 3): T {
  if (data.length !== width * height * channels) {
    throw new RangeError(`flipImageHwc: expected ${width * height * channels} values, got ${data.length}`);
  }
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const rowLen = width * channels;
  for (let y = 0; y < height; y++) {
    const r = y * rowLen;
    for (let x = 0; x < width; x++) {
      const s = r + x * channels;
      const d = r + (width - 1 - x) * channels;
      for (let k = 0; k < channels; k++) out[d + k] = data[s + k];
    }
  }
  return out;
}
