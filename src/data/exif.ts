/**
 * EXIF orientation of JPEGs. cv2.imread (OpenCV ≥ 3.1, IMREAD_COLOR) turns images upright by
 * their EXIF Orientation tag, and so do annotation tools: boxes of a phone photo are drawn on
 * the upright picture. We do the same, so pixels and boxes agree as they do for py-faster-rcnn.
 */
import type { RgbImage } from './image-io.ts';

/** EXIF Orientation tag. */
const ORIENTATION_TAG = 0x0112;

/** The EXIF Orientation (1..8) of a JPEG; 1 (upright) when absent or unreadable. */
export function jpegOrientation(bytes: Uint8Array): number {
  let p = 2;
  while (p + 4 <= bytes.length && bytes[p] === 0xff) {
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p += 1;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break;
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    const seg = p + 4;
    if (marker === 0xe1 && len >= 16 && String.fromCharCode(...bytes.subarray(seg, seg + 4)) === 'Exif') {
      const o = readOrientation(bytes.subarray(seg + 6, p + 2 + len));
      if (o !== undefined) return o;
    }
    p += 2 + len;
  }
  return 1;
}

/** Orientation from a TIFF structure (IFD0), or undefined. */
function readOrientation(tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return undefined;
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const u16 = (i: number) => (le ? tiff[i] | (tiff[i + 1] << 8) : (tiff[i] << 8) | tiff[i + 1]);
  const u32 = (i: number) => (le ? (tiff[i] | (tiff[i + 1] << 8) | (tiff[i + 2] << 16)) + tiff[i + 3] * 2 ** 24 : tiff[i] * 2 ** 24 + ((tiff[i + 1] << 16) | (tiff[i + 2] << 8) | tiff[i + 3]));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const n = u16(ifd);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + 12 * k;
    if (e + 12 > tiff.length) return undefined;
    if (u16(e) === ORIENTATION_TAG) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

/** True when `orientation` swaps width and height (transpose, rotations by 90°). */
export function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/**
 * Turn an image upright by its EXIF orientation: 2 mirror, 3 rotate 180°, 4 flip vertically,
 * 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
 */
export function applyOrientation(img: RgbImage, orientation: number): RgbImage {
  if (orientation === 1 || !(orientation >= 2 && orientation <= 8)) return img;
  const { width: W, height: H, data } = img;
  const swap = swapsAxes(orientation);
  const w = swap ? H : W;
  const h = swap ? W : H;
  // Source (x, y) of output pixel (u, v).
  const src: (u: number, v: number) => number = {
    2: (u: number, v: number) => v * W + (W - 1 - u),
    3: (u: number, v: number) => (H - 1 - v) * W + (W - 1 - u),
    4: (u: number, v: number) => (H - 1 - v) * W + u,
    5: (u: number, v: number) => u * W + v,
    6: (u: number, v: number) => (H - 1 - u) * W + v,
    7: (u: number, v: number) => (H - 1 - u) * W + (W - 1 - v),
    8: (u: number, v: number) => u * W + (W - 1 - v),
  }[orientation]!;
  const out = new Uint8Array(data.length);
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      const s = 3 * src(u, v);
      const d = 3 * (v * w + u);
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { data: out, width: w, height: h };
}
