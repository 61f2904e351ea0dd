import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCocoGroundTruth, parseCocoResults, readCocoGroundTruth } from '../../src/evaluator/coco-data.ts';
import { parseCocoResultsFast } from '../../src/evaluator/coco-results-fast.ts';

const gt = parseCocoGroundTruth(
  {
    images: [{ id: 1 }, { id: 2 }],
    categories: [{ id: 1 }, { id: 3 }],
    annotations: [],
  },
  'gt',
);

function both(text: string) {
  const fast = parseCocoResultsFast(Buffer.from(text), gt, 'dt');
  const slow = parseCocoResults(JSON.parse(text), gt, 'dt');
  return { fast, slow };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `[${i}] ${a[i]} vs ${b[i]}`);
};

test('the scanner reads what JSON.parse reads, number for number', () => {
  const text = ` [ {"image_id":2,"category_id":3,"bbox":[1.5,2e1,-0,3.25E-2],"score":0.9990000000000001,"extra":{"a":[1,"x\\"",null,true,false]}},
    {"score":1e-7,"bbox":[12345678901234567890,0.1234567890123456789,1e300,5],"category_id":1,"image_id":1,"segmentation":[]},
    {"image_id":1,"category_id":9,"bbox":[0,0,1,1],"score":0.5}, {"image_id":1,"category_id":1,"bbox":[4,4,4,4],"score":-0.0} ]\n`;
  const { fast, slow } = both(text);
  assert.ok(fast, 'fast path taken');
  for (const k of ['image', 'category', 'bbox', 'score'] as const) same(fast[k], slow[k]);
  assert.equal(fast.skippedUnknownCategory, 1);
});

test('random decimal literals parse exactly', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const recs = Array.from({ length: 3000 }, (_, i) => {
    const lit = (d: number) => (rnd() * 10 ** Math.floor(rnd() * 8 - 3)).toFixed(d);
    return `{"image_id":${1 + (i % 2)},"category_id":1,"bbox":[${lit(2)},${lit(6)},${lit(13)},${lit(17)}],"score":${lit(Math.floor(rnd() * 18))}}`;
  });
  const { fast, slow } = both(`[${recs.join(',')}]`);
  assert.ok(fast);
  same(fast.bbox, slow.bbox);
  same(fast.score, slow.score);
});

test('the scanner declines what it does not handle, so the general path decides', () => {
  for (const text of [
    '[{"image_id":1,"category_id":1,"bbox":[0,0,1,1]}]', // missing score: general path names the record
    '[{"image_id":7,"category_id":1,"bbox":[0,0,1,1],"score":1}]', // unknown image
    '[{"image_id":1,"category_id":1,"bbox":[0,0,1],"score":1}]', // short bbox
    '[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":"1"}]', // string score
    '[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1},]', // trailing comma (invalid JSON)
    '[{"image_id":1,"category_id":1,"bbox":[0,0,1,01],"score":1}]', // leading zero (invalid JSON)
    '{"image_id":1}',
  ]) {
    assert.equal(parseCocoResultsFast(Buffer.from(text), gt, 'dt'), undefined, text);
  }
  // an escaped key is still recognised
  const esc = parseCocoResultsFast(Buffer.from('[{"image\\u005fid":1,"category_id":1,"bbox":[0,0,1,1],"score":1}]'), gt, 'dt');
  assert.deepEqual(Array.from(esc?.image ?? []), [0]);
});

test('fixture results: scanner equals the general parser', () => {
  const dir = new URL('../fixtures/eval/coco-a/', import.meta.url).pathname;
  const g = readCocoGroundTruth(`${dir}gt.json`);
  const bytes = readFileSync(`${dir}dt.json`);
  const fast = parseCocoResultsFast(bytes, g, 'dt');
  const slow = parseCocoResults(JSON.parse(bytes.toString()), g, 'dt');
  assert.ok(fast);
  for (const k of ['image', 'category', 'bbox', 'score'] as const) same(fast[k], slow[k]);
});
