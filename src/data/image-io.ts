/**
 * Image files: decode JPEG/PNG to RGB (HWC, uint8), read the size from the header alone,
 * and encode RGB pixels back to JPEG or PNG. The format is chosen by magic bytes, never by
 * the file extension (VOC trees keep PNGs in `JPEGImages/` as often as not).
 */
import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InputError } from '../util/errors.ts';
import { applyOrientation, jpegOrientation, swapsAxes } from './exif.ts';
import { isUpsampledYcc, libjpegColour, readJpegFrame } from './jpeg-color.ts';

export type ImageFormat = 'jpg' | 'png';

/** Decoded pixels: RGB, HWC, row-major, `width * height * 3` bytes. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** jpeg-js refuses images above this many megapixels; large enough for any detection dataset. */
const MAX_RESOLUTION_MP = 200;
const MAX_JPEG_MEMORY_MB = 2048;

/** The format named by the first bytes of a file, or undefined when it is neither JPEG nor PNG. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (
    bytes.length >= 8 &&
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47 &&
    bytes[4] === 0x0d &&
    bytes[5] === 0x0a &&
    bytes[6] === 0x1a &&
    bytes[7] === 0x0a
  ) {
    return 'png';
  }
  return undefined;
}

async function readImageFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'image file not found' : `cannot read image file (${code ?? String(err)})`;
    throw new InputError(file, what, { cause: err });
  }
}

function magicError(file: string, bytes: Uint8Array): InputError {
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new InputError(file, `not a JPEG or PNG image (first bytes: ${head || 'none, the file is empty'})`);
}

/** Decode bytes already in memory; `where` names the source in error messages. */
export function decodeImageBytes(bytes: Uint8Array, where: string): RgbImage {
  const format = sniffFormat(bytes);
  if (format === 'jpg') {
    try {
      const frame = readJpegFrame(bytes);
      const ycc = frame !== undefined && isUpsampledYcc(frame);
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        // Raw planes for YCbCr: chroma upsampling and colour conversion done the libjpeg way.
        ...(ycc ? { colorTransform: false } : {}),
        maxResolutionInMP: MAX_RESOLUTION_MP,
        maxMemoryUsageInMB: MAX_JPEG_MEMORY_MB,
      });
      if (ycc && (frame.width !== img.width || frame.height !== img.height)) {
        throw new Error(`frame header says ${frame.width}x${frame.height}, the decoder found ${img.width}x${img.height}`);
      }
      const rgb = ycc ? libjpegColour(img.data, frame) : img.data;
      return applyOrientation({ data: rgb, width: img.width, height: img.height }, jpegOrientation(bytes));
    } catch (err) {
      throw new InputError(where, `cannot decode JPEG: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  if (format === 'png') {
    let png: { width: number; height: number; data: Buffer };
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new InputError(where, `cannot decode PNG: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // pngjs always hands back 8-bit RGBA; drop alpha as cv2.imread(IMREAD_COLOR) does.
    const n = png.width * png.height;
    const rgb = new Uint8Array(n * 3);
    const src = png.data;
    for (let i = 0, j = 0; i < n; i++, j += 4) {
      rgb[3 * i] = src[j];
      rgb[3 * i + 1] = src[j + 1];
      rgb[3 * i + 2] = src[j + 2];
    }
    return { data: rgb, width: png.width, height: png.height };
  }
  throw magicError(where, bytes);
}

/**
 * Decode a JPEG or PNG file to RGB HWC bytes, as cv2.imread(IMREAD_COLOR) would (JPEGs turned
 * upright by their EXIF orientation, PNG alpha dropped). Errors are `InputError`s naming the file.
 */
export async function decodeImage(file: string): Promise<RgbImage> {
  return decodeImageBytes(await readImageFile(file), file);
}

/** Width and height from a JPEG/PNG file's header, without decoding the pixels. */
export async function readImageSize(file: string): Promise<{ width: number; height: number; format: ImageFormat }> {
  return imageSizeOfBytes(await readImageFile(file), file);
}

/**
 * Width and height (as `decodeImage` returns the image: EXIF-upright) from the header bytes of
 * a JPEG or PNG; `where` names the source in errors.
 */
export function imageSizeOfBytes(bytes: Uint8Array, where: string): { width: number; height: number; format: ImageFormat } {
  const format = sniffFormat(bytes);
  if (format === 'png') {
    if (bytes.length < 24) throw new InputError(where, 'truncated PNG header');
    const u32 = (i: number) => bytes[i] * 2 ** 24 + ((bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]);
    return { width: u32(16), height: u32(20), format };
  }
  if (format === 'jpg') {
    const frame = readJpegFrame(bytes);
    if (!frame) throw new InputError(where, 'JPEG without a readable start-of-frame header');
    const { width: w, height: h } = frame;
    return swapsAxes(jpegOrientation(bytes)) ? { width: h, height: w, format } : { width: w, height: h, format };
  }
  throw magicError(where, bytes);
}

/** Encode RGB HWC bytes; JPEG at `quality` (1..100), PNG lossless. */
export function encodeImage(img: RgbImage, format: ImageFormat, quality = 90): Buffer {
  const n = img.width * img.height;
  if (img.data.length !== n * 3) {
    throw new RangeError(`encodeImage: expected ${n * 3} bytes for ${img.width}x${img.height} RGB, got ${img.data.length}`);
  }
  const rgba = Buffer.alloc(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    rgba[j] = img.data[3 * i];
    rgba[j + 1] = img.data[3 * i + 1];
    rgba[j + 2] = img.data[3 * i + 2];
    rgba[j + 3] = 255;
  }
  if (format === 'jpg') return jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data;
  const png = new PNG({ width: img.width, height: img.height });
  rgba.copy(png.data);
  return PNG.sync.write(png, { colorType: 2 });
}
