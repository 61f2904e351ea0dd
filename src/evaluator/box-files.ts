/**
 * Proposals and detections written by the pipeline in the storage's binary boxes format
 * (`src/storage/formats/boxes-file.ts`: index.bin + shards, float32 boxes 0-based x1 y1 x2 y2,
 * scores, classes 1..K for detections), read from a local directory.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../util/errors.ts';
import type { DetectionList } from './detection-list.ts';
import type { BoxesReader } from '../storage/formats/boxes-file.ts';

/** Open the boxes file in `dir`; errors name the file. */
export async function openBoxesDir(dir: string): Promise<BoxesReader> {
  const { BoxesReader } = await import('../storage/formats/boxes-file.ts');
  return BoxesReader.open({
    read: async (name: string) => {
      try {
        return new Uint8Array(await readFile(join(dir, name)));
      } catch (err) {
        throw new InputError(join(dir, name), `cannot read: ${(err as Error).message}`, { cause: err });
      }
    },
    keyOf: (name: string) => join(dir, name),
  });
}

/** Every detection of a detections boxes file as one flat `DetectionList`. */
export async function readDetectionBoxes(dir: string): Promise<DetectionList> {
  const reader = await openBoxesDir(dir);
  if (reader.kind !== 'detections') throw new InputError(dir, `holds ${reader.kind}, not detections`);
  const parts: { id: string; boxes: Float32Array; scores: Float32Array; classes: Int32Array }[] = [];
  let n = 0;
  for await (const [id, b] of reader.entriesInOrder()) {
    parts.push({ id, boxes: b.boxes, scores: b.scores, classes: b.classes as Int32Array });
    n += b.scores.length;
  }
  const list: DetectionList = {
    imageIds: new Array<string>(n),
    boxes: new Float32Array(4 * n),
    scores: new Float32Array(n),
    labels: new Int32Array(n),
  };
  let at = 0;
  for (const p of parts) {
    const k = p.scores.length;
    (list.imageIds as string[]).fill(p.id, at, at + k);
    list.boxes.set(p.boxes, 4 * at);
    list.scores.set(p.scores, at);
    list.labels.set(p.classes, at);
    at += k;
  }
  return list;
}
