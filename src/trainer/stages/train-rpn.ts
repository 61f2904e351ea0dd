/**
 * `train_rpn`: alt-opt steps 1 and 4. Step 1 starts from the ImageNet model M0 and trains the
 * convolutions with the RPN; step 2 starts from the Fast R-CNN of step 3 (`inputs.init`)
 * and, with `freezeConv`, trains the RPN layers alone on the now shared convolutions. The
 * Fast R-CNN head rides along untouched, as py-faster-rcnn's dummy layers carry it.
 */
import type { StageExecutor } from '../../pipeline/executor.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { openStageDataset, trainingSplitEntries } from '../dataset-source.ts';
import { backboneFreeze, convLayers, HEAD_LAYER_NAMES, sgdOf, withAnchors, withImage, withRpn } from '../model-setup.ts';
import { ensureCompute, provenance } from '../provenance.ts';
import { runTrainingStage } from '../train-stage.ts';
import { datasetDigestOf } from './dataset-digest.ts';
import { trainingSummary } from './common.ts';
import { startingModel } from './starting-model.ts';

export const trainRpn: StageExecutor<'train_rpn', ObjectStore> = {
  kind: 'train_rpn',
  resources: { gpu: true },
  async run(job, ctx) {
    const c = job.config;
    const backend = await ensureCompute();
    const ds = await openStageDataset(c.dataset, ctx.store);
    const entries = trainingSplitEntries(ds, c.dataset);
    const own = (base: Parameters<typeof withImage>[0]) => withRpn(withAnchors(withImage(base, c.image), c.anchors), c.rpn);
    const model = await startingModel(job, ctx, { init: job.spec.init, backbone: c.backbone.name, weights: c.backbone.weights, classes: ds.classes, seed: c.seed, own });
    try {
      // The backbone's own frozen layers (vgg16: conv1, conv2), not whatever the input checkpoint froze.
      const frozen = [...HEAD_LAYER_NAMES, ...(job.spec.freezeConv ? convLayers(c.backbone.name) : backboneFreeze(c.backbone.name))];
      const r = await runTrainingStage(ctx.store, ctx, {
        model,
        targets: 'rpn',
        frozen,
        entries,
        flip: c.image.flip,
        sgd: sgdOf(c.lr, c.iterations, c.backbone.name),
        iterations: c.iterations,
        seed: c.seed,
        resumeFrom: job.resumeFrom,
      });
      return {
        result: {
          kind: 'train_rpn',
          step: job.spec.step,
          ...trainingSummary(r),
          frozen,
          provenance: provenance({ config: c, backend, datasetDigest: await datasetDigestOf(ds, c.dataset), seed: c.seed }),
        },
      };
    } finally {
      model.dispose();
    }
  },
};
