/**
 * Image rescaling as py-faster-rcnn does it: the scale rule of `prep_im_for_blob` (shorter
 * side to a target, longer side capped) and `cv2.resize(..., fx=s, fy=s, INTER_LINEAR)` on
 * float pixels (half-pixel centres, edge samples clamped).
 */

/** Round half to even, as numpy's `np.round` and OpenCV's `cvRound` (SSE2 `cvtsd2si`) do. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; step back to the even neighbour on exact ties.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The resize factor of py-faster-rcnn's `prep_im_for_blob`: `targetSize / shorter side`,
 * unless the longer side would then round to more than `maxSize`, in which case
 * `maxSize / longer side`. E.g. 500×375 with (600, 1000) → 1.6; 1000×300 → 1.0.
 */
export function computeScale(width: number, height: number, targetSize: number, maxSize: number): number {
  if (!(width > 0 && height > 0)) throw new RangeError(`computeScale: image size must be positive, got ${width}x${height}`);
  if (!(targetSize > 0 && maxSize > 0)) throw new RangeError(`computeScale: sizes must be positive, got target ${targetSize}, max ${maxSize}`);
  const sizeMin = Math.min(width, height);
  const sizeMax = Math.max(width, height);
  let scale = targetSize / sizeMin;
  if (roundHalfEven(scale * sizeMax) > maxSize) scale = maxSize / sizeMax;
  return scale;
}

/** Output size of `cv2.resize(im, None, fx=scale, fy=scale)`: each side rounded half-to-even. */
export function scaledSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, roundHalfEven(width * scale)), height: Math.max(1, roundHalfEven(height * scale)) };
}

export interface ResizeOptions {
  /** Interleaved channels per pixel. @default 3 */
  channels?: number;
  /**
   * The factor cv2 maps coordinates with (its `fx`); `dstW / srcW` when omitted. py-faster-rcnn
   * passes `fx = im_scale`, which differs slightly from `dstW / srcW` after rounding.
   */
  scaleX?: number;
  /** As `scaleX`, vertically (`fy`). */
  scaleY?: number;
}

/** Source index pairs and weights for one axis, as OpenCV's `resize` computes them for INTER_LINEAR. */
function axisTaps(srcLen: number, dstLen: number, scale: number): { i0: Int32Array; i1: Int32Array; w1: Float32Array } {
  const i0 = new Int32Array(dstLen);
  const i1 = new Int32Array(dstLen);
  const w1 = new Float32Array(dstLen);
  const inv = 1 / scale;
  for (let d = 0; d < dstLen; d++) {
    // cv2: fx = (float)((dx + 0.5) * scale_x - 0.5); sx = floor(fx); fx -= sx; clamp at both edges.
    let f = Math.fround((d + 0.5) * inv - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= srcLen - 1) {
      s = srcLen - 1;
      f = 0;
    }
    i0[d] = s;
    i1[d] = Math.min(s + 1, srcLen - 1);
    w1[d] = f;
  }
  return { i0, i1, w1 };
}

/**
 * Bilinear resize of an interleaved (HWC) image, like `cv2.resize(..., INTER_LINEAR)` on
 * float32 input: destination pixel centres map to `(d + 0.5) / scale - 0.5` in the source,
 * samples outside the image clamp to the edge. Returns `dstH * dstW * channels` floats.
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  opts: ResizeOptions = {},
): Float32Array {
  const c = opts.channels ?? 3;
  if (src.length !== srcW * srcH * c) {
    throw new RangeError(`resizeBilinear: expected ${srcW * srcH * c} values for ${srcW}x${srcH}x${c}, got ${src.length}`);
  }
  if (!(dstW >= 1 && dstH >= 1)) throw new RangeError(`resizeBilinear: bad output size ${dstW}x${dstH}`);
  const xs = axisTaps(srcW, dstW, opts.scaleX ?? dstW / srcW);
  const ys = axisTaps(srcH, dstH, opts.scaleY ?? dstH / srcH);
  const out = new Float32Array(dstW * dstH * c);
  // Horizontal pass into two row buffers, then the vertical blend (cv2's order of operations).
  const row0 = new Float32Array(dstW * c);
  const row1 = new Float32Array(dstW * c);
  const hpass = (sy: number, row: Float32Array) => {
    const base = sy * srcW * c;
    for (let dx = 0; dx < dstW; dx++) {
      const a = base + xs.i0[dx] * c;
      const b = base + xs.i1[dx] * c;
      const w = xs.w1[dx];
      for (let k = 0; k < c; k++) row[dx * c + k] = src[a + k] * (1 - w) + src[b + k] * w;
    }
  };
  let have0 = -1;
  let have1 = -1;
  for (let dy = 0; dy < dstH; dy++) {
    const y0 = ys.i0[dy];
    const y1 = ys.i1[dy];
    if (have0 !== y0) {
      if (have1 === y0) row0.set(row1);
      else hpass(y0, row0);
      have0 = y0;
    }
    if (have1 !== y1) {
      hpass(y1, row1);
      have1 = y1;
    }
    const w = ys.w1[dy];
    const o = dy * dstW * c;
    for (let i = 0; i < dstW * c; i++) out[o + i] = row0[i] * (1 - w) + row1[i] * w;
  }
  return out;
}
