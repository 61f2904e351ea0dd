import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASS_COLOURS, renderContactSheet } from '../../src/data/preview.ts';
import { loadVocDataset } from '../../src/data/voc.ts';

const fixture = new URL('../fixtures/data/voc-mini/', import.meta.url).pathname;

test('renderContactSheet tiles images and draws each box in its class colour', async () => {
  const ds = await loadVocDataset(fixture, { keepDifficult: false });
  const entries = ds.split('trainval'); // img_a 12x8 (dog [2,1,4,2]), img_b 16x10 (cat [8,0,15,9])
  const sheet = await renderContactSheet(entries, ds.classes, { cols: 2, tile: 24 });
  assert.deepEqual([sheet.width, sheet.height], [48, 24]);
  const at = (x: number, y: number) => Array.from(sheet.data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3));
  // img_a is scaled by 2 into the first tile: the dog box corner lands on (4, 2).
  assert.deepEqual(at(4, 2), [...CLASS_COLOURS[ds.classes.indexOf('dog')]]);
  // img_b is scaled by 1.5 into the second tile (offset 24): cat box [12, 0, 23 (22.5 rounds to 23), 14 (13.5 → 14)].
  assert.deepEqual(at(24 + 12, 5), [...CLASS_COLOURS[ds.classes.indexOf('cat')]]);
  // Below img_b (15 rows tall) the tile stays background grey.
  assert.deepEqual(at(30, 20), [32, 32, 32]);
});
