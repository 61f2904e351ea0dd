import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCocoDataset } from '../../src/data/coco.ts';
import { InputError } from '../../src/util/errors.ts';

const dir = new URL('../fixtures/data/coco-mini/', import.meta.url).pathname;
const annFile = join(dir, 'instances_mini2017.json');
const images = join(dir, 'images');

test('the hand-written COCO fixture loads: xywh → 0-based inclusive, classes by category id, crowd flagged', async () => {
  const ds = await loadCocoDataset(annFile, images);
  assert.deepEqual(ds.classes, ['person', 'cat', 'dog']);
  assert.deepEqual(ds.categoryIds, [1, 17, 18]);
  assert.deepEqual(ds.splits, ['mini2017']);
  const [a, b] = ds.split('mini2017');
  assert.deepEqual([a.id, a.file, a.width, a.height], ['42', join(images, '000000000042.png'), 12, 8]);
  assert.deepEqual(a.objects, [
    { name: 'dog', box: [2, 1, 4, 2], difficult: false },
    { name: 'person', box: [0, 0, 11, 7], difficult: false, crowd: true },
  ]);
  // [8.5, 0.25, 7.5, 9.75] → [8.5, 0.25, 8.5 + 6.5, 0.25 + 8.75].
  assert.deepEqual(b.objects, [{ name: 'cat', box: [8.5, 0.25, 15, 9], difficult: false }]);
  assert.throws(() => ds.split('train2017'), /split "train2017" not in this file \(it holds "mini2017"\)/);
});

async function withEdit(edit: (j: { images: Array<Record<string, unknown>>; annotations: Array<Record<string, unknown>> }) => void): Promise<string> {
  const json = JSON.parse(await readFile(annFile, 'utf8'));
  edit(json);
  const f = join(await mkdtemp(join(tmpdir(), 'frcnn-coco-')), 'instances_x.json');
  await writeFile(f, JSON.stringify(json));
  return f;
}

const broken: Array<{ what: string; edit: Parameters<typeof withEdit>[0]; error: RegExp; images: number; objects: number }> = [
  { what: 'unknown image_id', edit: (j) => (j.annotations[0].image_id = 999), error: /annotations\[0\] \(id 1, "dog"\): unknown image_id 999/, images: 2, objects: 2 },
  { what: 'unknown category', edit: (j) => (j.annotations[2].category_id = 5), error: /annotations\[2\] \(id 3\): unknown category_id 5/, images: 2, objects: 2 },
  { what: 'zero-area box', edit: (j) => (j.annotations[0].bbox = [2, 1, 0, 2]), error: /annotations\[0\] \(id 1, "dog"\): zero-area bbox \[2, 1, 0, 2\]/, images: 2, objects: 2 },
  {
    what: 'box outside the image',
    edit: (j) => (j.annotations[2].bbox = [10, 0, 9, 5]),
    error: /annotations\[2\] \(id 3, "cat"\): bbox \[10, 0, 9, 5\] lies outside the 16x10 image 43/,
    images: 2,
    objects: 2,
  },
  { what: 'malformed bbox', edit: (j) => (j.annotations[1].bbox = [0, 0, 'x', 1]), error: /annotations\[1\] .*"bbox" must be \[x, y, w, h\] numbers/, images: 2, objects: 2 },
  { what: 'missing image file', edit: (j) => (j.images[1].file_name = 'gone.jpg'), error: /images\[1\] \(id 43\): image file not found: .*gone\.jpg/, images: 1, objects: 2 },
  { what: 'bad image size', edit: (j) => (j.images[0].width = 0), error: /images\[0\] \(id 42\): "width" and "height" must be positive integers/, images: 1, objects: 1 },
];

for (const c of broken) {
  test(`COCO broken input: ${c.what}`, async () => {
    const f = await withEdit(c.edit);
    await assert.rejects(loadCocoDataset(f, images), (e: unknown) => e instanceof InputError && e.where === f && c.error.test(e.message));
    const ds = await loadCocoDataset(f, images, { onBroken: 'skip' });
    assert.equal(ds.skipped.length, 1);
    const entries = ds.split('x');
    assert.equal(entries.length, c.images);
    assert.equal(
      entries.reduce((s, e) => s + e.objects.length, 0),
      c.objects,
    );
  });
}

test('COCO: slight float overshoot is clipped; not JSON or missing arrays are errors', async () => {
  const f = await withEdit((j) => (j.annotations[2].bbox = [8, 0, 8.0004, 10]));
  const ds = await loadCocoDataset(f, images);
  assert.deepEqual(ds.split('x')[1].objects[0].box, [8, 0, 15, 9]);
  const bad = join(await mkdtemp(join(tmpdir(), 'frcnn-coco-')), 'a.json');
  await writeFile(bad, '{"images": [');
  await assert.rejects(loadCocoDataset(bad, images), /a\.json: not valid COCO JSON/);
  await writeFile(bad, '{"images": []}');
  await assert.rejects(loadCocoDataset(bad, images), /a\.json: missing "annotations" array/);
  await assert.rejects(loadCocoDataset(join(dir, 'nope.json'), images), /nope\.json: annotation file not found/);
});

test('COCO: a box starting just left of the image is clipped like clean_bbox (x2 from the clipped x1)', async () => {
  // x = -0.5, w = 4 → x1 = 0, x2 = 0 + 3 = 3 (not -0.5 + 3).
  const f = await withEdit((j) => (j.annotations[0].bbox = [-0.5, 1, 4, 2]));
  const ds = await loadCocoDataset(f, images);
  assert.deepEqual(ds.split('x')[0].objects[0].box, [0, 1, 3, 2]);
});
