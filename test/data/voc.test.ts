import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVocDataset, VOC_CLASSES } from '../../src/data/voc.ts';
import { formatVocAnnotation, parseVocAnnotation } from '../../src/data/voc-annotation.ts';
import { InputError } from '../../src/util/errors.ts';

const fixture = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;

/** A copy of the fixture tree to break. */
async function copyFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-voc-'));
  await cp(fixture, dir, { recursive: true });
  return dir;
}

async function editXml(root: string, id: string, edit: (s: string) => string): Promise<void> {
  const f = join(root, 'Annotations', `${id}.xml`);
  await writeFile(f, edit(await readFile(f, 'utf8')));
}

test('the hand-written VOC fixture loads: 1-based → 0-based, difficult kept and flagged, size from the header', async () => {
  const ds = await loadVocDataset(fixture);
  assert.deepEqual(ds.classes, VOC_CLASSES, 'names all VOC → the 20 VOC classes');
  assert.deepEqual(ds.splits, ['train', 'trainval', 'val'], 'dog_train.txt / dog_val.txt are per-class files, not splits');
  const [a, b] = ds.split('trainval');
  assert.equal(a.id, 'img_a');
  assert.equal(a.file, join(fixture, 'JPEGImages', 'img_a.png'));
  assert.deepEqual([a.width, a.height], [12, 8]);
  assert.deepEqual(a.objects, [
    { name: 'dog', box: [2, 1, 4, 2], difficult: false },
    { name: 'person', box: [0, 0, 11, 7], difficult: true },
  ]);
  assert.deepEqual([b.width, b.height], [16, 10], 'no <size>: read from the JPEG header');
  assert.deepEqual(b.objects, [{ name: 'cat', box: [8, 0, 15, 9], difficult: false }]);
  assert.deepEqual(
    ds.split('val').map((e) => e.id),
    ['img_b'],
  );
  assert.throws(() => ds.split('test'), /split not loaded \(have: train, trainval, val\)/);
  const noDiff = await loadVocDataset(fixture, { keepDifficult: false, splits: ['train'] });
  assert.deepEqual(
    noDiff.split('train')[0].objects.map((o) => o.name),
    ['dog'],
  );
});

test('classes: explicit list, dataset.json, else the sorted names found', async () => {
  const root = await copyFixture();
  await editXml(root, 'img_b', (s) => s.replace('<name>cat</name>', '<name>zebra</name>'));
  assert.deepEqual((await loadVocDataset(root)).classes, ['dog', 'person', 'zebra']);
  await writeFile(join(root, 'dataset.json'), JSON.stringify({ classes: ['zebra', 'dog', 'person', 'cow'] }));
  assert.deepEqual((await loadVocDataset(root)).classes, ['zebra', 'dog', 'person', 'cow']);
  assert.deepEqual((await loadVocDataset(root, { classes: ['person', 'dog', 'zebra'] })).classes, ['person', 'dog', 'zebra']);
  await writeFile(join(root, 'dataset.json'), '{"classes": [1]}');
  await assert.rejects(loadVocDataset(root), /dataset\.json: "classes" must be a non-empty array/);
});

/** Each broken input: the error names the file and object; 'skip' drops just that and counts it. */
const broken: Array<{ what: string; id: string; edit: (s: string) => string; error: RegExp; scope: 'object' | 'image'; left: number }> = [
  {
    what: 'box beyond the width',
    id: 'img_a',
    edit: (s) => s.replace('<xmax>5</xmax>', '<xmax>300</xmax>'),
    error: /Annotations\/img_a\.xml: object 1 \("dog"\): xmax 300 > width 12/,
    scope: 'object',
    left: 1,
  },
  { what: 'box before the origin', id: 'img_a', edit: (s) => s.replace('<ymin>2</ymin>', '<ymin>0</ymin>'), error: /object 1 \("dog"\): ymin 0 < 1/, scope: 'object', left: 1 },
  {
    what: 'zero-area box',
    id: 'img_a',
    edit: (s) => s.replace('<xmin>3</xmin>', '<xmin>6</xmin>'),
    error: /object 1 \("dog"\): zero-area box: xmax 5 < xmin 6/,
    scope: 'object',
    left: 1,
  },
  {
    what: 'size from the header still bounds boxes',
    id: 'img_b',
    edit: (s) => s.replace('<ymax>10</ymax>', '<ymax>11</ymax>'),
    error: /img_b\.xml: object 1 \("cat"\): ymax 11 > height 10/,
    scope: 'object',
    left: 0,
  },
  {
    what: 'missing bndbox field',
    id: 'img_a',
    edit: (s) => s.replace('<ymax>3</ymax>', ''),
    error: /object 1 \("dog"\): <bndbox> missing <ymax>/,
    scope: 'object',
    left: 1,
  },
  { what: 'non-numeric field', id: 'img_a', edit: (s) => s.replace('<xmin>3</xmin>', '<xmin>three</xmin>'), error: /<xmin> is not a number: "three"/, scope: 'object', left: 1 },
  { what: 'bad difficult flag', id: 'img_a', edit: (s) => s.replace('<difficult>0</difficult>', '<difficult>yes</difficult>'), error: /object 1 \("dog"\): <difficult> must be 0 or 1/, scope: 'object', left: 1 },
  { what: 'missing name', id: 'img_a', edit: (s) => s.replace('<name>dog</name>', ''), error: /object 1 \(""\): missing <name>/, scope: 'object', left: 1 },
  { what: 'malformed XML', id: 'img_a', edit: (s) => s.replace('</bndbox>', '</bndbx>'), error: /Annotations\/img_a\.xml:26: malformed XML: <\/bndbx> closes <bndbox> \(line 21\)/, scope: 'image', left: 1 },
  { what: 'wrong root', id: 'img_b', edit: () => '<notes/>', error: /img_b\.xml: root element is <notes>/, scope: 'image', left: 1 },
];

