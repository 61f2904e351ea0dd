import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCocoDataset } from '../../src/data/coco.ts';
import { toCocoGroundTruth } from '../../src/data/coco-export.ts';
import { loadVocDataset } from '../../src/data/voc.ts';

const fixture = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;

test('VOC → COCO JSON → COCO loader keeps images and boxes; difficult becomes crowd', async () => {
  const voc = await loadVocDataset(fixture);
  const { json, imageIds } = toCocoGroundTruth(voc, 'trainval');
  // Ids "img_a"/"img_b" are not numeric → 1..N.
  assert.deepEqual([...imageIds], [['img_a', 1], ['img_b', 2]]);
  assert.deepEqual(json.images, [
    { id: 1, file_name: 'img_a.png', width: 12, height: 8 },
    { id: 2, file_name: 'img_b.jpg', width: 16, height: 10 },
  ]);
  assert.deepEqual(json.annotations[0], { id: 1, image_id: 1, category_id: 12, bbox: [2, 1, 3, 2], area: 6, iscrowd: 0 });
  assert.equal(json.annotations[1].iscrowd, 1, 'difficult person');
  assert.equal(json.categories.length, 20);

  const file = join(await mkdtemp(join(tmpdir(), 'frcnn-export-')), 'instances_trainval.json');
  await writeFile(file, JSON.stringify(json));
  const coco = await loadCocoDataset(file, join(fixture, 'JPEGImages'));
  assert.deepEqual(coco.classes, voc.classes);
  const back = coco.split('trainval');
  const orig = voc.split('trainval');
  assert.deepEqual(
    back.map((e) => e.objects.map((o) => [o.name, ...o.box, !!o.crowd])),
    orig.map((e) => e.objects.map((o) => [o.name, ...o.box, o.difficult])),
  );
});

test('numeric VOC ids keep their number', async () => {
  const ds = {
    source: 'mem',
    classes: ['a'],
    split: () => [
      { id: '000123', file: '/x/000123.jpg', width: 5, height: 5, objects: [] },
      { id: '7', file: '/x/7.jpg', width: 5, height: 5, objects: [] },
    ],
  };
  assert.deepEqual([...toCocoGroundTruth(ds, 's').imageIds.values()], [123, 7]);
  const clash = { ...ds, split: () => [ds.split()[0], { ...ds.split()[1], id: '123' }] };
  assert.throws(() => toCocoGroundTruth(clash, 's'), /collide as numbers/);
});
