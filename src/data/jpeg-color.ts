/**
 * JPEG decoding that matches libjpeg (what cv2.imread, and so py-faster-rcnn, uses) closer
 * than jpeg-js does alone. jpeg-js replicates subsampled chroma (nearest neighbour) and
 * truncates its float YCbCr→RGB conversion; libjpeg interpolates chroma ("fancy upsampling",
 * jdsample.c) and converts with fixed-point tables (jdcolor.c). On a 4:2:0 JPEG — nearly
 * every VOC/COCO image — that difference reaches 57 levels at colour edges (mean 1.5).
 *
 * So: jpeg-js decodes the DCT data with `colorTransform: false` (raw Y, Cb, Cr planes, chroma
 * replicated), we read the sampling factors from the frame header, recover each chroma plane
 * at its own resolution, upsample it as libjpeg-turbo does and convert with libjpeg's tables.
 * What remains is IDCT rounding (jpeg-js's poppler IDCT vs libjpeg's islow): a few levels.
 * Other layouts (grayscale, CMYK, Adobe RGB, unusual factors) take jpeg-js's own path.
 */

export interface JpegFrame {
  width: number;
  height: number;
  components: Array<{ id: number; h: number; v: number }>;
  /** Adobe APP14 transform flag when present: 0 = no colour transform (RGB / CMYK). */
  adobeTransform?: number;
}

/** The frame header (SOFn) and Adobe marker of a JPEG, or undefined when none is found. */
export function readJpegFrame(bytes: Uint8Array): JpegFrame | undefined {
  let p = 2;
  let adobeTransform: number | undefined;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return undefined;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p += 1;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // start of scan / end before any frame
    const len = (bytes[p + 2] << 8) | bytes[p + 3];
    const seg = p + 4;
    if (marker === 0xee && len >= 14 && String.fromCharCode(...bytes.subarray(seg, seg + 5)) === 'Adobe') {
      adobeTransform = bytes[seg + 11];
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (seg + 6 > bytes.length) return undefined;
      const height = (bytes[seg + 1] << 8) | bytes[seg + 2];
      const width = (bytes[seg + 3] << 8) | bytes[seg + 4];
      const n = bytes[seg + 5];
      const components: JpegFrame['components'] = [];
      for (let i = 0; i < n; i++) {
        const c = seg + 6 + 3 * i;
        if (c + 2 >= bytes.length) return undefined;
        components.push({ id: bytes[c], h: bytes[c + 1] >> 4, v: bytes[c + 1] & 15 });
      }
      // The Adobe marker may follow the frame header; look on until the scan for it.
      if (adobeTransform === undefined) {
        let q = p + 2 + len;
        while (q + 4 <= bytes.length && bytes[q] === 0xff && bytes[q + 1] !== 0xda) {
          const l = (bytes[q + 2] << 8) | bytes[q + 3];
          if (bytes[q + 1] === 0xee && l >= 14 && String.fromCharCode(...bytes.subarray(q + 4, q + 9)) === 'Adobe') adobeTransform = bytes[q + 4 + 11];
          q += 2 + l;
        }
      }
      return { width, height, components, adobeTransform };
    }
    p += 2 + len;
  }
  return undefined;
}

/** True when `frame` is 3-component YCbCr with luma at full resolution and chroma at 1 or 1/2 per axis. */
export function isUpsampledYcc(frame: JpegFrame): boolean {
  if (frame.components.length !== 3 || frame.adobeTransform === 0) return false;
  // Component ids 'R','G','B' mark an RGB JPEG (libjpeg's jdapimin.c default_decompress_parms).
  const [a, b, c] = frame.components;
  if (a.id === 0x52 && b.id === 0x47 && c.id === 0x42) return false;
  const maxH = Math.max(a.h, b.h, c.h);
  const maxV = Math.max(a.v, b.v, c.v);
  if (a.h !== maxH || a.v !== maxV) return false;
  return [b, c].every((k) => (maxH / k.h === 1 || maxH / k.h === 2) && (maxV / k.v === 1 || maxV / k.v === 2));
}

const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number) => Math.floor(x * (1 << SCALEBITS) + 0.5);
/** libjpeg's jdcolor.c build_ycc_rgb_table, indexed by the 8-bit Cb/Cr sample. */
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}
const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Upsample one chroma plane (`dw`×`dh` samples) by `sx`×`sy` ∈ {1,2}² into `out` (W×H),
 * as libjpeg-turbo's h2v2/h2v1/h1v2 fancy upsamplers (edge rows and columns replicated).
 */
