import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, encodeImage, readImageSize, sniffFormat } from '../../src/data/image-io.ts';
import { InputError } from '../../src/util/errors.ts';

const fixtures = new URL('../fixtures/data/', import.meta.url).pathname;

function pattern(width: number, height: number): Uint8Array {
  const d = new Uint8Array(width * height * 3);
  for (let i = 0; i < d.length; i++) d[i] = (i * 53 + (i >> 3)) & 255;
  return d;
}

test('PNG round trip is exact; the format comes from magic bytes, not the extension', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-img-'));
  const data = pattern(7, 5);
  const file = join(dir, 'looks-like.jpg');
  await writeFile(file, encodeImage({ data, width: 7, height: 5 }, 'png'));
  const img = await decodeImage(file);
  assert.deepEqual([img.width, img.height], [7, 5]);
  assert.deepEqual(img.data, data);
  assert.deepEqual(await readImageSize(file), { width: 7, height: 5, format: 'png' });
});

test('JPEG round trip stays close on smooth content and reports its size', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-img-'));
  const w = 33;
  const h = 17;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 7, y * 14, 128], (y * w + x) * 3);
  const file = join(dir, 'a.jpg');
  await writeFile(file, encodeImage({ data, width: w, height: h }, 'jpg', 95));
  const img = await decodeImage(file);
  assert.deepEqual([img.width, img.height, img.data.length], [w, h, w * h * 3]);
  let err = 0;
  for (let i = 0; i < data.length; i++) err += Math.abs(img.data[i] - data[i]);
  assert.ok(err / data.length < 4, `mean abs error ${err / data.length}`);
  assert.deepEqual(await readImageSize(file), { width: w, height: h, format: 'jpg' });
});

test('the committed fixture images decode to their known pixels', async () => {
  const png = await decodeImage(join(fixtures, 'voc-mini/JPEGImages/img_a.png'));
  assert.deepEqual([png.width, png.height], [12, 8]);
  assert.deepEqual(Array.from(png.data.subarray(0, 3)), [200, 0, 0]); // left half red
  assert.deepEqual(Array.from(png.data.subarray((1 * 12 + 3) * 3, (1 * 12 + 3) * 3 + 3)), [0, 255, 0]); // green patch
  assert.deepEqual(Array.from(png.data.subarray((7 * 12 + 11) * 3)), [0, 0, 200]); // right half blue
  const jpg = await decodeImage(join(fixtures, 'voc-mini/JPEGImages/img_b.jpg'));
  assert.deepEqual([jpg.width, jpg.height], [16, 10]);
});

test('bad image files give InputErrors naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-img-'));
  const missing = join(dir, 'nope.jpg');
  await assert.rejects(decodeImage(missing), (e: unknown) => e instanceof InputError && e.where === missing && /not found/.test(e.message));
  const text = join(dir, 'text.png');
  await writeFile(text, 'hello');
  await assert.rejects(decodeImage(text), /text\.png: not a JPEG or PNG image \(first bytes: 68 65 6c 6c 6f\)/);
  const empty = join(dir, 'empty.jpg');
  await writeFile(empty, '');
  await assert.rejects(decodeImage(empty), /empty\.jpg: .*the file is empty/);
  const truncated = join(dir, 'trunc.png');
  await writeFile(truncated, encodeImage({ data: pattern(8, 8), width: 8, height: 8 }, 'png').subarray(0, 40));
  await assert.rejects(decodeImage(truncated), (e: unknown) => e instanceof InputError && /trunc\.png: cannot decode PNG/.test(e.message));
  assert.equal(sniffFormat(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])), 'jpg');
  assert.equal(sniffFormat(Uint8Array.from([0x47, 0x49, 0x46])), undefined);
});
