/**
 * A fast path for reading bbox results files: scans the JSON bytes for the four fields
 * COCOeval uses and writes them straight into typed arrays — no per-detection objects, so
 * no garbage collection (JSON.parse of 500k records spends most of its time allocating).
 *
 * It gives up (returns undefined) on anything unusual — a syntax error, a missing or
 * mistyped field, an image outside the ground truth — and the caller then runs the general
 * JSON.parse path, which produces the precise error. Numbers are parsed exactly: decimal
 * literals of at most 15 digits with a power of ten up to 22 take the exact fast path
 * (one correctly rounded division or multiplication), all others go through `Number()`.
 */
import type { CocoDetections, CocoGroundTruth, CocoId } from './coco-data.ts';

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** The keys we read, as bytes; a key is matched without decoding it to a string. */
const KEYS = ['image_id', 'category_id', 'score', 'bbox'].map((k) => Uint8Array.from(Buffer.from(k)));
const KEY_IMAGE = 0;
const KEY_CATEGORY = 1;
const KEY_SCORE = 2;
const KEY_BBOX = 3;
const KEY_OTHER = -1;

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

/** Parse a results file held in `bytes`; undefined when the general path must decide. */
export function parseCocoResultsFast(bytes: Uint8Array, gt: CocoGroundTruth, source: string): CocoDetections | undefined {
  try {
    return scan(bytes, gt, source);
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}

function scan(b: Uint8Array, gt: CocoGroundTruth, source: string): CocoDetections {
  const n = b.length;
  let i = 0;
  const ws = () => {
    while (i < n) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const expect = (c: number) => {
    ws();
    if (b[i] !== c) giveUp();
    i++;
  };
  const text = (a: number, z: number) => Buffer.from(b.buffer, b.byteOffset + a, z - a).toString('utf8');

  /** A JSON string at i (after the quote is checked): its decoded value. */
  const str = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < n && b[i] !== 0x22) {
      if (b[i] === 0x5c) {
        escaped = true;
        i++;
      }
      i++;
    }
    if (i >= n) giveUp();
    i++;
    return escaped ? (JSON.parse(text(start, i)) as string) : text(start + 1, i - 1);
  };

  const num = (): number => {
    const start = i;
    let neg = false;
    if (b[i] === 0x2d) {
      neg = true;
      i++;
    }
    let m = 0;
    let digits = 0;
    let frac = 0;
    const intStart = i;
    while (i < n && b[i] >= 0x30 && b[i] <= 0x39) {
      m = m * 10 + (b[i] - 0x30);
      digits++;
      i++;
    }
    if (i === intStart || (b[intStart] === 0x30 && i - intStart > 1)) giveUp(); // no digits, or a leading zero
    if (b[i] === 0x2e) {
      i++;
      const fracStart = i;
      while (i < n && b[i] >= 0x30 && b[i] <= 0x39) {
        m = m * 10 + (b[i] - 0x30);
        digits++;
        i++;
      }
      frac = i - fracStart;
      if (frac === 0) giveUp();
    }
    let exp = 0;
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      let eneg = false;
      if (b[i] === 0x2b || b[i] === 0x2d) {
        eneg = b[i] === 0x2d;
        i++;
      }
      const es = i;
      while (i < n && b[i] >= 0x30 && b[i] <= 0x39) {
        exp = exp * 10 + (b[i] - 0x30);
        i++;
      }
      if (i === es) giveUp();
      if (eneg) exp = -exp;
    }
    const e10 = exp - frac;
    let v: number;
    // Exact: m < 10^15 < 2^53 and 10^|e10| exact, so one IEEE operation rounds correctly.
    if (digits <= 15 && e10 >= -22 && e10 <= 22) v = e10 < 0 ? m / POW10[-e10] : m * POW10[e10];
    else v = Number(text(start + (neg ? 1 : 0), i));
    return neg ? -v : v;
  };

  const skipValue = (): void => {
    ws();
    const c = b[i];
    if (c === 0x22) str();
    else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      i++;
      ws();
      if (b[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === 0x7b) {
          ws();
          if (b[i] !== 0x22) giveUp();
          str();
          expect(0x3a);
        }
        skipValue();
        ws();
        if (b[i] === 0x2c) i++;
        else if (b[i] === close) {
          i++;
          return;
        } else giveUp();
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) num();
    else if (b[i] === 0x74 && text(i, i + 4) === 'true') i += 4;
    else if (b[i] === 0x66 && text(i, i + 5) === 'false') i += 5;
    else if (b[i] === 0x6e && text(i, i + 4) === 'null') i += 4;
    else giveUp();
  };

  /** The key at i (quote checked): one of KEYS' indices, or KEY_OTHER. */
  const key = (): number => {
    const start = i + 1;
    let j = start;
    while (j < n && b[j] !== 0x22) {
      if (b[j] === 0x5c) {
        // an escaped key: decode it properly
        const k = str();
        return KEYS.findIndex((kb) => Buffer.from(kb).toString() === k);
      }
      j++;
    }
    if (j >= n) giveUp();
    i = j + 1;
    const len = j - start;
    for (let k = 0; k < KEYS.length; k++) {
      const kb = KEYS[k];
      if (kb.length !== len) continue;
      let same = true;
      for (let q = 0; q < len; q++) {
        if (b[start + q] !== kb[q]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
    return KEY_OTHER;
  };

  const idValue = (): CocoId => {
    ws();
    if (b[i] === 0x22) return str();
    if (b[i] === 0x2d || (b[i] >= 0x30 && b[i] <= 0x39)) return num();
    return giveUp();
  };

  const imageIndex = new Map<CocoId, number>(gt.imageIds.map((id, k) => [id, k]));
  const catIndex = new Map<CocoId, number>(gt.categoryIds.map((id, k) => [id, k]));
  let cap = 1 << 16;
  let image = new Int32Array(cap);
  let category = new Int32Array(cap);
  let bbox = new Float64Array(4 * cap);
  let score = new Float64Array(cap);
  let count = 0;
  let skipped = 0;
  const box = new Float64Array(4);

  expect(0x5b);
  ws();
  if (b[i] === 0x5d) i++;
  else {
    for (;;) {
      expect(0x7b);
      let img: CocoId | undefined;
      let cat: CocoId | undefined;
      let s: number | undefined;
      let haveBox = false;
      ws();
      if (b[i] !== 0x7d) {
        for (;;) {
          ws();
          if (b[i] !== 0x22) giveUp();
          const k = key();
          expect(0x3a);
          ws();
          if (k === KEY_IMAGE) img = idValue();
          else if (k === KEY_CATEGORY) cat = idValue();
          else if (k === KEY_SCORE) {
            if (!(b[i] === 0x2d || (b[i] >= 0x30 && b[i] <= 0x39))) giveUp();
            s = num();
          } else if (k === KEY_BBOX) {
            expect(0x5b);
            for (let k = 0; k < 4; k++) {
              if (k > 0) expect(0x2c);
              ws();
              if (!(b[i] === 0x2d || (b[i] >= 0x30 && b[i] <= 0x39))) giveUp();
              box[k] = num();
            }
            expect(0x5d);
            haveBox = true;
          } else skipValue();
          ws();
          if (b[i] === 0x2c) i++;
          else if (b[i] === 0x7d) break;
          else giveUp();
        }
      }
      i++; // the closing brace
      if (img === undefined || cat === undefined || s === undefined || !haveBox) giveUp();
      if (!Number.isFinite(s) || !Number.isFinite(box[0] + box[1] + box[2] + box[3])) giveUp();
      const im = imageIndex.get(img as CocoId);
      if (im === undefined) giveUp();
      const c = catIndex.get(cat as CocoId);
      if (c === undefined) skipped++;
      else {
        if (count === cap) {
          cap *= 2;
          const grow = <T extends Int32Array | Float64Array>(a: T, k: number): T => {
            const out = new (a.constructor as new (len: number) => T)(k * cap);
            out.set(a);
            return out;
          };
          image = grow(image, 1);
          category = grow(category, 1);
          bbox = grow(bbox, 4);
          score = grow(score, 1);
        }
        image[count] = im as number;
        category[count] = c;
        score[count] = s as number;
        bbox.set(box, 4 * count);
        count++;
      }
      ws();
      if (b[i] === 0x2c) {
        i++;
        continue;
      }
      if (b[i] === 0x5d) {
        i++;
        break;
      }
      giveUp();
    }
  }
  ws();
  if (i !== n) giveUp();
  return {
    source,
    image: image.slice(0, count),
    category: category.slice(0, count),
    bbox: bbox.slice(0, 4 * count),
    score: score.slice(0, count),
    skippedUnknownCategory: skipped,
  };
}
