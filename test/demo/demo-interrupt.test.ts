/** Ctrl-C in the middle of `frcnn demo`: an ordered, clean stop with exit code 0 and no process left; a rerun picks up the same sweep. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNothingLeft, demo, withTimeout, type Run } from './helpers.ts';

test('SIGINT while the sweep runs: workers drain, the coordinator stops, exit 0, nothing left behind; the rerun continues the same sweep', { timeout: 300_000 }, async (t) => {
  const workdir = await mkdtemp(join(tmpdir(), 'frcnn-demo-int-'));
  const runs: Run[] = [];
  t.after(async () => {
    for (const r of runs) await r.cleanup();
    await rm(workdir, { recursive: true, force: true });
  });
  const run = demo(['--quick', '--no-serve', '--http-port', '0'], workdir);
  runs.push(run);
  // Interrupt once a stage is committed and others run, so the rerun has something to reuse.
  await run.waitFor('stderr', /done\s+rpn1 on demo-trainer/, 120_000);
  run.kill('SIGINT');
  const code = await withTimeout(run.exited, 60_000, 'stopping after SIGINT', run.stderr);
  assert.equal(code, 0, run.stderr().slice(-3000));
  assert.match(run.stderr(), /interrupted \(SIGINT\): rerun the same command to continue/);
  assert.match(run.stderr(), /stopped/);
  assert.doesNotMatch(run.stdout(), /wall time/);
  await assertNothingLeft(workdir, run.stderr());

  const again = demo(['--quick', '--no-serve', '--http-port', '0'], workdir);
  runs.push(again);
  assert.equal(await withTimeout(again.exited, 200_000, 'the rerun', again.stderr), 0, again.stderr().slice(-3000));
  const [, reused] = again.stderr().match(/resumed \(same spec as an earlier run\): sweep sw-\w+ "demo-quick", 4 trials, \d+ distinct stages; (\d+) of \d+ stages already committed/) ?? [];
  assert.ok(Number(reused) >= 1, again.stderr().slice(0, 3000));
  assert.match(again.stdout(), /sweep "demo-quick" succeeded: 4\/4 trials succeeded/);
  await assertNothingLeft(workdir, again.stderr());
});
