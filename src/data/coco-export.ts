/**
 * A split of any loaded dataset as COCO ground-truth JSON, so reference tools (pycocotools'
 * COCOeval) can score the same data our evaluators do. Boxes: 0-based inclusive
 * [x1, y1, x2, y2] → [x1, y1, x2 − x1 + 1, y2 − y1 + 1], area = w × h (py-faster-rcnn's
 * conversion); category ids 1..K in class order; difficult and crowd objects become
 * `iscrowd: 1` (ignore regions), as `cocoGroundTruthFromEntries` treats them.
 */
import { basename } from 'node:path';
import { InputError } from '../util/errors.ts';
import type { DetectionDataset } from './types.ts';

export interface CocoGroundTruthJson {
  info: { description: string };
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{ id: number; image_id: number; category_id: number; bbox: [number, number, number, number]; area: number; iscrowd: 0 | 1 }>;
  categories: Array<{ id: number; name: string }>;
}

/**
 * Image ids: the entry id as a number when every id is all digits (VOC "000123" → 123), else
 * 1..N in split order. `imageIds` maps each entry id to its COCO id for writing results.
 */
export function toCocoGroundTruth(ds: DetectionDataset, split: string): { json: CocoGroundTruthJson; imageIds: Map<string, number> } {
  const entries = ds.split(split);
  const numeric = entries.every((e) => /^\d{1,15}$/.test(e.id));
  const imageIds = new Map<string, number>();
  entries.forEach((e, i) => {
    const id = numeric ? Number(e.id) : i + 1;
    if (imageIds.has(e.id)) throw new InputError(`${ds.source} split ${split}`, `image id ${e.id} appears twice`);
    imageIds.set(e.id, id);
  });
  if (new Set(imageIds.values()).size !== imageIds.size) throw new InputError(`${ds.source} split ${split}`, 'image ids collide as numbers (e.g. "12" and "012")');
  const json: CocoGroundTruthJson = {
    info: { description: `frcnn export of ${ds.source}, split ${split}` },
    images: entries.map((e) => ({ id: imageIds.get(e.id)!, file_name: basename(e.file), width: e.width, height: e.height })),
    annotations: [],
    categories: ds.classes.map((name, i) => ({ id: i + 1, name })),
  };
  for (const e of entries) {
    for (const o of e.objects) {
      const c = ds.classes.indexOf(o.name);
      if (c < 0) throw new InputError(`${ds.source}: image ${e.id}`, `unknown class ${JSON.stringify(o.name)}`);
      const [x1, y1, x2, y2] = o.box;
      const w = x2 - x1 + 1;
      const h = y2 - y1 + 1;
      json.annotations.push({
        id: json.annotations.length + 1,
        image_id: imageIds.get(e.id)!,
        category_id: c + 1,
        bbox: [x1, y1, w, h],
        area: w * h,
        iscrowd: o.difficult || o.crowd ? 1 : 0,
      });
    }
  }
  return { json, imageIds };
}
