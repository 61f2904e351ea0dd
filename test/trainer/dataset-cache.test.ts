/**
 * A stored dataset materialised by several stages at once (as two trainers of one machine do):
 * every caller gets a complete tree, and a tree already complete is never removed under a reader.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateShapesDataset } from '../../src/data/shapes-dataset.ts';
import { FsObjectStore } from '../../src/storage/fs-store.ts';
import { localDatasetDir, uploadDataset } from '../../src/trainer/dataset-source.ts';

test('concurrent materialisations of one stored tree all see it complete', async () => {
  const root = await mkdtemp(join(tmpdir(), 'frcnn-dscache-'));
  process.env.FRCNN_CACHE_DIR = join(root, 'cache');
  try {
    await generateShapesDataset({ out: join(root, 'ds'), train: 6, test: 2, size: 64, seed: 1 });
    const store = new FsObjectStore(join(root, 'store'));
    const { root: datasetRoot } = await uploadDataset(join(root, 'ds'), store, 'tiny');
    const split = async (dir: string) => readFile(join(dir, 'ImageSets', 'Main', 'trainval.txt'), 'utf8');
    const want = await split(join(root, 'ds'));
    // From a cold cache, four at once: each reads the tree as soon as it has it, while the
    // others may still be finishing their own copies.
    const dirs = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const dir = await localDatasetDir(datasetRoot, store);
        assert.equal(await split(dir), want);
        return dir;
      }),
    );
    assert.equal(new Set(dirs).size, 1);
    assert.equal(await split(dirs[0]), want);
    // Leftover partial copies are cleaned up.
    assert.deepEqual((await readdir(join(root, 'cache', 'datasets'))).filter((n) => n.includes('.partial-')), []);
  } finally {
    delete process.env.FRCNN_CACHE_DIR;
    await rm(root, { recursive: true, force: true });
  }
});
