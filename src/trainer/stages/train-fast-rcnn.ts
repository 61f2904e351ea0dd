/**
 * `train_fast_rcnn`: alt-opt steps 3 and 6 (and mode external-proposals). Step 1 starts from
 * the ImageNet model M0 and trains the convolutions with the detection head on the proposals
 * of `inputs.proposals`; step 2 starts from the RPN of step 4 (`inputs.init`) and, with
 * `freezeConv`, trains the head alone on the shared convolutions. The RPN layers ride along
 * untouched. Proposals are mirrored and scaled with each training image.
 */
import type { StageExecutor } from '../../pipeline/executor.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { InputError } from '../../util/errors.ts';
import { openStageDataset, trainingSplitEntries } from '../dataset-source.ts';
import { backboneFreeze, convLayers, RPN_LAYER_NAMES, sgdOf, withImage, withRoi } from '../model-setup.ts';
import { ensureCompute, provenance } from '../provenance.ts';
import { openBoxesAt, subPrefix } from '../store-io.ts';
import { runTrainingStage } from '../train-stage.ts';
import { inputOf, trainingSummary } from './common.ts';
import { startingModel } from './starting-model.ts';
import { datasetDigestOf } from './dataset-digest.ts';
import { openExternalProposals } from './external-proposals.ts';
import { PROPOSALS_DIR } from './generate-proposals.ts';

export const trainFastRcnn: StageExecutor<'train_fast_rcnn', ObjectStore> = {
  kind: 'train_fast_rcnn',
  resources: { gpu: true },
  async run(job, ctx) {
    const c = job.config;
    const backend = await ensureCompute();
    const ds = await openStageDataset(c.dataset, ctx.store);
    const entries = trainingSplitEntries(ds, c.dataset);
    const proposals =
      job.spec.proposals === 'external'
        ? await openExternalProposals(c.externalProposals, ctx.store, 'proposals.external.train')
        : await openBoxesAt(ctx.store, subPrefix(inputOf(job, 'proposals').prefix, PROPOSALS_DIR), 'proposals');
    const missing = entries.find((e) => !proposals.has(e.id));
    if (missing) throw new InputError(`proposals for ${c.dataset.split}`, `no proposals for training image ${missing.id} (${proposals.imageCount} images in the file)`);
    const own = (base: Parameters<typeof withImage>[0]) => withRoi(withImage(base, c.image), c.roi);
    const model = await startingModel(job, ctx, { init: job.spec.init, backbone: c.backbone.name, weights: c.backbone.weights, classes: ds.classes, seed: c.seed, own });
    try {
      // The backbone's own frozen layers (vgg16: conv1, conv2), not whatever the input checkpoint froze.
      const frozen = [...RPN_LAYER_NAMES, ...(job.spec.freezeConv ? convLayers(c.backbone.name) : backboneFreeze(c.backbone.name))];
      const r = await runTrainingStage(ctx.store, ctx, {
        model,
        targets: 'head',
        frozen,
        entries,
        flip: c.image.flip,
        sgd: sgdOf(c.lr, c.iterations, c.backbone.name),
        iterations: c.iterations,
        seed: c.seed,
        proposals,
        resumeFrom: job.resumeFrom,
      });
      return {
        result: {
          kind: 'train_fast_rcnn',
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
