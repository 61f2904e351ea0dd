/**
 * A contact sheet of dataset images with their boxes drawn, one colour per class — to eyeball
 * a generated or converted dataset before spending hours training on it.
 */
import { decodeImage } from './image-io.ts';
import { resizeBilinear } from './resize.ts';
import type { ImageEntry } from './types.ts';

/** Distinct, saturated box colours, cycled over the classes. */
export const CLASS_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240],
  [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255], [170, 110, 40], [255, 250, 200],
  [128, 0, 0], [170, 255, 195], [128, 128, 0], [255, 215, 180], [0, 0, 128], [128, 128, 128],
];

export interface ContactSheetOptions {
  /** Images per row. @default 4 */
  cols?: number;
  /** Side of each tile in pixels; images are scaled to fit, keeping their aspect. @default 256 */
  tile?: number;
}

/** RGB HWC pixels of a grid of `entries` with boxes drawn (difficult boxes dashed, crowd boxes skipped). */
export async function renderContactSheet(
  entries: readonly ImageEntry[],
  classes: readonly string[],
  opts: ContactSheetOptions = {},
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const cols = Math.max(1, Math.min(opts.cols ?? 4, entries.length));
  const tile = opts.tile ?? 256;
  const rows = Math.max(1, Math.ceil(entries.length / cols));
  const width = cols * tile;
  const height = rows * tile;
  const data = new Uint8Array(width * height * 3).fill(32);
  const put = (x: number, y: number, c: ArrayLike<number>) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const o = (y * width + x) * 3;
    data[o] = c[0];
    data[o + 1] = c[1];
    data[o + 2] = c[2];
  };
  for (const [k, e] of entries.entries()) {
    const img = await decodeImage(e.file);
    const s = Math.min(tile / img.width, tile / img.height);
    const w = Math.max(1, Math.round(img.width * s));
    const h = Math.max(1, Math.round(img.height * s));
    const px = resizeBilinear(img.data, img.width, img.height, w, h);
    const ox = (k % cols) * tile;
    const oy = Math.floor(k / cols) * tile;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) put(ox + x, oy + y, px.subarray((y * w + x) * 3, (y * w + x) * 3 + 3).map(Math.round));
    for (const o of e.objects) {
      if (o.crowd) continue;
      const ci = classes.indexOf(o.name);
      const colour = CLASS_COLOURS[(ci < 0 ? classes.length : ci) % CLASS_COLOURS.length];
      const [x1, y1, x2, y2] = o.box.map((v) => Math.round(v * s));
      for (let x = x1; x <= x2; x++) {
        if (o.difficult && x % 4 >= 2) continue;
        put(ox + x, oy + y1, colour);
        put(ox + x, oy + y2, colour);
      }
      for (let y = y1; y <= y2; y++) {
        if (o.difficult && y % 4 >= 2) continue;
        put(ox + x1, oy + y, colour);
        put(ox + x2, oy + y, colour);
      }
    }
  }
  return { data, width, height };
}
