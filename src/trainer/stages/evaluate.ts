/**
 * `evaluate`: metrics of `inputs.detections` against the test annotations, in memory through
 * src/evaluator — VOC07 11-point and VOC2010 all-point AP at IoU 0.5 ("difficult" ignored),
 * and COCO bbox when configured — plus report JSON/HTML files as artifacts.
 */
import type { VocDataset } from '../../data/voc.ts';
import { cocoDetectionsFromList, cocoGroundTruthFromEntries } from '../../evaluator/coco-data.ts';
import { evaluateCoco } from '../../evaluator/coco-eval.ts';
import type { DetectionList } from '../../evaluator/detection-list.ts';
import { buildReport, COCO_STAT_NAMES } from '../../evaluator/report.ts';
import { evaluateVoc, vocDetectionsFromList, vocGroundTruthFromEntries } from '../../evaluator/voc-eval.ts';
import type { JsonObject, StageExecutor } from '../../pipeline/executor.ts';
import type { BoxesReader } from '../../storage/formats/boxes-file.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { openStageDataset, splitEntries } from '../dataset-source.ts';
import { provenance } from '../provenance.ts';
import { filesAt, openBoxesAt, subPrefix } from '../store-io.ts';
import { finiteOrNull, inputOf } from './common.ts';
import { datasetDigestOf } from './dataset-digest.ts';
import { DETECTIONS_DIR } from './merge-boxes.ts';

/** Every detection of a boxes file as one flat list, images in file order. */
export async function readDetectionList(reader: BoxesReader): Promise<DetectionList> {
  const ids: string[] = [];
  const parts: { boxes: Float32Array; scores: Float32Array; classes: Int32Array }[] = [];
  let n = 0;
  for await (const [id, im] of reader.entriesInOrder()) {
    const k = im.scores.length;
    for (let i = 0; i < k; i++) ids.push(id);
    parts.push({ boxes: im.boxes, scores: im.scores, classes: im.classes ?? new Int32Array(k) });
    n += k;
  }
  const boxes = new Float32Array(4 * n);
  const scores = new Float32Array(n);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    boxes.set(p.boxes, 4 * at);
    scores.set(p.scores, at);
    labels.set(p.classes, at);
    at += p.scores.length;
  }
  return { imageIds: ids, boxes, scores, labels };
}

const encode = (s: string) => new TextEncoder().encode(s);

export const evaluate: StageExecutor<'evaluate', ObjectStore> = {
  kind: 'evaluate',
  resources: { gpu: false },
  async run(job, ctx) {
    const c = job.config;
    const ds: VocDataset = await openStageDataset(c.dataset, ctx.store);
    const entries = splitEntries(ds, c.dataset);
    const input = inputOf(job, 'detections');
    const reader = await openBoxesAt(ctx.store, subPrefix(input.prefix, DETECTIONS_DIR), 'detections');
    const list = await readDetectionList(reader);
    const source = `${ds.source} ${c.dataset.split}`;
    const files = filesAt(ctx.store, ctx.artifactPrefix);
    const inputs = { detections: `${ctx.store.location}/${input.prefix}`, dataset: source };
    const result: JsonObject = { kind: 'evaluate', images: entries.length, detections: list.scores.length };
    const t0 = performance.now();
    if (c.metrics.includes('voc07') || c.metrics.includes('voc2010')) {
      const gt = vocGroundTruthFromEntries(entries, ds.classes, source);
      const voc = evaluateVoc(gt, vocDetectionsFromList(list, ds.classes, gt, `${ctx.store.location}/${input.prefix}`));
      if (c.metrics.includes('voc07')) result.voc07 = finiteOrNull(voc.mAP07);
      if (c.metrics.includes('voc2010')) result.voc2010 = finiteOrNull(voc.mAP);
      result.perClass = voc.classes.map((k) => ({ name: k.name, npos: k.npos, ndet: k.ndet, ap07: finiteOrNull(k.ap07), ap: finiteOrNull(k.ap) }));
      const report = buildReport({ kind: 'voc', result: voc }, { title: `VOC evaluation of ${source}`, inputs });
      await files.put('report-voc.json', encode(JSON.stringify(report.json)), { contentType: 'application/json' });
      await files.put('report-voc.html', encode(report.html), { contentType: 'text/html' });
    }
    if (c.metrics.includes('coco')) {
      const gt = cocoGroundTruthFromEntries(entries, ds.classes, source);
      const coco = evaluateCoco(gt, cocoDetectionsFromList(list, gt, `${ctx.store.location}/${input.prefix}`));
      result.coco = Object.fromEntries(COCO_STAT_NAMES.map((name, i) => [name, finiteOrNull(coco.stats[i])]));
      const report = buildReport({ kind: 'coco', result: coco }, { title: `COCO evaluation of ${source}`, inputs });
      await files.put('report-coco.json', encode(JSON.stringify(report.json)), { contentType: 'application/json' });
      await files.put('report-coco.html', encode(report.html), { contentType: 'text/html' });
    }
    result.seconds = (performance.now() - t0) / 1000;
    result.provenance = provenance({ config: c, datasetDigest: await datasetDigestOf(ds, c.dataset) });
    ctx.progress({ done: 1, total: 1, unit: 'eval' });
    return { result };
  },
};
