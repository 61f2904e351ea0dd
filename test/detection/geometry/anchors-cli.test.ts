import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const bin = new URL('../../../bin/frcnn.js', import.meta.url).pathname;
const frcnn = (...args: string[]) => spawnSync(process.execPath, [bin, 'anchors', ...args], { encoding: 'utf8' });

test('frcnn anchors --json prints the nine default anchors in generate_anchors order', () => {
  const r = frcnn('--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    [-84, -40, 99, 55], [-176, -88, 191, 103], [-360, -184, 375, 199],
    [-56, -56, 71, 71], [-120, -120, 135, 135], [-248, -248, 263, 263],
    [-36, -80, 51, 95], [-80, -168, 95, 183], [-168, -344, 183, 359],
  ]);
});

test('frcnn anchors takes base size, ratios and scales; the table shows width, height, area', () => {
  const r = frcnn('--base-size', '4', '--ratios', '0.5,1', '--scales', '1', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [[-1, 0.5, 4, 2.5], [0, 0, 3, 3]]);
  const table = frcnn('--ratios', '1', '--scales', '8');
  assert.equal(table.status, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.deepEqual(lines[0].trim().split(/\s+/), ['#', 'ratio', 'scale', 'x1', 'y1', 'x2', 'y2', 'width', 'height', 'area']);
  assert.deepEqual(lines[1].trim().split(/\s+/), ['0', '1', '8', '-56', '-56', '71', '71', '128', '128', '16384']);
});

test('bad flag values exit 2 naming the flag', () => {
  const list = frcnn('--ratios', '1,x');
  assert.equal(list.status, 2);
  assert.match(list.stderr, /--ratios/);
  const zero = frcnn('--scales', '8,0');
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--scales \(item 2\): expected a positive number, got 0/);
  const base = frcnn('--base-size', '0');
  assert.equal(base.status, 2);
  assert.match(base.stderr, /--base-size: expected a positive number, got 0/);
});
