/**
 * `assemble`: alt-opt step 7 — one detector from the Fast R-CNN of `inputs.fastRcnn` and the
 * RPN layers of `inputs.rpn`. With shared convolutions (alt-opt) both were trained on the same
 * frozen convs, so the result is a single network whose convs come from the Fast R-CNN. Mode
 * unshared keeps two networks: `model/` detects and `rpn/` (the RPN's own convs) proposes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FasterRCNN } from '../../detection/faster-rcnn.ts';
import type { JsonObject, StageExecutor } from '../../pipeline/executor.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readModelCheckpoint, RPN_DIR, saveModel } from '../model-artifact.ts';
import { convLayers, RPN_LAYER_NAMES } from '../model-setup.ts';
import { provenance } from '../provenance.ts';
import { checkClasses, inputOf } from './common.ts';

/** Largest difference between the shared conv weights of two checkpoints (0 when truly shared). */
function convDifference(a: tf.NamedTensorMap, b: tf.NamedTensorMap, layers: readonly string[]): number {
  let worst = 0;
  for (const [name, t] of Object.entries(a)) {
    const layer = name.slice(0, name.lastIndexOf('/'));
    if (!layers.includes(layer) || !b[name]) continue;
    worst = Math.max(worst, tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[name]))).dataSync()[0]));
  }
  return worst;
}

export const assemble: StageExecutor<'assemble', ObjectStore> = {
  kind: 'assemble',
  resources: { gpu: false },
  async run(job, ctx) {
    const det = inputOf(job, 'fastRcnn');
    const rpnIn = inputOf(job, 'rpn');
    const a = await readModelCheckpoint(ctx.store, det.prefix);
    const b = await readModelCheckpoint(ctx.store, rpnIn.prefix);
    const models: FasterRCNN[] = [];
    try {
      checkClasses(b.metadata.config.classes, a.metadata.config.classes, `${ctx.store.location}/${rpnIn.prefix}`);
      const backbone = a.metadata.config.backbone;
      if (job.spec.sharedConv) {
        // The RPN's anchors and proposal settings travel with its layers.
        const rc = b.metadata.config;
        const config = {
          ...a.metadata.config,
          anchorBaseSize: rc.anchorBaseSize,
          anchorScales: rc.anchorScales,
          anchorRatios: rc.anchorRatios,
          rpnChannels: rc.rpnChannels,
          rpnPreNmsTopN: rc.rpnPreNmsTopN,
          rpnPostNmsTopN: rc.rpnPostNmsTopN,
          rpnNmsThresh: rc.rpnNmsThresh,
          rpnMinSize: rc.rpnMinSize,
          freeze: [],
        };
        const m = FasterRCNN.create(config, 0);
        models.push(m);
        m.setWeights(a.weights, { source: `${ctx.store.location}/${det.prefix}` });
        m.setWeights(b.weights, { only: RPN_LAYER_NAMES, source: `${ctx.store.location}/${rpnIn.prefix}` });
        const convDiff = convDifference(a.weights, b.weights, convLayers(backbone));
        if (convDiff > 0) ctx.log.warn({ convDiff }, 'assembling a shared-conv detector from checkpoints whose convolutions differ; the RPN was trained on other features');
        const model = await saveModel(ctx.store, ctx.artifactPrefix, m);
        const result: JsonObject = { kind: 'assemble', sharedConv: true, model, convDifference: convDiff, provenance: provenance({ config: job.spec }) };
        return { result };
      }
      const d = FasterRCNN.create({ ...a.metadata.config, freeze: [] }, 0);
      models.push(d);
      d.setWeights(a.weights, { source: `${ctx.store.location}/${det.prefix}` });
      const r = FasterRCNN.create({ ...b.metadata.config, freeze: [] }, 0);
      models.push(r);
      r.setWeights(b.weights, { source: `${ctx.store.location}/${rpnIn.prefix}` });
      const model = await saveModel(ctx.store, ctx.artifactPrefix, d);
      const rpn = await saveModel(ctx.store, ctx.artifactPrefix, r, RPN_DIR);
      const result: JsonObject = { kind: 'assemble', sharedConv: false, model, rpn, provenance: provenance({ config: job.spec }) };
      return { result };
    } finally {
      for (const m of models) m.dispose();
      tf.dispose([a.weights, a.slots, b.weights, b.slots]);
    }
  },
};
