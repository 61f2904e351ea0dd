/** Ctrl-C in the middle of `frcnn demo`: an ordered, clean stop with exit code 0 and no process left. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNothingLeft, demo, withTimeout } from './helpers.ts';

test('SIGINT while the sweep runs: workers drain, the coordinator stops, exit 0, nothing left behind', { timeout: 180_000 }, async (t) => {
  const workdir = await mkdtemp(join(tmpdir(), 'frcnn-demo-int-'));
  const run = demo(['--quick', '--no-serve', '--http-port', '0'], workdir);
  t.after(async () => {
    await run.cleanup();
    await rm(workdir, { recursive: true, force: true });
  });
  await run.waitFor('stderr', /started\s+\S+ \(train_\w+\) on demo-trainer/, 120_000);
  run.kill('SIGINT');
  const code = await withTimeout(run.exited, 60_000, 'stopping after SIGINT', run.stderr);
  assert.equal(code, 0, run.stderr().slice(-3000));
  assert.match(run.stderr(), /interrupted \(SIGINT\): rerun the same command to continue/);
  assert.match(run.stderr(), /stopped/);
  assert.doesNotMatch(run.stdout(), /wall time/);
  await assertNothingLeft(workdir, run.stderr());
});
