import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/frcnn.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, FRCNN_LOG_LEVEL: 'silent' } });

test('frcnn dataset shapes writes a tree that frcnn dataset info reads', async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'frcnn-cli-')), 'shapes');
  const gen = run('dataset', 'shapes', '--out', out, '--train', '6', '--test', '2', '--size', '64', '--seed', '5', '--json');
  assert.equal(gen.status, 0, gen.stderr);
  const res = JSON.parse(gen.stdout);
  assert.deepEqual(res.counts, { train: 6, test: 2, trainval: 6 });
  const info = run('dataset', 'info', out, '--json');
  assert.equal(info.status, 0, info.stderr);
  const sum = JSON.parse(info.stdout);
  assert.deepEqual(sum.classes, ['circle', 'square', 'triangle', 'cross']);
  assert.equal(sum.splits.train.images, 6);
  assert.equal(sum.splits.test.images, 2);
  assert.match(sum.digest, /^sha256:[0-9a-f]{64}$/);
  const objects = Object.values(sum.splits.train.perClass as Record<string, { objects: number }>).reduce((s, v) => s + v.objects, 0);
  assert.equal(objects, sum.splits.train.objects);
  const text = run('dataset', 'info', out, '--split', 'test');
  assert.match(text.stdout, /split test: 2 images/);
  assert.doesNotMatch(text.stdout, /split train:/);
});

test('bad flags exit 2 naming the flag; a broken tree exits 1 naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-cli-'));
  const bad = run('dataset', 'shapes', '--out', join(dir, 'x'), '--format', 'gif');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format: expected jpg or png, got "gif"/);
  const neg = run('dataset', 'shapes', '--out', join(dir, 'y'), '--test', '-3');
  assert.equal(neg.status, 2);
  assert.match(neg.stderr, /--test must be an integer >= 0/);
  const info = run('dataset', 'info', dir);
  assert.equal(info.status, 1);
  assert.match(info.stderr, /ImageSets\/Main: directory not found/);
});

test('frcnn dataset info reads a COCO file with --images', () => {
  const dir = new URL('../fixtures/data/coco-mini/', import.meta.url).pathname;
  const r = run('dataset', 'info', join(dir, 'instances_mini2017.json'), '--images', join(dir, 'images'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const sum = JSON.parse(r.stdout);
  assert.deepEqual(sum.classes, ['person', 'cat', 'dog']);
  assert.deepEqual(sum.splits.mini2017.perClass.person, { objects: 1, difficult: 0, crowd: 1, images: 1 });
  const missing = run('dataset', 'info', join(dir, 'instances_mini2017.json'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--images <dir> is required/);
});

test('frcnn dataset preview writes a PNG contact sheet', async () => {
  const { decodeImage } = await import('../../src/data/image-io.ts');
  const dir = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;
  const out = join(await mkdtemp(join(tmpdir(), 'frcnn-cli-')), 'sheet.png');
  const r = run('dataset', 'preview', dir, '--out', out, '--split', 'trainval', '--tile', '32', '--cols', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 images of split trainval, 32x64/);
  const img = await decodeImage(out);
  assert.deepEqual([img.width, img.height], [32, 64]);
});

test('frcnn dataset shapes --objects/--sides/--noise shape the generator', async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'frcnn-cli-')), 'shapes');
  const r = run('dataset', 'shapes', '--out', out, '--train', '5', '--test', '0', '--size', '96', '--objects', '3', '--sides', '20-30', '--noise', '0-0');
  assert.equal(r.status, 0, r.stderr);
  const { loadVocDataset } = await import('../../src/data/voc.ts');
  for (const e of (await loadVocDataset(out)).split('train')) {
    assert.ok(e.objects.length >= 1 && e.objects.length <= 3);
    for (const o of e.objects) {
      const side = Math.sqrt((o.box[2] - o.box[0] + 1) * (o.box[3] - o.box[1] + 1));
      assert.ok(side >= 19 && side <= 31, `side ${side}`);
    }
  }
  const meta = JSON.parse(await (await import('node:fs/promises')).readFile(join(out, 'dataset.json'), 'utf8'));
  assert.deepEqual([meta.render.minObjects, meta.render.maxObjects, meta.render.minSide, meta.render.maxSide, meta.render.maxNoise], [3, 3, 20, 30, 0]);
  const bad = run('dataset', 'shapes', '--out', out, '--sides', '50-10');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--sides: expected a range like 1-4/);
  const big = run('dataset', 'shapes', '--out', join(out, 'x'), '--size', '64', '--sides', '10-100');
  assert.equal(big.status, 2);
  assert.match(big.stderr, /sides need 4 <= min <= max <= 64, got 10-100/);
});

test('frcnn dataset to-coco writes COCO ground truth for a split', async () => {
  const { readFile } = await import('node:fs/promises');
  const dir = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;
  const out = join(await mkdtemp(join(tmpdir(), 'frcnn-cli-')), 'gt.json');
  const r = run('dataset', 'to-coco', dir, '--split', 'train', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 images, 2 annotations, 20 categories/);
  const json = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(json.images, [{ id: 1, file_name: 'img_a.png', width: 12, height: 8 }]);
});
