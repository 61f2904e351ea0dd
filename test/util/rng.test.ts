import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.ts';

test('same seed gives the same sequence; restored state continues it', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 10; i++) assert.equal(a.nextUint32(), b.nextUint32());
  const saved = a.state();
  const next = [a.next(), a.next(), a.next()];
  const c = new Rng(saved);
  assert.deepEqual([c.next(), c.next(), c.next()], next);
});

test('uniform draws cover [0,1) with the right mean', () => {
  const r = new Rng(7);
  let sum = 0;
  const n = 100000;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
});

test('choice picks distinct elements', () => {
  const r = new Rng(1);
  const picked = r.choice([10, 11, 12, 13, 14, 15], 4);
  assert.equal(picked.length, 4);
  assert.equal(new Set(picked).size, 4);
  for (const p of picked) assert.ok(p >= 10 && p <= 15);
  assert.equal(r.choice([1, 2], 5).length, 2);
});

test('fillUint32 draws the same sequence as nextUint32 and leaves the same state', () => {
  const a = new Rng(77);
  const b = new Rng(77);
  const bulk = a.fillUint32(new Uint32Array(1000));
  for (let i = 0; i < 1000; i++) assert.equal(bulk[i], b.nextUint32(), `value ${i}`);
  assert.deepEqual(a.state(), b.state());
  assert.equal(a.nextUint32(), b.nextUint32());
});
