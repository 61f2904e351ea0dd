/**
 * Stage functions on their own: `evaluate` against hand-built detections (perfect, then with
 * a class missing and a false positive), and mode external-proposals from proposal files in
 * local directories (train_fast_rcnn and detect on external boxes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVocDataset } from '../../src/data/voc.ts';
import { BoxesWriter } from '../../src/storage/formats/boxes-file.ts';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { directoryFiles } from '../../src/storage/prefix-io.ts';
import { runPipelineLocally } from '../../src/trainer/local-runner.ts';
import { evaluate } from '../../src/trainer/stages/index.ts';
import { filesAt } from '../../src/trainer/store-io.ts';
import { Rng } from '../../src/util/rng.ts';
import { jobFor, nodeNamed, testContext, tinyShapes, tinyTrial } from './helpers.ts';

const root = await tinyShapes();
const ds = await loadVocDataset(root);

test('evaluate scores perfect detections 1.0, and a missing class and a false positive as VOC does', async () => {
  const store = new FsObjectStore(await mkdtemp(join(tmpdir(), 'frcnn-eval-')));
  const node = nodeNamed(tinyTrial(root), 'evaluate');
  const write = async (prefix: string, keep: (cls: number) => boolean, extra?: { id: string; box: number[]; cls: number }) => {
    const w = new BoxesWriter(filesAt(store, `${prefix}detections/`), { kind: 'detections' });
    for (const e of ds.split('test')) {
      const objs = e.objects.filter((o) => keep(ds.classes.indexOf(o.name) + 1));
      const boxes = objs.flatMap((o) => o.box);
      const scores = objs.map((_, i) => 0.9 - 0.01 * i);
      const classes = objs.map((o) => ds.classes.indexOf(o.name) + 1);
      if (extra?.id === e.id) {
        boxes.push(...extra.box);
        scores.push(0.99);
        classes.push(extra.cls);
      }
      await w.add(e.id, { boxes: Float32Array.from(boxes), scores: Float32Array.from(scores), classes: Int32Array.from(classes) });
    }
    await w.finish();
    return { stageKey: node.inputs.detections, prefix, result: {} };
  };
  const perfect = await write('dets/perfect/', () => true);
  const t = testContext(store, node, 1, 0);
  const r = (await evaluate.run(jobFor(node, 1, { detections: perfect }) as never, t.ctx)).result;
  // 11-point AP sums eleven 1/11 terms, as voc_eval does: 1 up to rounding.
  assert.ok(Math.abs((r.voc07 as number) - 1) < 1e-12, `voc07 ${r.voc07}`);
  assert.equal(r.voc2010, 1);
  assert.equal(r.images, 8);
  assert.ok(await store.exists(`${t.ctx.artifactPrefix}report-voc.html`));

  // No circles (class 1) at all, and a confident square on an image's top-left corner that matches nothing.
  const first = ds.split('test')[0];
  const flawed = await write('dets/flawed/', (c) => c !== 1, { id: first.id, box: [0, 0, 3, 3], cls: 2 });
  const r2 = (await evaluate.run(jobFor(node, 2, { detections: flawed }) as never, testContext(store, node, 2, 0).ctx)).result;
  const per = new Map((r2.perClass as Array<{ name: string; ap07: number; ap: number; npos: number }>).map((c) => [c.name, c]));
  assert.equal(per.get('circle')!.ap, 0);
  assert.equal(per.get('triangle')!.ap, 1);
  // The false positive ranks first among the squares: precision 1/2 at the first true square, then rising to n/(n+1).
  const n = per.get('square')!.npos;
  assert.ok(n > 0);
  const expectedAp = (1 / n) * Array.from({ length: n }, (_, k) => (k + 1) / (k + 2)).reduce((a, b, i, arr) => a + Math.max(...arr.slice(i)), 0);
  assert.ok(Math.abs(per.get('square')!.ap - expectedAp) < 1e-12, `square AP ${per.get('square')!.ap} vs ${expectedAp}`);
  assert.ok(Math.abs((r2.voc2010 as number) - (0 + expectedAp + 1 + 1) / 4) < 1e-12);
});

/** Proposals a Selective Search would give: each object's box shifted a little, plus a coarse grid. */
async function writeExternal(dir: string, split: string): Promise<void> {
  const rng = new Rng(11);
  const w = new BoxesWriter(directoryFiles(dir), { kind: 'proposals' });
  for (const e of ds.split(split)) {
    const boxes: number[] = [];
    for (const o of e.objects) {
      for (let k = 0; k < 4; k++) {
        const d = () => rng.int(-3, 4);
        boxes.push(Math.max(0, o.box[0] + d()), Math.max(0, o.box[1] + d()), Math.min(e.width - 1, o.box[2] + d()), Math.min(e.height - 1, o.box[3] + d()));
      }
    }
    for (let y = 0; y + 31 < e.height; y += 16) for (let x = 0; x + 31 < e.width; x += 16) boxes.push(x, y, x + 31, y + 31);
    await w.add(e.id, { boxes: Float32Array.from(boxes), scores: new Float32Array(boxes.length / 4).fill(1) });
  }
  await w.finish();
}

test('external-proposals mode trains Fast R-CNN and detects on proposal files', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-external-'));
  await writeExternal(join(dir, 'train'), 'trainval');
  await writeExternal(join(dir, 'test'), 'test');
  const store = new FsObjectStore(join(dir, 'store'));
  const config = tinyTrial(root, { mode: 'external-proposals', proposals: { minSize: 4, external: { train: join(dir, 'train'), test: join(dir, 'test') } } });
  const r = await runPipelineLocally({ config, store, progress: 'silent' });
  assert.deepEqual(r.stages.map((s) => `${s.name}:${s.kind}`), ['fast_rcnn1:train_fast_rcnn', 'detect.shard-0:detect', 'detect.merge:merge_detections', 'evaluate:evaluate']);
  assert.equal(r.stages[0].result.iterations, 3);
  assert.deepEqual(r.stages[0].result.frozen, ['rpn_conv/3x3', 'rpn_cls_score', 'rpn_bbox_pred']);
  assert.equal(r.stages[1].result.images, 8);
  assert.equal(typeof r.evaluation.voc07, 'number');

  // A missing proposals file names the field and the place.
  const broken = tinyTrial(root, { mode: 'external-proposals', proposals: { external: { train: join(dir, 'nowhere'), test: join(dir, 'test') } } });
  await assert.rejects(runPipelineLocally({ config: broken, store, progress: 'silent' }), (err: Error) => /proposals\.external\.train .*nowhere/.test(err.message));
});
