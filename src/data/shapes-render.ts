/**
 * Renders one image of the generated "shapes" dataset: filled circles, squares, triangles and
 * crosses on a noisy gradient background with faint clutter lines. Objects vary in size
 * (log-uniform), aspect ratio (triangles and crosses), colour (kept apart from the local
 * background) and may overlap a little; each object's box is its exact geometric extent.
 * Pure: the output depends only on the RNG's state and the options.
 */
import type { Rng } from '../util/rng.ts';
import type { PixelBox } from './types.ts';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export interface ShapesRenderOptions {
  width: number;
  height: number;
  /** Objects per image, inclusive range. */
  minObjects: number;
  maxObjects: number;
  /** Object box side range in pixels (the geometric mean of width and height). */
  minSide: number;
  maxSide: number;
  /** Width/height range for triangles and crosses (circles and squares stay 1). */
  minAspect: number;
  maxAspect: number;
  /** Most of an earlier object's box a later one may cover (intersection / earlier area). */
  maxOcclusion: number;
  /** Most IoU between any two objects. */
  maxIou: number;
  /** Pixel noise standard deviation range (0–255 scale). */
  minNoise: number;
  maxNoise: number;
}

/** Defaults for a `width`×`height` image: sides from 24 px (at 256) to half the shorter side. */
export function defaultRenderOptions(width: number, height: number): ShapesRenderOptions {
  const short = Math.min(width, height);
  return {
    width,
    height,
    minObjects: 1,
    maxObjects: 4,
    minSide: Math.max(8, Math.round((24 * short) / 256)),
    maxSide: Math.max(8, Math.round(short / 2)),
    minAspect: 0.6,
    maxAspect: 1.6,
    maxOcclusion: 0.3,
    maxIou: 0.3,
    minNoise: 3,
    maxNoise: 14,
  };
}

export interface RenderedObject {
  name: ShapeClass;
  /** 0-based inclusive pixels. */
  box: PixelBox;
}

export interface RenderedImage {
  /** RGB HWC bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
  objects: RenderedObject[];
}

type Rgb = [number, number, number];

/** Supersampling grid per pixel edge: 4×4 samples give anti-aliased edges like a photo. */
const SUBSAMPLES = 4;
/** Tries to place an object before giving up on it (the first always fits: nothing to overlap). */
const PLACEMENT_TRIES = 50;
/** Smallest RGB distance between a shape and the background under it. */
const MIN_COLOUR_DISTANCE = 110;

function luminance(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

function colourDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function randomColour(rng: Rng): Rgb {
  return [rng.int(0, 256), rng.int(0, 256), rng.int(0, 256)];
}

/** A colour far enough from `bg`; black or white (whichever is farther) if none turns up. */
function contrastingColour(rng: Rng, bg: Rgb): Rgb {
  for (let i = 0; i < 30; i++) {
    const c = randomColour(rng);
    if (colourDistance(c, bg) >= MIN_COLOUR_DISTANCE && Math.abs(luminance(c) - luminance(bg)) >= 35) return c;
  }
  return luminance(bg) > 128 ? [0, 0, 0] : [255, 255, 255];
}

function intersection(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  return w > 0 && h > 0 ? w * h : 0;
}

function area(b: PixelBox): number {
  return (b[2] - b[0] + 1) * (b[3] - b[1] + 1);
}

/** Inside-test of a shape in continuous coordinates; its box is [x, x+w) × [y, y+h). */
type InsideTest = (px: number, py: number) => boolean;

/** A shape as a union of convex parts (a cross is two bars), each an inside-test. */
function shapeParts(name: ShapeClass, x: number, y: number, w: number, h: number, rng: Rng): InsideTest[] {
  const cx = x + w / 2;
  const cy = y + h / 2;
  switch (name) {
    case 'circle': {
      const r = w / 2;
      return [(px, py) => (px - cx) ** 2 + (py - cy) ** 2 <= r * r];
    }
    case 'square':
      return [() => true];
    case 'triangle': {
      // Isosceles, apex up or down; the base spans the full box width.
      const up = rng.next() < 0.5;
      return [
        (px, py) => {
          const t = up ? (py - y) / h : (y + h - py) / h;
          return Math.abs(px - cx) <= (w / 2) * t;
        },
      ];
    }
    case 'cross': {
      const thick = rng.uniform(0.26, 0.4);
      const halfH = (thick * h) / 2;
      const halfW = (thick * w) / 2;
      return [(_px, py) => Math.abs(py - cy) <= halfH, (px) => Math.abs(px - cx) <= halfW];
    }
  }
}

function paintBackground(rng: Rng, width: number, height: number): Float32Array {
  const img = new Float32Array(width * height * 3);
  const c0 = randomColour(rng);
  const c1 = randomColour(rng);
  const angle = rng.uniform(0, 2 * Math.PI);
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const extent = Math.abs(dx) * width + Math.abs(dy) * height;
  // A faint low-frequency ripple so the background is not a plane a detector can subtract.
  const ripple = rng.uniform(0, 14);
  const freq = rng.uniform(1, 4) * ((2 * Math.PI) / Math.max(width, height));
  const rAngle = rng.uniform(0, 2 * Math.PI);
  const rx = Math.cos(rAngle) * freq;
  const ry = Math.sin(rAngle) * freq;
  const phase = rng.uniform(0, 2 * Math.PI);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = ((x - width / 2) * dx + (y - height / 2) * dy) / extent + 0.5;
      const r = ripple * Math.sin(x * rx + y * ry + phase);
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) img[o + k] = c0[k] + (c1[k] - c0[k]) * t + r;
    }
  }
  // Clutter: a few thin straight lines, so not every edge belongs to an object.
  const lines = rng.int(0, 3);
  for (let l = 0; l < lines; l++) {
    const colour = randomColour(rng);
    const alpha = rng.uniform(0.25, 0.6);
    const x0 = rng.uniform(0, width);
    const y0 = rng.uniform(0, height);
    const a = rng.uniform(0, Math.PI);
    const ux = Math.cos(a);
    const uy = Math.sin(a);
    const half = rng.uniform(0.5, 1.2);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const d = Math.abs((x + 0.5 - x0) * uy - (y + 0.5 - y0) * ux);
        if (d > half + 0.5) continue;
        const cov = alpha * Math.min(1, half + 0.5 - d);
        const o = (y * width + x) * 3;
        for (let k = 0; k < 3; k++) img[o + k] += (colour[k] - img[o + k]) * cov;
      }
    }
  }
  return img;
}

