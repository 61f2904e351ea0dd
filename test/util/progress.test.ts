/** Progress in plain-line mode: a line at most every interval, and the final state exactly once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from '../../src/util/progress.ts';

function sink(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(...s.split('\n').filter(Boolean)), true) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

test('lines mode: first update prints, later ones within the interval do not, stop prints the final state', () => {
  const { stream, lines } = sink();
  const p = createProgress({ label: 'detect', total: 3, unit: 'img', mode: 'lines', intervalSeconds: 3600, stream });
  p.update(1, { dets: 4 });
  p.update(2, { dets: 9 });
  p.update(3, { dets: 12 });
  p.stop();
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^detect 1\/3 \(33\.3%\) .* dets=4$/);
  assert.match(lines[1], /^detect 3\/3 \(100\.0%\) .* dets=12$/);
});

test('lines mode: stop does not repeat a final state the last line already showed', () => {
  const { stream, lines } = sink();
  const p = createProgress({ label: 'train', total: 2, mode: 'lines', intervalSeconds: 0, stream });
  p.update(1);
  p.update(2);
  p.stop();
  assert.deepEqual(lines.map((l) => l.split(' ')[1]), ['1/2', '2/2']);
});
