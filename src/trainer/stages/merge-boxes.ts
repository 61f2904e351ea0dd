/**
 * `merge_proposals` and `merge_detections`: concatenate the boxes files of the shards
 * (`inputs.shard.0` … in shard order, so images keep the split's order) into one.
 */
import type { StageExecutor } from '../../pipeline/executor.ts';
import { mergeBoxesFiles } from '../../storage/formats/boxes-file.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { filesAt, subPrefix } from '../store-io.ts';
import { shardInputs, type JobInputs } from './common.ts';
import { PROPOSALS_DIR } from './generate-proposals.ts';

export const DETECTIONS_DIR = 'detections';

async function merge(job: JobInputs, store: ObjectStore, artifactPrefix: string, dir: string, shards: number) {
  const sources = shardInputs(job, shards).map((a) => filesAt(store, subPrefix(a.prefix, dir)));
  const out = subPrefix(artifactPrefix, dir);
  const t0 = performance.now();
  const s = await mergeBoxesFiles(sources, filesAt(store, out));
  return { shards, images: s.images, boxes: s.boxes, bytes: s.bytes, seconds: (performance.now() - t0) / 1000, output: out };
}

export const mergeProposals: StageExecutor<'merge_proposals', ObjectStore> = {
  kind: 'merge_proposals',
  resources: { gpu: false },
  async run(job, ctx) {
    return { result: { kind: 'merge_proposals', ...(await merge(job, ctx.store, ctx.artifactPrefix, PROPOSALS_DIR, job.spec.shards)) } };
  },
};

export const mergeDetections: StageExecutor<'merge_detections', ObjectStore> = {
  kind: 'merge_detections',
  resources: { gpu: false },
  async run(job, ctx) {
    return { result: { kind: 'merge_detections', ...(await merge(job, ctx.store, ctx.artifactPrefix, DETECTIONS_DIR, job.spec.shards)) } };
  },
};
