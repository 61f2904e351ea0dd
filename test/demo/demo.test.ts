/**
 * `frcnn demo` end to end, as a user runs it: real coordinator, trainer and evaluator
 * processes on loopback, the real stage functions on the quick preset. Checks the tables,
 * the reuse of committed stages on a rerun, the dashboard, and that nothing is left running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNothingLeft, demo, withTimeout, type Run } from './helpers.ts';

test('frcnn demo --quick --no-serve runs the sweep to its tables, exits 0 and leaves no process; a rerun reuses every stage and serves the dashboard until SIGINT', { timeout: 300_000 }, async (t) => {
  const workdir = await mkdtemp(join(tmpdir(), 'frcnn-demo-'));
  const runs: Run[] = [];
  // One hook, in order: stop whatever still runs, then delete the workdir.
  t.after(async () => {
    for (const r of runs) await r.cleanup();
    await rm(workdir, { recursive: true, force: true });
  });
  const first = demo(['--quick', '--no-serve', '--http-port', '0'], workdir);
  runs.push(first);
  const code = await withTimeout(first.exited, 200_000, 'the quick demo', first.stderr);
  assert.equal(code, 0, first.stderr().slice(-4000));
  const out = first.stdout();
  assert.match(out, /sweep "demo-quick" succeeded: 4\/4 trials succeeded/);
  assert.match(out, /^anchors\s+end2end\s+alt-opt$/m);
  assert.match(out, /^1 scale \(32²\), 1 ratio \(1\)\s+\d+\.\d\s+\d+\.\d$/m);
  assert.match(out, /^3 scales \(16², 32², 64²\), 3 ratios \(0\.5, 1, 2\)\s+\d+\.\d\s+\d+\.\d$/m);
  assert.equal(out.match(/^t\d .* succeeded /gm)?.length, 4, out);
  assert.match(out, /^wall time \S+/m);
  assert.match(first.stderr(), /dataset: generated/);
  assert.match(first.stderr(), /submitted: sweep sw-\w+ "demo-quick", 4 trials/);
  for (const f of ['coordinator', 'trainer-1', 'trainer-2', 'evaluator']) {
    assert.ok(existsSync(join(workdir, 'logs', `${f}.log`)), `${f}.log`);
  }
  await assertNothingLeft(workdir, first.stderr());

  // The rerun: same dataset, same sweep (idempotency key), every stage already committed.
  const second = demo(['--quick', '--http-port', '0'], workdir);
  runs.push(second);
  const [, url] = await second.waitFor('stderr', /^dashboard: (http:\/\/localhost:\d+\/sweeps\/sw-\w+)/m, 90_000);
  await second.waitFor('stdout', /^wall time/m, 5_000);
  assert.match(second.stderr(), /dataset: reused/);
  assert.match(second.stderr(), /resumed \(same spec as an earlier run\): sweep sw-\w+ "demo-quick", 4 trials, (\d+) distinct stages; \1 of \1 stages already committed/);
  assert.match(second.stdout(), /4\/4 trials succeeded/);
  const page = await fetch(url, { headers: { accept: 'text/html' }, signal: AbortSignal.timeout(10_000) });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /demo-quick/);
  second.kill('SIGINT');
  assert.equal(await withTimeout(second.exited, 60_000, 'stopping after SIGINT', second.stderr), 0, second.stderr().slice(-3000));
  await assertNothingLeft(workdir, second.stderr());
});
