import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { proposalRecall } from '../../src/evaluator/proposal-recall.ts';
import { readProposals, recallImagesFromVoc } from '../../src/evaluator/proposal-input.ts';
import { readVocDevkit } from '../../src/evaluator/voc-devkit.ts';

const dir = new URL('../fixtures/eval/voc-a/', import.meta.url).pathname;

test('hand case: greedy one-to-one pairing, +1 IoU, top-N cut', () => {
  // Two objects; proposal 0 covers A exactly and B partly; proposal 1 covers B at IoU 0.5.
  const images = [{ imageId: 'a', gtBoxes: Float64Array.from([0, 0, 9, 9, 5, 0, 14, 9]) }];
  const props = Float64Array.from([0, 0, 9, 9, 5, 0, 9, 9]);
  const r = proposalRecall(images, () => props, { topN: [1, 2], thresholds: Float64Array.from([0.5, 0.51]) });
  assert.equal(r.numPos, 2);
  // top 1: A takes proposal 0 (IoU 1); B is left without a proposal
  assert.deepEqual(Array.from(r.rows[0].gtOverlaps), [0, 1]);
  assert.deepEqual(Array.from(r.rows[0].recalls), [0.5, 0.5]);
  // top 2: B gets proposal 1: 5x10 / (50 + 100 - 50) = 0.5
  assert.deepEqual(Array.from(r.rows[1].gtOverlaps), [0.5, 1]);
  assert.deepEqual(Array.from(r.rows[1].recalls), [1, 0.5]);
  assert.equal(r.rows[1].ar, 0.75);
  assert.equal(r.rows[1].meanProposals, 2);
});

test('VOC fixture: recalls and AR equal py-faster-rcnn evaluate_recall', async () => {
  const expected = JSON.parse(readFileSync(`${dir}expected-recall.json`, 'utf8'));
  const images = recallImagesFromVoc(readVocDevkit(`${dir}VOC`, 'test'));
  const props = await readProposals(`${dir}proposals.json`, images.map((i) => i.imageId));
  const tops = Object.keys(expected).map(Number);
  const r = proposalRecall(images, (id) => props.get(id), { topN: tops });
  r.rows.forEach((row, k) => {
    const e = expected[String(tops[k])];
    assert.equal(r.numPos, e.num_pos);
    assert.deepEqual(Array.from(r.thresholds), e.thresholds);
    assert.deepEqual(Array.from(row.recalls), e.recalls, `top ${tops[k]}`);
    assert.equal(row.ar, e.ar);
  });
  assert.ok(r.rows[0].ar < r.rows[2].ar);
});

test('proposals from a boxes directory (src/storage binary format) score like the JSON file', async () => {
  const { BoxesWriter } = await import('../../src/storage/formats/boxes-file.ts');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const out = mkdtempSync(join(tmpdir(), 'frcnn-props-'));
  const images = recallImagesFromVoc(readVocDevkit(`${dir}VOC`, 'test'));
  const ids = images.map((i) => i.imageId);
  const fromJson = await readProposals(`${dir}proposals.json`, ids);
  const writer = new BoxesWriter({ put: async (name: string, bytes: Uint8Array) => writeFileSync(join(out, name), bytes) }, { kind: 'proposals', maxShardBytes: 4096 });
  for (const [id, boxes] of fromJson) {
    await writer.add(id, { boxes: Float32Array.from(boxes), scores: new Float32Array(boxes.length / 4) });
  }
  await writer.finish();
  const fromBin = await readProposals(out, ids);
  assert.equal(fromBin.size, fromJson.size);
  const opts = { topN: [1000] };
  const a = proposalRecall(images, (id) => fromJson.get(id), opts);
  const b = proposalRecall(images, (id) => fromBin.get(id), opts);
  // one-decimal coordinates in float32 vs float64: overlaps agree closely, recalls here exactly
  assert.deepEqual(Array.from(b.rows[0].recalls), Array.from(a.rows[0].recalls));
});

test('COCO ground truth for recall: 0-based inclusive boxes (x2 = x + w - 1), crowd regions left out', async () => {
  const { parseCocoGroundTruth } = await import('../../src/evaluator/coco-data.ts');
  const { recallImagesFromCoco } = await import('../../src/evaluator/proposal-input.ts');
  const gt = parseCocoGroundTruth(
    {
      images: [{ id: 5 }, { id: 1 }],
      categories: [{ id: 1 }],
      annotations: [
        { id: 1, image_id: 5, category_id: 1, bbox: [10, 20, 30, 40], area: 1200, iscrowd: 0 },
        { id: 2, image_id: 5, category_id: 1, bbox: [0, 0, 100, 100], area: 10000, iscrowd: 1 },
        { id: 3, image_id: 1, category_id: 1, bbox: [1, 1, 0.5, 0.5], area: 0.25, iscrowd: 0 },
      ],
    },
    'gt',
  );
  const images = recallImagesFromCoco(gt);
  assert.deepEqual(images.map((i) => [i.imageId, Array.from(i.gtBoxes)]), [
    ['1', [1, 1, 1, 1]], // width below 1: x2 = x + max(0, w - 1)
    ['5', [10, 20, 39, 59]],
  ]);
  const r = proposalRecall(images, (id) => (id === '5' ? Float64Array.from([10, 20, 39, 59]) : undefined), { topN: [10] });
  assert.equal(r.numPos, 2);
  assert.equal(r.rows[0].recalls[0], 0.5);
});
