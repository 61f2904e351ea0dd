/**
 * `train_joint`: approximate joint training (end2end) from the ImageNet model M0 — RPN and
 * Fast R-CNN losses summed each iteration, the RPN's proposals treated as constants.
 */
import type { StageExecutor } from '../../pipeline/executor.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { openStageDataset, trainingSplitEntries } from '../dataset-source.ts';
import { baseModelConfig, imagenetModel, sgdOf, withAnchors, withImage, withProposals, withRoi, withRpn } from '../model-setup.ts';
import { ensureCompute, provenance } from '../provenance.ts';
import { runTrainingStage } from '../train-stage.ts';
import { trainingSummary } from './common.ts';
import { datasetDigestOf } from './dataset-digest.ts';

export const trainJoint: StageExecutor<'train_joint', ObjectStore> = {
  kind: 'train_joint',
  resources: { gpu: true },
  async run(job, ctx) {
    const c = job.config;
    const backend = await ensureCompute();
    const ds = await openStageDataset(c.dataset, ctx.store);
    const entries = trainingSplitEntries(ds, c.dataset);
    const config = withProposals(withRoi(withRpn(withAnchors(withImage(baseModelConfig(c.backbone.name, ds.classes), c.image), c.anchors), c.rpn), c.roi), c.proposals, 'training');
    const model = await imagenetModel(config, c.seed, c.backbone.weights);
    try {
      const r = await runTrainingStage(ctx.store, ctx, {
        model,
        targets: 'joint',
        frozen: model.config.freeze,
        entries,
        flip: c.image.flip,
        sgd: sgdOf(c.lr, c.iterations, c.backbone.name),
        iterations: c.iterations,
        seed: c.seed,
        resumeFrom: job.resumeFrom,
      });
      return {
        result: {
          kind: 'train_joint',
          ...trainingSummary(r),
          provenance: provenance({ config: c, backend, datasetDigest: await datasetDigestOf(ds, c.dataset), seed: c.seed }),
        },
      };
    } finally {
      model.dispose();
    }
  },
};
