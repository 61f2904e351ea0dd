import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, encodeImage, readImageSize, sniffFormat } from '../../src/data/image-io.ts';
import { applyOrientation, jpegOrientation } from '../../src/data/exif.ts';
import { isUpsampledYcc, readJpegFrame } from '../../src/data/jpeg-color.ts';
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

test('grayscale, progressive, subsampled, EXIF-rotated JPEGs and RGBA / 16-bit PNGs decode to RGB as OpenCV (libjpeg) does', async () => {
  const dir = join(fixtures, 'formats');
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Record<string, { width: number; height: number; rgb: number[] }>;
  assert.equal(Object.keys(expected).length, 17);
  for (const [name, ref] of Object.entries(expected)) {
    const img = await decodeImage(join(dir, name));
    assert.deepEqual([img.width, img.height, img.data.length], [ref.width, ref.height, ref.rgb.length], name);
    let max = 0;
    let sum = 0;
    for (let i = 0; i < ref.rgb.length; i++) {
      const d = Math.abs(img.data[i] - ref.rgb[i]);
      max = Math.max(max, d);
      sum += d;
    }
    // PNG is lossless: exact. JPEG: chroma upsampling and colour tables as libjpeg; only IDCT
    // rounding differs (jpeg-js's IDCT vs libjpeg's islow). Plain jpeg-js is off by up to ~60 here.
    if (name.endsWith('.png')) assert.equal(max, 0, name);
    else assert.ok(max <= 4 && sum / ref.rgb.length <= 0.6, `${name}: max ${max}, mean ${(sum / ref.rgb.length).toFixed(3)} from cv2.imread`);
  }
});

test('readJpegFrame reads sampling factors; only YCbCr with 1 or 2× chroma takes the libjpeg path', async () => {
  const dir = join(fixtures, 'formats');
  const factors = async (f: string) => readJpegFrame(await readFile(join(dir, f)))!.components.map((c) => `${c.h}x${c.v}`).join(' ');
  assert.equal(await factors('s420.jpg'), '2x2 1x1 1x1');
  assert.equal(await factors('s422.jpg'), '2x1 1x1 1x1');
  assert.equal(await factors('s440.jpg'), '1x2 1x1 1x1');
  assert.equal(await factors('s444.jpg'), '1x1 1x1 1x1');
  assert.equal(await factors('gray.jpg'), '1x1');
  const frame = readJpegFrame(await readFile(join(dir, 's420.jpg')))!;
  assert.deepEqual([frame.width, frame.height], [23, 13]);
  assert.equal(isUpsampledYcc(frame), true);
  assert.equal(isUpsampledYcc({ ...frame, adobeTransform: 0 }), false, 'Adobe RGB');
  assert.equal(isUpsampledYcc(readJpegFrame(await readFile(join(dir, 'gray.jpg')))!), false);
  assert.equal(isUpsampledYcc({ ...frame, components: [frame.components[0], { id: 2, h: 4, v: 1 }, frame.components[2]] }), false);
});

test('EXIF orientation turns JPEGs upright, and readImageSize reports the upright size', async () => {
  const dir = join(fixtures, 'formats');
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Record<string, { width: number; height: number; rgb: number[] }>;
  // The references really differ (cv2 applied the tags), so matching them means rotating right.
  assert.notDeepEqual(expected['exif3.jpg'].rgb, expected['exif1.jpg'].rgb);
  assert.notDeepEqual(expected['exif6.jpg'].rgb, expected['exif8.jpg'].rgb);
  for (let o = 1; o <= 8; o++) {
    const bytes = await readFile(join(dir, `exif${o}.jpg`));
    assert.equal(jpegOrientation(bytes), o);
    assert.deepEqual(await readImageSize(join(dir, `exif${o}.jpg`)), o >= 5 ? { width: 13, height: 23, format: 'jpg' } : { width: 23, height: 13, format: 'jpg' });
  }
  assert.equal(jpegOrientation(await readFile(join(dir, 's444.jpg'))), 1);
  // 3x2 with distinct pixels 0..5: rotate 90° clockwise puts the bottom-left pixel (3) top-left.
  const img = { data: Uint8Array.from([0, 1, 2, 3, 4, 5].flatMap((v) => [v, v, v])), width: 3, height: 2 };
  const r6 = applyOrientation(img, 6);
  assert.deepEqual([r6.width, r6.height], [2, 3]);
  assert.deepEqual(Array.from(r6.data.filter((_, i) => i % 3 === 0)), [3, 0, 4, 1, 5, 2]);
  assert.deepEqual(Array.from(applyOrientation(img, 8).data.filter((_, i) => i % 3 === 0)), [2, 5, 1, 4, 0, 3]);
  assert.deepEqual(Array.from(applyOrientation(img, 2).data.filter((_, i) => i % 3 === 0)), [2, 1, 0, 5, 4, 3]);
});
