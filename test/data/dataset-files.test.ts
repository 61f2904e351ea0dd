import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareImageBlob } from '../../src/data/blob.ts';
import { loadCocoDataset } from '../../src/data/coco.ts';
import type { DatasetFiles } from '../../src/data/dataset-files.ts';
import { loadVocDataset } from '../../src/data/voc.ts';

const fixtures = new URL('../fixtures/data/', import.meta.url).pathname;

/** Keys → bytes, like an object store: "directories" are key prefixes, absent keys throw ObjectNotFoundError. */
class KeyValueFiles implements DatasetFiles {
  readonly local = false;
  readonly objects = new Map<string, Uint8Array>();
  readonly reads: string[] = [];
  async list(dir: string): Promise<string[]> {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Set([...this.objects.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length).split('/')[0]));
    if (names.size === 0) throw Object.assign(new Error(`no objects under ${prefix}`), { name: 'ObjectNotFoundError' });
    return [...names];
  }
  async read(path: string): Promise<Uint8Array> {
    this.reads.push(path);
    const bytes = this.objects.get(path);
    if (!bytes) throw Object.assign(new Error(`no object ${path}`), { name: 'ObjectNotFoundError' });
    return bytes;
  }
}

async function storeOf(dir: string, prefix: string): Promise<KeyValueFiles> {
  const files = new KeyValueFiles();
  for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) {
      const path = join(f.parentPath, f.name);
      files.objects.set(`${prefix}/${path.slice(dir.length).replace(/^\/+/, '')}`, await readFile(path));
    }
  }
  return files;
}

test('a VOC tree and its images load through a key-value DatasetFiles (no local paths)', async () => {
  const files = await storeOf(join(fixtures, 'voc-mini'), 'datasets/voc-mini');
  const ds = await loadVocDataset('datasets/voc-mini', { files });
  const [a, b] = ds.split('trainval');
  assert.equal(a.file, 'datasets/voc-mini/JPEGImages/img_a.png');
  assert.deepEqual(a.objects[0], { name: 'dog', box: [2, 1, 4, 2], difficult: false });
  assert.deepEqual([b.width, b.height], [16, 10], 'size read from the image header through files.read');
  assert.ok(files.reads.includes('datasets/voc-mini/JPEGImages/img_b.jpg'));
  const blob = await prepareImageBlob(b, ds.classes, { targetSize: 10, maxSize: 100, flip: true, readImage: (k) => files.read(k) });
  assert.deepEqual([blob.width, blob.height], [16, 10]);
  // Missing objects are reported like missing files.
  files.objects.delete('datasets/voc-mini/Annotations/img_b.xml');
  await assert.rejects(loadVocDataset('datasets/voc-mini', { files }), /Annotations\/img_b\.xml: annotation file not found/);
  await assert.rejects(loadVocDataset('datasets/nothing', { files }), /datasets\/nothing\/ImageSets\/Main: directory not found/);
});

test('a COCO file and its image directory load through a key-value DatasetFiles', async () => {
  const files = await storeOf(join(fixtures, 'coco-mini'), 'coco');
  const ds = await loadCocoDataset('coco/instances_mini2017.json', 'coco/images', { files });
  assert.deepEqual(
    ds.split('mini2017').map((e) => e.file),
    ['coco/images/000000000042.png', 'coco/images/000000000043.jpg'],
  );
  files.objects.delete('coco/images/000000000043.jpg');
  await assert.rejects(loadCocoDataset('coco/instances_mini2017.json', 'coco/images', { files }), /images\[1\] \(id 43\): image file not found: coco\/images\/000000000043\.jpg/);
  await assert.rejects(loadCocoDataset('coco/none.json', 'coco/images', { files }), /coco\/none\.json: annotation file not found/);
});
