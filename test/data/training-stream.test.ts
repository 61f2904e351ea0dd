import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingImageStream } from '../../src/data/training-stream.ts';
import type { ImageEntry } from '../../src/data/types.ts';
import { Rng } from '../../src/util/rng.ts';

const entries: ImageEntry[] = Array.from({ length: 5 }, (_, i) => ({ id: `im${i}`, file: `/x/im${i}.jpg`, width: 10, height: 10, objects: [] }));
const key = (s: { entry: ImageEntry; flip: boolean }) => `${s.entry.id}${s.flip ? 'F' : ''}`;

test('each epoch visits every image once, and with flips every mirrored copy once', () => {
  const stream = new TrainingImageStream(entries, { flipped: true, rng: new Rng(3) });
  assert.equal(stream.epochSize, 10);
  const epochs: string[][] = [];
  for (let e = 0; e < 3; e++) {
    const seen = Array.from({ length: 10 }, () => stream.next());
    assert.ok(seen.every((s) => s.epoch === e));
    epochs.push(seen.map(key));
  }
  const pool = [...entries.map((e) => e.id), ...entries.map((e) => `${e.id}F`)].sort();
  for (const ep of epochs) assert.deepEqual([...ep].sort(), pool);
  assert.notDeepEqual(epochs[0], epochs[1], 'reshuffled per epoch');
  const plain = new TrainingImageStream(entries, { flipped: false, rng: new Rng(3) });
  const one = Array.from({ length: 5 }, () => plain.next());
  assert.ok(one.every((s) => !s.flip));
  assert.deepEqual(one.map((s) => s.entry.id).sort(), entries.map((e) => e.id));
});

test('a restored stream continues exactly where the saved one was, across epoch boundaries', () => {
  for (const stop of [0, 1, 7, 10, 13]) {
    const a = new TrainingImageStream(entries, { flipped: true, rng: new Rng(42) });
    for (let i = 0; i < stop; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = TrainingImageStream.restore(entries, saved);
    const fromA = Array.from({ length: 25 }, () => a.next());
    const fromB = Array.from({ length: 25 }, () => b.next());
    assert.deepEqual(fromB.map((s) => [key(s), s.epoch]), fromA.map((s) => [key(s), s.epoch]), `stopped after ${stop}`);
  }
});

test('restore refuses another image list or a damaged state', () => {
  const a = new TrainingImageStream(entries, { flipped: false, rng: new Rng(1) });
  a.next();
  const s = a.state();
  assert.throws(() => TrainingImageStream.restore(entries.slice(1), s), /saved for 5 images .* given 4/);
  const renamed = entries.map((e, i) => (i === 2 ? { ...e, id: 'other' } : e));
  assert.throws(() => TrainingImageStream.restore(renamed, s), /digest/);
  assert.throws(() => TrainingImageStream.restore(entries, { ...s, cursor: 9 }), /inconsistent order\/cursor/);
  assert.throws(() => TrainingImageStream.restore(entries, { ...s, order: [0, 1, 2, 3, 7] }), /outside the pool/);
  assert.throws(() => TrainingImageStream.restore(entries, { version: 2 }), /not a version-1/);
  assert.throws(() => new TrainingImageStream([], { flipped: true, rng: new Rng(1) }), /no training images/);
});