function meanColour(img: Float32Array, width: number, b: PixelBox): Rgb {
  const sum: Rgb = [0, 0, 0];
  let n = 0;
  // A sparse grid is plenty for a mean under a shape.
  const step = Math.max(1, Math.floor(Math.min(b[2] - b[0], b[3] - b[1]) / 8));
  for (let y = b[1]; y <= b[3]; y += step) {
    for (let x = b[0]; x <= b[2]; x += step) {
      const o = (y * width + x) * 3;
      sum[0] += img[o];
      sum[1] += img[o + 1];
      sum[2] += img[o + 2];
      n++;
    }
  }
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

function paintShape(img: Float32Array, width: number, b: PixelBox, parts: InsideTest[], colour: Rgb): void {
  const inv = 1 / SUBSAMPLES;
  const first = 0.5 * inv;
  const last = (SUBSAMPLES - 0.5) * inv;
  const inside = (px: number, py: number) => parts.some((t) => t(px, py));
  for (let y = b[1]; y <= b[3]; y++) {
    for (let x = b[0]; x <= b[2]; x++) {
      // Interior pixels: a convex part holding the four corner samples holds all of them.
      let hits = 0;
      const full = parts.some((t) => t(x + first, y + first) && t(x + last, y + first) && t(x + first, y + last) && t(x + last, y + last));
      if (full) hits = SUBSAMPLES * SUBSAMPLES;
      else {
        for (let j = 0; j < SUBSAMPLES; j++) {
          for (let i = 0; i < SUBSAMPLES; i++) if (inside(x + (i + 0.5) * inv, y + (j + 0.5) * inv)) hits++;
        }
      }
      if (hits === 0) continue;
      const cov = hits / (SUBSAMPLES * SUBSAMPLES);
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) img[o + k] += (colour[k] - img[o + k]) * cov;
    }
  }
}

/** Draw the size and aspect of one object; returns integer box width and height. */
function drawSize(rng: Rng, name: ShapeClass, o: ShapesRenderOptions): [number, number] {
  const side = Math.exp(rng.uniform(Math.log(o.minSide), Math.log(o.maxSide)));
  if (name === 'circle' || name === 'square') {
    const s = Math.min(o.width, o.height, Math.max(4, Math.round(side)));
    return [s, s];
  }
  const aspect = Math.exp(rng.uniform(Math.log(o.minAspect), Math.log(o.maxAspect)));
  const w = Math.min(o.width, Math.max(4, Math.round(side * Math.sqrt(aspect))));
  const h = Math.min(o.height, Math.max(4, Math.round(side / Math.sqrt(aspect))));
  return [w, h];
}

export function renderShapesImage(rng: Rng, o: ShapesRenderOptions): RenderedImage {
  const { width, height } = o;
  const img = paintBackground(rng, width, height);
  const n = rng.int(o.minObjects, o.maxObjects + 1);
  const objects: RenderedObject[] = [];
  for (let k = 0; k < n; k++) {
    const name = SHAPE_CLASSES[rng.int(0, SHAPE_CLASSES.length)];
    let placed: PixelBox | undefined;
    for (let t = 0; t < PLACEMENT_TRIES && !placed; t++) {
      const [w, h] = drawSize(rng, name, o);
      const x = rng.int(0, width - w + 1);
      const y = rng.int(0, height - h + 1);
      const box: PixelBox = [x, y, x + w - 1, y + h - 1];
      const fits = objects.every((prev) => {
        const inter = intersection(prev.box, box);
        const iou = inter / (area(prev.box) + area(box) - inter);
        return iou <= o.maxIou && inter / area(prev.box) <= o.maxOcclusion;
      });
      if (fits) placed = box;
    }
    if (!placed) continue;
    const [x1, y1, x2, y2] = placed;
    const parts = shapeParts(name, x1, y1, x2 - x1 + 1, y2 - y1 + 1, rng);
    paintShape(img, width, placed, parts, contrastingColour(rng, meanColour(img, width, placed)));
    objects.push({ name, box: placed });
  }
  const sigma = rng.uniform(o.minNoise, o.maxNoise);
  const pixels = new Uint8Array(img.length);
  const put = (i: number, v: number) => {
    const r = Math.round(img[i] + sigma * v);
    pixels[i] = r < 0 ? 0 : r > 255 ? 255 : r;
  };
  // Box–Muller gives two independent normals per draw: use both.
  for (let i = 0; i < img.length; i += 2) {
    let u = 0;
    while (u === 0) u = rng.next();
    const rad = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * rng.next();
    put(i, rad * Math.cos(a));
    if (i + 1 < img.length) put(i + 1, rad * Math.sin(a));
  }
  return { pixels, width, height, objects };
}
