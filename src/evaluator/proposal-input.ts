/**
 * Inputs of proposal recall from files: ground truth from a VOCdevkit tree or a COCO file,
 * converted to 0-based inclusive boxes (py-faster-rcnn's roidb convention, which proposals
 * use); proposals from a boxes directory (`src/storage` binary format) or a JSON file.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.ts';
import { openBoxesDir } from './box-files.ts';
import { parseJsonText } from './json-file.ts';
import type { CocoGroundTruth } from './coco-data.ts';
import type { RecallImage } from './proposal-recall.ts';
import type { VocGroundTruth } from './voc-eval.ts';

/** VOC objects as py-faster-rcnn's roidb holds them: 1-based file boxes minus 1, difficult left out. */
export function recallImagesFromVoc(gt: VocGroundTruth): RecallImage[] {
  const per: number[][] = gt.imageIds.map(() => []);
  for (let j = 0; j < gt.image.length; j++) {
    if (gt.difficult[j]) continue;
    const b = gt.boxes.subarray(4 * j, 4 * j + 4);
    per[gt.image[j]].push(b[0] - 1, b[1] - 1, b[2] - 1, b[3] - 1);
  }
  return gt.imageIds.map((imageId, i) => ({ imageId, gtBoxes: Float64Array.from(per[i]) }));
}

/** COCO boxes as py-faster-rcnn's coco roidb: x2 = x + max(0, w - 1); crowd regions left out. */
export function recallImagesFromCoco(gt: CocoGroundTruth): RecallImage[] {
  const per: number[][] = gt.imageIds.map(() => []);
  for (let j = 0; j < gt.image.length; j++) {
    if (gt.iscrowd[j]) continue;
    const [x, y, w, h] = gt.bbox.subarray(4 * j, 4 * j + 4);
    per[gt.image[j]].push(x, y, x + Math.max(0, w - 1), y + Math.max(0, h - 1));
  }
  return gt.imageIds.map((id, i) => ({ imageId: String(id), gtBoxes: Float64Array.from(per[i]) }));
}

/**
 * Proposals per image id from `path`: a directory holding a boxes file (`index.bin` + shards,
 * kind "proposals" or "detections") or a JSON object `{"<imageId>": [[x1, y1, x2, y2], …]}`,
 * each list best first. Only `imageIds` are loaded.
 */
export async function readProposals(path: string, imageIds: readonly string[]): Promise<Map<string, Float32Array | Float64Array>> {
  const out = new Map<string, Float32Array | Float64Array>();
  if (path.endsWith('.json')) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new InputError(path, `cannot read proposals: ${(err as Error).message}`, { cause: err });
    }
    const doc = parseJsonText(text, path);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new InputError(path, 'proposals JSON must be an object {"<imageId>": [[x1, y1, x2, y2], ...]}');
    }
    const rec = doc as Record<string, unknown>;
    for (const id of imageIds) {
      const list = rec[id];
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw new InputError(`${path}: image ${id}`, 'must be an array of [x1, y1, x2, y2]');
      const boxes = new Float64Array(4 * list.length);
      list.forEach((b, k) => {
        if (!Array.isArray(b) || b.length < 4 || b.slice(0, 4).some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
          throw new InputError(`${path}: image ${id}, box ${k}`, `expected [x1, y1, x2, y2], got ${JSON.stringify(b)}`);
        }
        boxes.set(b.slice(0, 4) as number[], 4 * k);
      });
      out.set(id, boxes);
    }
    return out;
  }
  const reader = await openBoxesDir(path);
  for (const id of imageIds) if (reader.has(id)) out.set(id, (await reader.get(id)).boxes);
  return out;
}
