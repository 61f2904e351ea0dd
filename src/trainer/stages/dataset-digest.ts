/** The digest a stage records: the trial's when given, else computed from the split's annotations (once per process). */
import { datasetDigest } from '../../data/digest.ts';
import type { VocDataset } from '../../data/voc.ts';
import type { DatasetSubset } from '../../pipeline/config-subset.ts';

const cache = new Map<string, Promise<string>>();

export function datasetDigestOf(ds: VocDataset, subset: DatasetSubset): Promise<string> {
  if (subset.digest) return Promise.resolve(subset.digest);
  const key = `${ds.source}\n${subset.split}`;
  let p = cache.get(key);
  if (!p) {
    p = datasetDigest(ds, [subset.split]);
    cache.set(key, p);
  }
  return p;
}
