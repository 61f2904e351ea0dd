import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateShapesDataset, shapesImageSeed } from '../../src/data/shapes-dataset.ts';
import { defaultRenderOptions, renderShapesImage, SHAPE_CLASSES } from '../../src/data/shapes-render.ts';
import { loadVocDataset } from '../../src/data/voc.ts';
import { decodeImage } from '../../src/data/image-io.ts';
import { Rng } from '../../src/util/rng.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'frcnn-shapes-'));

async function treeFiles(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) {
      const p = join(f.parentPath, f.name);
      out.set(p.slice(root.length), await readFile(p));
    }
  }
  return out;
}

test('a seed fixes every byte of the tree; another seed changes the images', async () => {
  const [a, b, c] = [await tmp(), await tmp(), await tmp()];
  await generateShapesDataset({ out: a, train: 6, test: 2, size: 96, seed: 7 });
  await generateShapesDataset({ out: b, train: 6, test: 2, size: 96, seed: 7 });
  await generateShapesDataset({ out: c, train: 6, test: 2, size: 96, seed: 8 });
  const [fa, fb, fc] = [await treeFiles(a), await treeFiles(b), await treeFiles(c)];
  assert.equal(fa.size, 8 * 2 + 3 * (1 + SHAPE_CLASSES.length) + 1);
  assert.deepEqual(fa, fb);
  assert.notDeepEqual(fa.get('/JPEGImages/000001.jpg'), fc.get('/JPEGImages/000001.jpg'));
});

test('VOC round trip: generate → load gives the rendered boxes; PNG pixels are exact', async () => {
  const out = await tmp();
  const res = await generateShapesDataset({ out, train: 5, test: 3, width: 120, height: 80, seed: 3, format: 'png' });
  assert.deepEqual(res.classes, [...SHAPE_CLASSES]);
  assert.deepEqual(res.counts, { train: 5, test: 3, trainval: 5 });
  const ds = await loadVocDataset(out);
  assert.deepEqual(ds.classes, [...SHAPE_CLASSES], 'class order from dataset.json');
  assert.deepEqual(ds.splits, ['test', 'train', 'trainval']);
  const all = [...ds.split('train'), ...ds.split('test')];
  assert.deepEqual(
    all.map((e) => e.id),
    ['000001', '000002', '000003', '000004', '000005', '000006', '000007', '000008'],
  );
  let objects = 0;
  for (let i = 0; i < all.length; i++) {
    const img = renderShapesImage(new Rng(shapesImageSeed(3, i)), defaultRenderOptions(120, 80));
    assert.deepEqual(
      all[i].objects.map((o) => ({ name: o.name, box: o.box })),
      img.objects,
    );
    assert.ok(all[i].objects.every((o) => !o.difficult));
    const dec = await decodeImage(all[i].file);
    assert.deepEqual([dec.width, dec.height], [120, 80]);
    assert.deepEqual(dec.data, img.pixels);
    objects += img.objects.length;
  }
  assert.equal(Object.values(res.objects).reduce((s, n) => s + n, 0), objects);
  // Per-class image sets agree with the annotations.
  for (const cls of SHAPE_CLASSES) {
    const lines = (await readFile(join(out, 'ImageSets/Main', `${cls}_test.txt`), 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines,
      ds.split('test').map((e) => `${e.id} ${e.objects.some((o) => o.name === cls) ? ' 1' : '-1'}`),
    );
  }
  const meta = JSON.parse(await readFile(join(out, 'dataset.json'), 'utf8'));
  assert.equal(meta.seed, 3);
  assert.deepEqual([meta.width, meta.height, meta.format], [120, 80, 'png']);
});

test('default generator statistics: 1–4 objects, sizes 24..128 px, limited overlap, contrast with the background', () => {
  const opts = defaultRenderOptions(256, 256);
  assert.deepEqual([opts.minSide, opts.maxSide], [24, 128]);
  const counts = new Map<string, number>();
  let images = 0;
  let aspectVaried = 0;
  for (let i = 0; i < 40; i++) {
    const img = renderShapesImage(new Rng(shapesImageSeed(1, i)), opts);
    images++;
    assert.ok(img.objects.length >= 1 && img.objects.length <= 4);
    for (const [k, o] of img.objects.entries()) {
      const [x1, y1, x2, y2] = o.box;
      const w = x2 - x1 + 1;
      const h = y2 - y1 + 1;
      assert.ok(x1 >= 0 && y1 >= 0 && x2 <= 255 && y2 <= 255, `box ${o.box} inside`);
      assert.ok(Math.sqrt(w * h) >= 23 && Math.sqrt(w * h) <= 129, `size ${w}x${h}`);
      if (o.name === 'circle' || o.name === 'square') assert.equal(w, h);
      else if (Math.abs(Math.log(w / h)) > 0.15) aspectVaried++;
      counts.set(o.name, (counts.get(o.name) ?? 0) + 1);
      for (const p of img.objects.slice(0, k)) {
        const iw = Math.min(p.box[2], x2) - Math.max(p.box[0], x1) + 1;
        const ih = Math.min(p.box[3], y2) - Math.max(p.box[1], y1) + 1;
        const inter = iw > 0 && ih > 0 ? iw * ih : 0;
        const pa = (p.box[2] - p.box[0] + 1) * (p.box[3] - p.box[1] + 1);
        assert.ok(inter / pa <= 0.3 + 1e-9, 'a later object hides at most 30 % of an earlier box');
      }
      // The shape's centre pixel (inside every class's shape) stands out from the pixels just outside its box.
      const cx = Math.floor((x1 + x2) / 2);
      const cy = Math.floor((y1 + y2) / 2);
      const px = (x: number, y: number) => Array.from(img.pixels.subarray((y * 256 + x) * 3, (y * 256 + x) * 3 + 3));
      const covered = img.objects.slice(k + 1).some((q) => cx >= q.box[0] && cx <= q.box[2] && cy >= q.box[1] && cy <= q.box[3]);
      if (!covered && x1 > 2 && !img.objects.some((q) => q !== o && x1 - 2 >= q.box[0] && x1 - 2 <= q.box[2] && cy >= q.box[1] && cy <= q.box[3])) {
        const d = Math.hypot(...px(cx, cy).map((v, c) => v - px(x1 - 2, cy)[c]));
        assert.ok(d > 40, `image ${i} object ${k} (${o.name}) contrast ${d.toFixed(1)}`);
      }
    }
  }
  assert.equal(images, 40);
  for (const c of SHAPE_CLASSES) assert.ok((counts.get(c) ?? 0) >= 10, `class ${c}: ${counts.get(c)}`);
  assert.ok(aspectVaried >= 10, `aspect-varied triangles/crosses: ${aspectVaried}`);
});

test('refuses to write into a foreign non-empty directory, replaces its own tree', async () => {
  const out = await tmp();
  await writeFile(join(out, 'notes.txt'), 'mine');
  await assert.rejects(generateShapesDataset({ out, train: 1, test: 0 }), /is not empty and holds no generated shapes dataset/);
  const own = await tmp();
  await generateShapesDataset({ out: own, train: 4, test: 1, size: 64 });
  await generateShapesDataset({ out: own, train: 2, test: 0, size: 64 });
  assert.deepEqual((await readdir(join(own, 'Annotations'))).sort(), ['000001.xml', '000002.xml'], 'stale files removed');
  await assert.rejects(generateShapesDataset({ out: await tmp(), train: -1 }), /train must be an integer >= 0/);
  await assert.rejects(generateShapesDataset({ out: await tmp(), size: 16 }), /width must be an integer >= 32/);
});
