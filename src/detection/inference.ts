/**
 * Inference over a dataset split and the two result formats `frcnn detect` writes: COCO
 * results JSON (`image_id, category_id, bbox [x, y, w, h], score`) and py-faster-rcnn's
 * `comp4_det_<imageset>_<class>.txt` (`<image> <score> <x1> <y1> <x2> <y2>`, 1-based like
 * VOC annotations).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageEntry } from '../data/types.ts';
import { FrcnnError } from '../util/errors.ts';
import { createProgress, type ProgressOptions } from '../util/progress.ts';
import type { FasterRCNN, StageTimings } from './faster-rcnn.ts';
import { detectOne } from './parallel-detect/detect-one.ts';
import { detectWithWorkers } from './parallel-detect/detect-pool.ts';
import type { Detections } from './roi-heads.ts';

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

export interface DetectEntriesOptions {
  progress?: ProgressOptions['mode'];
  /**
   * Worker threads that detect besides this one, each with a copy of the detector on one wasm
   * thread (0: this thread only). The detections do not depend on it.
   */
  workers?: number;
  /** Backend the workers start (needed with workers). */
  backend?: string;
}

/** Runs the detector on every entry (unflipped, at the model's test scale). */
export async function detectEntries(model: FasterRCNN, entries: readonly ImageEntry[], opts: DetectEntriesOptions = {}): Promise<DetectSplitResult> {
  const perImage: Array<Detections | undefined> = new Array(entries.length);
  const timings: StageTimings = { conv: 0, proposal: 0, region: 0 };
  const progress = createProgress({ label: 'detect', total: entries.length, unit: 'img', mode: opts.progress });
  const start = performance.now();
  let done = 0;
  let count = 0;
  const record = (i: number, r: Detections & { timings: StageTimings }) => {
    perImage[i] = r;
    timings.conv += r.timings.conv;
    timings.proposal += r.timings.proposal;
    timings.region += r.timings.region;
    count += r.scores.length;
    progress.update(++done, { dets: count });
  };
  try {
    const workers = Math.min(opts.workers ?? 0, Math.max(0, entries.length - 1));
    if (workers > 0) {
      if (!opts.backend) throw new FrcnnError('detectEntries: workers need the backend name');
      await detectWithWorkers(model, entries, { workers, backend: opts.backend }, record);
    } else {
      for (let i = 0; i < entries.length; i++) record(i, await detectOne(model, entries[i]));
    }
  } finally {
    progress.stop();
  }
  // Assembled in entry order, whichever thread detected each image.
  const ids: string[] = [];
  const boxes = new Float32Array(4 * count);
  const scores = new Float32Array(count);
  const labels = new Int32Array(count);
  let k = 0;
  entries.forEach((entry, i) => {
    const d = perImage[i];
    if (!d) throw new FrcnnError(`detectEntries: no detections recorded for ${entry.id}`);
    boxes.set(d.boxes.subarray(0, 4 * d.scores.length), 4 * k);
    scores.set(d.scores, k);
    labels.set(d.classes, k);
    for (let j = 0; j < d.scores.length; j++) ids.push(entry.id);
    k += d.scores.length;
  });
  return {
    detections: { imageIds: ids, boxes, scores, labels },
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
