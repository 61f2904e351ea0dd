/**
 * `generate_proposals`: alt-opt steps 2 and 5. The RPN of `inputs.model` on one shard of the
 * training images at the trial's scale, unflipped (py-faster-rcnn's rpn_generate; training
 * mirrors the stored boxes with the image). Written as a proposals boxes file in original
 * image pixels, so any later scale or flip can use it.
 */
import { prepareImageBlob } from '../../data/blob.ts';
import type { StageExecutor } from '../../pipeline/executor.ts';
import { shardRange } from '../../pipeline/stage-kind.ts';
import { BoxesWriter } from '../../storage/formats/boxes-file.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { Rng } from '../../util/rng.ts';
import { openStageDataset, splitEntries } from '../dataset-source.ts';
import { loadStageModel } from '../model-artifact.ts';
import { proposalOptionsOf } from '../model-setup.ts';
import { ensureCompute, provenance } from '../provenance.ts';
import { filesAt, subPrefix } from '../store-io.ts';
import { checkClasses, inputOf } from './common.ts';
import { datasetDigestOf } from './dataset-digest.ts';

export const PROPOSALS_DIR = 'proposals';

export const generateProposals: StageExecutor<'generate_proposals', ObjectStore> = {
  kind: 'generate_proposals',
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
    try {
      const net = m.rpn ?? m.detector;
      checkClasses(net.config.classes, ds.classes, `${ctx.store.location}/${input.prefix}`);
      const opts = proposalOptionsOf(c.proposals);
      // Only the "no cls" ablation draws random numbers (the order of proposals).
      const rng = new Rng(job.spec.shard.index);
      const out = subPrefix(ctx.artifactPrefix, PROPOSALS_DIR);
      const writer = new BoxesWriter(filesAt(ctx.store, out), { kind: 'proposals' });
      const t0 = performance.now();
      let total = 0;
      for (let i = 0; i < entries.length; i++) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const e = entries[i];
        const blob = await prepareImageBlob(e, net.config.classes, { targetSize: c.image.shortSide, maxSize: c.image.maxSize, flip: false, keepDifficult: true });
        const p = net.generateProposals(blob, opts, rng);
        const boxes = p.boxes;
        for (let k = 0; k < boxes.length; k++) boxes[k] /= blob.scale;
        await writer.add(e.id, { boxes, scores: p.scores });
        total += p.scores.length;
        ctx.progress({ done: i + 1, total: entries.length, unit: 'img', message: `${(total / (i + 1)).toFixed(0)} proposals/img` });
      }
      const summary = await writer.finish();
      const seconds = (performance.now() - t0) / 1000;
      return {
        result: {
          kind: 'generate_proposals',
          step: job.spec.step,
          shard: { index: job.spec.shard.index, count: job.spec.shard.count },
          images: entries.length,
          proposals: total,
          meanPerImage: entries.length ? total / entries.length : 0,
          seconds,
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
