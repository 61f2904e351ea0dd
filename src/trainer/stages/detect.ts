/**
 * `detect`: detections of `inputs.model` on one shard of the test images (unflipped, at the
 * trial's test scale), with the trial's test NMS, score threshold and detection cap.
 * Proposals come from the model's RPN (its own network when assembled unshared) with the
 * test proposal settings, or from an external proposals file. Written as a detections boxes
 * file in original-image pixels.
 */
import { prepareImageBlob } from '../../data/blob.ts';
import type { FasterRCNN } from '../../detection/faster-rcnn.ts';
import type { StageExecutor } from '../../pipeline/executor.ts';
import { shardRange } from '../../pipeline/stage-kind.ts';
import { BoxesWriter, type BoxesReader } from '../../storage/formats/boxes-file.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { InputError } from '../../util/errors.ts';
import { openStageDataset, splitEntries } from '../dataset-source.ts';
import { loadStageModel } from '../model-artifact.ts';
import { proposalOptionsOf, withImage, withProposals } from '../model-setup.ts';
import { ensureCompute, provenance } from '../provenance.ts';
import { filesAt, subPrefix } from '../store-io.ts';
import { checkClasses, inputOf } from './common.ts';
import { datasetDigestOf } from './dataset-digest.ts';
import { openExternalProposals } from './external-proposals.ts';
import { DETECTIONS_DIR } from './merge-boxes.ts';

/** Test-time settings onto a loaded network (its `config` object is read at each call). */
function applyTestSettings(net: FasterRCNN, c: Parameters<typeof proposalOptionsOf>[0], image: { shortSide: number; maxSize: number }, test?: { nmsThreshold: number; scoreThreshold: number; maxDetections: number }): void {
  const next = withProposals(withImage(net.config, image), c, 'testing');
  if (test) Object.assign(next, { boxNmsThresh: test.nmsThreshold, boxScoreThresh: test.scoreThreshold, boxDetectionsPerImg: test.maxDetections });
  Object.assign(net.config, next);
}

export const detect: StageExecutor<'detect', ObjectStore> = {
  kind: 'detect',
  resources: { gpu: true },
  async run(job, ctx) {
    const c = job.config;
    const backend = await ensureCompute();
    const ds = await openStageDataset(c.dataset, ctx.store);
    const all = splitEntries(ds, c.dataset);
    const { start, end } = shardRange(all.length, job.spec.shard);
    const entries = all.slice(start, end);
    const input = inputOf(job, 'model');
    const m = await loadStageModel(ctx.store, input.prefix);
    let external: BoxesReader | undefined;
    try {
      const det = m.detector;
      checkClasses(det.config.classes, ds.classes, `${ctx.store.location}/${input.prefix}`);
      applyTestSettings(det, c.proposals, c.image, c.test);
      if (m.rpn) applyTestSettings(m.rpn, c.proposals, c.image);
      if (job.spec.proposals === 'external') external = await openExternalProposals(c.externalProposals, ctx.store, 'proposals.external.test');
      const opts = proposalOptionsOf(c.proposals);
      // The model's own path (detect() with its RPN) covers the default settings; the ablation
      // switches and a separate RPN network need the proposals computed first.
      const ownProposals = !m.rpn && opts.useNms && opts.useScores && opts.useDeltas;
      const out = subPrefix(ctx.artifactPrefix, DETECTIONS_DIR);
      const writer = new BoxesWriter(filesAt(ctx.store, out), { kind: 'detections' });
      const timings = { conv: 0, proposal: 0, region: 0 };
      const t0 = performance.now();
      let total = 0;
      for (let i = 0; i < entries.length; i++) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const e = entries[i];
        const blob = await prepareImageBlob(e, det.config.classes, { targetSize: c.image.shortSide, maxSize: c.image.maxSize, flip: false, keepDifficult: true });
        let proposals: Float32Array | undefined;
        if (external) {
          if (!external.has(e.id)) throw new InputError(`proposals.external.test ${c.externalProposals}`, `no proposals for test image ${e.id}`);
          proposals = Float32Array.from((await external.get(e.id)).boxes);
          for (let k = 0; k < proposals.length; k++) proposals[k] *= blob.scale;
        } else if (!ownProposals) {
          proposals = (m.rpn ?? det).generateProposals(blob, opts).boxes;
        }
        const d = det.detect(blob, { original: { height: e.height, width: e.width }, proposals, timings });
        await writer.add(e.id, { boxes: d.boxes, scores: d.scores, classes: d.classes });
        total += d.scores.length;
        ctx.progress({ done: i + 1, total: entries.length, unit: 'img', message: `${total} detections` });
      }
      const summary = await writer.finish();
      const seconds = (performance.now() - t0) / 1000;
      const n = Math.max(entries.length, 1);
      return {
        result: {
          kind: 'detect',
          shard: { index: job.spec.shard.index, count: job.spec.shard.count },
          images: entries.length,
          detections: total,
          seconds,
          msPerImage: (1000 * seconds) / n,
          timingsMs: { conv: timings.conv / n, proposal: timings.proposal / n, region: timings.region / n },
          bytes: summary.bytes,
          output: out,
          provenance: provenance({ config: c, backend, datasetDigest: await datasetDigestOf(ds, c.dataset) }),
        },
      };
    } finally {
      m.dispose();
    }
  },
};
