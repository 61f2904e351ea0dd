import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchorLabel, columnMax, indicesOf, rowMax, subsampleLabel } from '../../../src/detection/det-utils.ts';
import { Rng } from '../../../src/util/rng.ts';

test('rowMax: first column on ties (np.argmax); no columns gives −1 and 0', () => {
  const m = Float64Array.from([0.2, 0.5, 0.5, 0, 0, 0, 0.9, 0.1, 0.3]); // 3×3
  const r = rowMax(m, 3, 3);
  assert.deepEqual(Array.from(r.argmax), [1, 0, 0]);
  assert.deepEqual(Array.from(r.max), [0.5, 0, 0.9]);
  const empty = rowMax(new Float64Array(0), 2, 0);
  assert.deepEqual([Array.from(empty.argmax), Array.from(empty.max)], [[-1, -1], [0, 0]]);
  assert.deepEqual(Array.from(columnMax(m, 3, 3)), [0.9, 0.5, 0.5]);
  assert.deepEqual(Array.from(columnMax(new Float64Array(0), 0, 2)), [-Infinity, -Infinity]);
});

test('subsampleLabel keeps at most maxCount of a label, disabling a random rest', () => {
  const labels = Int8Array.from([1, 0, 1, 1, -1, 1, 0, 1]);
  const kept = subsampleLabel(labels, AnchorLabel.Foreground, 2, AnchorLabel.Ignore, new Rng(3));
  assert.equal(kept, 2);
  assert.equal(indicesOf(labels, 1).length, 2);
  assert.deepEqual(Array.from(indicesOf(labels, 0)), [1, 6]);
  assert.equal(indicesOf(labels, -1).length, 4);
  // Under the cap nothing changes; a negative cap disables them all.
  const few = Int8Array.from([1, 0, 1]);
  assert.equal(subsampleLabel(few, 1, 5, -1, new Rng(3)), 2);
  assert.deepEqual(Array.from(few), [1, 0, 1]);
  assert.equal(subsampleLabel(few, 1, -3, -1, new Rng(3)), 0);
  assert.deepEqual(Array.from(few), [-1, 0, -1]);
  // Every element has the same chance to stay.
  const counts = new Array(6).fill(0);
  const rng = new Rng(8);
  for (let r = 0; r < 3000; r++) {
    const l = new Int8Array(6).fill(1);
    subsampleLabel(l, 1, 2, -1, rng);
    l.forEach((v, i) => (counts[i] += v === 1 ? 1 : 0));
  }
  for (const c of counts) assert.ok(Math.abs(c - 1000) < 120, `kept ${c} of 3000, expected ~1000`);
});
