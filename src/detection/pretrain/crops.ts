/**
 * Classification samples for pre-training a backbone: crops around each object of a detection
 * dataset (label = its class, 1..K) and crops of background (label 0: at most 0.3 IoU with any
 * object), with random margins and shifts, resized to a fixed square. Drawn from decoded images
 * kept in memory, so an epoch costs no decoding.
 */
import type { ImageBlob } from '../../data/types.ts';
import type { Rng } from '../../util/rng.ts';
import { boxIouInto } from '../ops/boxes.ts';

export interface CropSample {
  /** Index of the source image. */
  image: number;
  /** Crop box in the image's network pixels, x1 y1 x2 y2. */
  box: [number, number, number, number];
  /** 0 background, 1..K the object's class. */
  label: number;
}

/** Share of background crops in a batch. */
export const BACKGROUND_SHARE = 0.25;

/** One random crop: an object with a margin of 0–40 % and a shift of up to 10 % of its size, or background. */
export function drawCrop(images: readonly ImageBlob[], rng: Rng): CropSample {
  const i = rng.int(0, images.length - 1);
  const img = images[i];
  const objects = img.gtClasses.length;
  if (objects > 0 && rng.uniform(0, 1) >= BACKGROUND_SHARE) return objectCrop(img, i, rng);
  // Background: a square of 24 px to half the image, away from every object (≤ 0.3 IoU).
  for (let attempt = 0; attempt < 20; attempt++) {
    const side = rng.uniform(24, Math.min(img.width, img.height) / 2);
    const x1 = rng.uniform(0, img.width - side);
    const y1 = rng.uniform(0, img.height - side);
    const box: [number, number, number, number] = [x1, y1, x1 + side - 1, y1 + side - 1];
    const iou = boxIouInto(Float32Array.from(box), img.gtBoxes, new Float64Array(objects));
    if (iou.every((v) => v <= 0.3)) return { image: i, box, label: 0 };
  }
  // An image crowded with objects (an image without any always succeeds above).
  return objectCrop(img, i, rng);
}

function objectCrop(img: ImageBlob, image: number, rng: Rng): CropSample {
  const k = rng.int(0, img.gtClasses.length - 1);
  const [x1, y1, x2, y2] = img.gtBoxes.subarray(4 * k, 4 * k + 4);
  const w = x2 - x1 + 1;
  const h = y2 - y1 + 1;
  const margin = rng.uniform(0, 0.4);
  const cx = (x1 + x2) / 2 + rng.uniform(-0.1, 0.1) * w;
  const cy = (y1 + y2) / 2 + rng.uniform(-0.1, 0.1) * h;
  const half = (Math.max(w, h) * (1 + margin)) / 2;
  return { image, box: [cx - half, cy - half, cx + half, cy + half], label: img.gtClasses[k] };
}
