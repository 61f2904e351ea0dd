/**
 * Inference over a dataset split and the two result formats `frcnn detect` writes: COCO
 * results JSON (`image_id, category_id, bbox [x, y, w, h], score`) and py-faster-rcnn's
 * `comp4_det_<imageset>_<class>.txt` (`<image> <score> <x1> <y1> <x2> <y2>`, 1-based like
 * VOC annotations).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareImageBlob } from '../data/blob.ts';
import type { ImageEntry } from '../data/types.ts';
import { createProgress, type ProgressOptions } from '../util/progress.ts';
import type { FasterRCNN, StageTimings } from './faster-rcnn.ts';

/** N detections over many images, original-image pixels, 0-based inclusive boxes, labels 1..K. */
export interface DetectionList {
  imageIds: string[];
  boxes: Float32Array;
  scores: Float32Array;
  labels: Int32Array;
}

export interface DetectSplitResult {
  detections: DetectionList;
  images: number;
  seconds: number;
  /** Summed stage timings over the images (ms). */
  timings: StageTimings;
}

/** Runs the detector on every entry (unflipped, at the model's test scale). */
export async function detectEntries(model: FasterRCNN, entries: readonly ImageEntry[], opts: { progress?: ProgressOptions['mode'] } = {}): Promise<DetectSplitResult> {
  const cfg = model.config;
  const ids: string[] = [];
  const boxes: number[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  const timings: StageTimings = { conv: 0, proposal: 0, region: 0 };
  const progress = createProgress({ label: 'detect', total: entries.length, unit: 'img', mode: opts.progress });
  const start = performance.now();
  try {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const blob = await prepareImageBlob(entry, cfg.classes, { targetSize: cfg.imageTargetSize, maxSize: cfg.imageMaxSize, flip: false, keepDifficult: true });
      const dets = model.detect(blob, { original: { height: entry.height, width: entry.width }, timings });
      for (let k = 0; k < dets.scores.length; k++) {
        ids.push(entry.id);
        boxes.push(dets.boxes[4 * k], dets.boxes[4 * k + 1], dets.boxes[4 * k + 2], dets.boxes[4 * k + 3]);
        scores.push(dets.scores[k]);
        labels.push(dets.classes[k]);
      }
      progress.update(i + 1, { dets: ids.length });
    }
  } finally {
    progress.stop();
  }
  return {
    detections: { imageIds: ids, boxes: Float32Array.from(boxes), scores: Float32Array.from(scores), labels: Int32Array.from(labels) },
    images: entries.length,
    seconds: (performance.now() - start) / 1000,
    timings,
  };
}

/** COCO image ids are numbers: numeric ids (VOC "000005") become numbers, others stay strings. */
function cocoImageId(id: string): number | string {
  return /^\d+$/.test(id) ? Number(id) : id;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** COCO results JSON: bbox [x, y, w, h] with w = x2 − x1 + 1 (inclusive pixels), category_id = label. */
export function cocoResults(list: DetectionList): Array<{ image_id: number | string; category_id: number; bbox: number[]; score: number }> {
  return list.imageIds.map((id, k) => {
    const [x1, y1, x2, y2] = list.boxes.subarray(4 * k, 4 * k + 4);
    return {
      image_id: cocoImageId(id),
      category_id: list.labels[k],
      bbox: [round(x1, 2), round(y1, 2), round(x2 - x1 + 1, 2), round(y2 - y1 + 1, 2)],
      score: round(list.scores[k], 5),
    };
  });
}

/**
 * The py-faster-rcnn results files, one per class (written even when empty, as the devkit
 * expects): `<image> <score %.3f> <x1+1 %.1f> <y1+1> <x2+1> <y2+1>`. Returns the paths.
 */
export async function writeVocResults(dir: string, imageset: string, list: DetectionList, classes: readonly string[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const lines: string[][] = classes.map(() => []);
  list.imageIds.forEach((id, k) => {
    const b = list.boxes.subarray(4 * k, 4 * k + 4);
    lines[list.labels[k] - 1].push(`${id} ${list.scores[k].toFixed(3)} ${(b[0] + 1).toFixed(1)} ${(b[1] + 1).toFixed(1)} ${(b[2] + 1).toFixed(1)} ${(b[3] + 1).toFixed(1)}`);
  });
  const paths: string[] = [];
  for (let c = 0; c < classes.length; c++) {
    const path = join(dir, `comp4_det_${imageset}_${classes[c]}.txt`);
    await writeFile(path, lines[c].length ? `${lines[c].join('\n')}\n` : '');
    paths.push(path);
  }
  return paths;
}

/** Writes `detections.json` (COCO results) and the comp4 files into `dir`. */
export async function writeDetections(dir: string, imageset: string, list: DetectionList, classes: readonly string[]): Promise<{ json: string; voc: string[] }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'detections.json');
  await writeFile(json, JSON.stringify(cocoResults(list)));
  return { json, voc: await writeVocResults(dir, imageset, list, classes) };
}
