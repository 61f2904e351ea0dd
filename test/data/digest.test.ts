import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetDigest } from '../../src/data/digest.ts';
import { loadVocDataset } from '../../src/data/voc.ts';

const fixture = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;

test('the digest follows content, not location', async () => {
  const copy = await mkdtemp(join(tmpdir(), 'frcnn-digest-'));
  await cp(fixture, copy, { recursive: true });
  const a = await datasetDigest(await loadVocDataset(fixture), ['trainval']);
  assert.match(a, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await datasetDigest(await loadVocDataset(copy), ['trainval']), a, 'same content elsewhere');
  assert.notEqual(await datasetDigest(await loadVocDataset(fixture), ['train']), a, 'another split');
  assert.notEqual(await datasetDigest(await loadVocDataset(fixture, { keepDifficult: false }), ['trainval']), a, 'difficult dropped');

  const withImages = await datasetDigest(await loadVocDataset(copy), ['trainval'], { images: true });
  assert.notEqual(withImages, a);
  const png = join(copy, 'JPEGImages', 'img_a.png');
  const bytes = await readFile(png);
  bytes[bytes.length - 20] ^= 1; // inside the IEND/IDAT tail: annotations unchanged, bytes changed
  await writeFile(png, bytes);
  assert.equal(await datasetDigest(await loadVocDataset(copy), ['trainval']), a, 'annotation digest ignores pixels');
  assert.notEqual(await datasetDigest(await loadVocDataset(copy), ['trainval'], { images: true }), withImages);

  const xml = join(copy, 'Annotations', 'img_a.xml');
  await writeFile(xml, (await readFile(xml, 'utf8')).replace('<xmax>5</xmax>', '<xmax>6</xmax>'));
  assert.notEqual(await datasetDigest(await loadVocDataset(copy), ['trainval']), a, 'a moved box');
});