for (const c of broken) {
  test(`broken input: ${c.what}`, async () => {
    const root = await copyFixture();
    await editXml(root, c.id, c.edit);
    await assert.rejects(loadVocDataset(root, { splits: ['trainval'] }), (e: unknown) => e instanceof InputError && c.error.test(e.message));
    const ds = await loadVocDataset(root, { splits: ['trainval'], onBroken: 'skip' });
    assert.equal(ds.skipped.length, 1);
    assert.equal(ds.skipped[0].scope, c.scope);
    assert.match(`${ds.skipped[0].where}: ${ds.skipped[0].message}`, c.error);
    const entries = ds.split('trainval');
    if (c.scope === 'image') assert.equal(entries.length, 1);
    else assert.equal(entries.find((e) => e.id === c.id)!.objects.length, c.left);
  });
}

test('broken input: missing image file and missing annotation', async () => {
  const root = await copyFixture();
  await rm(join(root, 'JPEGImages', 'img_b.jpg'));
  await assert.rejects(loadVocDataset(root), /Annotations\/img_b\.xml: image file not found: JPEGImages\/img_b\.jpg/);
  const ds = await loadVocDataset(root, { onBroken: 'skip' });
  assert.deepEqual(
    ds.split('trainval').map((e) => e.id),
    ['img_a'],
  );
  await rm(join(root, 'Annotations', 'img_a.xml'));
  await assert.rejects(loadVocDataset(root), /Annotations\/img_a\.xml: annotation file not found/);
});

test('broken input: unknown class against dataset.json classes', async () => {
  const root = await copyFixture();
  await writeFile(join(root, 'dataset.json'), JSON.stringify({ classes: ['dog', 'person'] }));
  await assert.rejects(loadVocDataset(root), /img_b\.xml: object 1 \("cat"\): unknown class \(classes: dog, person\)/);
  const ds = await loadVocDataset(root, { onBroken: 'skip' });
  assert.equal(ds.split('val')[0].objects.length, 0);
  assert.equal(ds.skipped.length, 1);
});

test('not a VOC tree, unknown split, bad id line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-voc-'));
  await assert.rejects(loadVocDataset(dir), /ImageSets\/Main: directory not found/);
  await assert.rejects(loadVocDataset(fixture, { splits: ['test'] }), /test\.txt: split not found \(have: train, trainval, val\)/);
  const root = await copyFixture();
  await writeFile(join(root, 'ImageSets/Main/train.txt'), 'img_a\n../etc/passwd\n');
  await assert.rejects(loadVocDataset(root), /train\.txt:2: bad image id "\.\.\/etc\/passwd"/);
});

test('formatVocAnnotation → parseVocAnnotation round trip', () => {
  const objects = [
    { name: 'circle', box: [0, 0, 9, 4] as [number, number, number, number], difficult: false, truncated: false, pose: 'Unspecified' },
    { name: 'a&b', box: [3, 2, 3, 2] as [number, number, number, number], difficult: true, truncated: true, pose: 'Left' },
  ];
  const xml = formatVocAnnotation({ filename: 'x.jpg', width: 10, height: 5, objects });
  assert.match(xml, /<xmin>1<\/xmin>\s*<ymin>1<\/ymin>\s*<xmax>10<\/xmax>\s*<ymax>5<\/ymax>/, '1-based on disk');
  const ann = parseVocAnnotation(xml, 'x.xml');
  assert.deepEqual([ann.filename, ann.width, ann.height, ann.depth], ['x.jpg', 10, 5, 3]);
  assert.deepEqual(
    ann.objects.map((o) => (o.ok ? o.object : o.problem)),
    objects,
  );
});
