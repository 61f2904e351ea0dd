/**
 * A content digest of a dataset, recorded with every trial so a result names exactly the
 * data it came from. It covers the class order and, per split, each image's id, size and
 * annotations — optionally the image bytes too — but not where the files live, so a tree
 * copied elsewhere (or uploaded) keeps its digest.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DetectionDataset } from './types.ts';

export interface DigestOptions {
  /** Hash every image file's bytes as well (reads the whole dataset once). @default false */
  images?: boolean;
}

/** `sha256:<hex>` of the dataset's splits `splits` (in the order given). */
export async function datasetDigest(ds: DetectionDataset, splits: readonly string[], opts: DigestOptions = {}): Promise<string> {
  const h = createHash('sha256');
  h.update(`frcnn-dataset-digest/1\nclasses ${JSON.stringify(ds.classes)}\n`);
  for (const s of splits) {
    h.update(`split ${JSON.stringify(s)}\n`);
    for (const e of ds.split(s)) {
      const objects = e.objects.map((o) => [o.name, ...o.box, o.difficult ? 1 : 0, o.crowd ? 1 : 0]);
      h.update(`${JSON.stringify([e.id, e.width, e.height, objects])}\n`);
      if (opts.images) h.update(createHash('sha256').update(await readFile(e.file)).digest());
    }
  }
  return `sha256:${h.digest('hex')}`;
}