function fancyUpsample(d: Uint8Array, dw: number, dh: number, sx: number, sy: number, out: Uint8Array, W: number, H: number): void {
  const row = new Int32Array(dw); // vertically blended column sums for one output row
  for (let y = 0; y < H; y++) {
    const r = sy === 2 ? y >> 1 : y;
    // h2v2 / h1v2: 3 × nearest row + 1 × the next-nearest (above for even rows, below for odd).
    let bias = 0;
    if (sy === 2) {
      const other = y & 1 ? Math.min(r + 1, dh - 1) : Math.max(r - 1, 0);
      for (let i = 0; i < dw; i++) row[i] = 3 * d[r * dw + i] + d[other * dw + i];
      bias = y & 1 ? 2 : 1;
    } else {
      for (let i = 0; i < dw; i++) row[i] = d[r * dw + i];
    }
    const o = y * W;
    if (sx === 1) {
      // h1v2: (colsum + bias) >> 2; h1v1 would not come here.
      for (let x = 0; x < W; x++) out[o + x] = sy === 2 ? (row[x] + bias) >> 2 : row[x];
    } else if (sy === 2) {
      // h2v2: horizontal 3:1 blend of the column sums, biases 8 and 7, edges ×4.
      for (let x = 0; x < W; x++) {
        const i = x >> 1;
        const v = x & 1 ? (i === dw - 1 ? row[i] * 4 + 7 : row[i] * 3 + row[i + 1] + 7) : i === 0 ? row[i] * 4 + 8 : row[i] * 3 + row[i - 1] + 8;
        out[o + x] = v >> 4;
      }
    } else {
      // h2v1: 3:1 blend with biases 1 and 2; the first and last output samples copy the input.
      for (let x = 0; x < W; x++) {
        const i = x >> 1;
        const v = x & 1 ? (i === dw - 1 ? row[i] * 4 : row[i] * 3 + row[i + 1] + 2) : i === 0 ? row[i] * 4 : row[i] * 3 + row[i - 1] + 1;
        out[o + x] = v >> 2;
      }
    }
  }
}

/**
 * RGB from jpeg-js's raw (untransformed) interleaved Y/Cb/Cr output of a YCbCr JPEG with
 * `frame`'s sampling, the libjpeg way. `raw` holds W×H×3 samples, chroma replicated.
 */
export function libjpegColour(raw: Uint8Array, frame: JpegFrame): Uint8Array {
  const W = frame.width;
  const H = frame.height;
  const maxH = Math.max(...frame.components.map((c) => c.h));
  const maxV = Math.max(...frame.components.map((c) => c.v));
  const chroma: Uint8Array[] = [];
  for (const k of [1, 2]) {
    const comp = frame.components[k];
    const sx = maxH / comp.h;
    const sy = maxV / comp.v;
    const plane = new Uint8Array(W * H);
    const dw = Math.ceil((W * comp.h) / maxH);
    const dh = Math.ceil((H * comp.v) / maxV);
    // libjpeg only interpolates horizontally when the plane is wider than 2 samples (jdsample.c).
    const fancy = (sx === 1 && sy === 1) || (sx === 2 && dw <= 2) ? false : true;
    if (!fancy) {
      for (let i = 0; i < W * H; i++) plane[i] = raw[3 * i + k];
    } else {
      // jpeg-js maps output x to sample floor(x / sx): sample i sits at x = i·sx.
      const d = new Uint8Array(dw * dh);
      for (let j = 0; j < dh; j++) for (let i = 0; i < dw; i++) d[j * dw + i] = raw[3 * ((j * sy) * W + i * sx) + k];
      fancyUpsample(d, dw, dh, sx, sy, plane, W, H);
    }
    chroma.push(plane);
  }
  const [cbP, crP] = chroma;
  const out = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const y = raw[3 * i];
    const cb = cbP[i];
    const cr = crP[i];
    out[3 * i] = clamp8(y + CR_R[cr]);
    out[3 * i + 1] = clamp8(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
    out[3 * i + 2] = clamp8(y + CB_B[cb]);
  }
  return out;
}
