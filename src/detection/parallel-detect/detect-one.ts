/** One image through the detector at its test scale, unflipped: what every detecting thread runs. */
import { prepareImageBlob } from '../../data/blob.ts';
import type { ImageEntry } from '../../data/types.ts';
import type { FasterRCNN, StageTimings } from '../faster-rcnn.ts';
import type { Detections } from '../roi-heads.ts';

export async function detectOne(model: FasterRCNN, entry: ImageEntry): Promise<Detections & { timings: StageTimings }> {
  const cfg = model.config;
  const blob = await prepareImageBlob(entry, cfg.classes, { targetSize: cfg.imageTargetSize, maxSize: cfg.imageMaxSize, flip: false, keepDifficult: true });
  const timings: StageTimings = { conv: 0, proposal: 0, region: 0 };
  const dets = model.detect(blob, { original: { height: entry.height, width: entry.width }, timings });
  return { ...dets, timings };
}
