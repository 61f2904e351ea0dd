/** `frcnn coordinator` and `frcnn sweep ...` as a user runs them (real processes, file state). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/frcnn.js', import.meta.url).pathname;

const good = `name: cli
base:
  dataset: { name: shapes, limit: 4 }
  backbone: { name: small }
axes:
  - grid: { rpn.lambda: [1, 10], test.scoreThreshold: [0.05, 0.1] }
`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

test('frcnn sweep submit --check | submit | status | list | cancel against frcnn coordinator', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-cli-'));
  const port = await freePort();
  const env = { ...process.env, FRCNN_TOKEN: 'tok', FRCNN_COORDINATOR: `127.0.0.1:${port}`, FRCNN_LOG_LEVEL: 'warn' };
  const coordinator = spawn(process.execPath, [bin, 'coordinator', '--host', '127.0.0.1', '--port', String(port), '--state', `file:${join(dir, 'state')}`, '--http-port', '-1'], { env });
  let out = '';
  coordinator.stdout.on('data', (d) => (out += d));
  coordinator.stderr.on('data', (d) => (out += d));
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
  try {
    await writeFile(join(dir, 'good.yaml'), good);
    await writeFile(join(dir, 'bad.yaml'), good.replace('[1, 10]', '[1, -10]'));

    const check = run('sweep', 'submit', '--check', join(dir, 'good.yaml'));
    assert.equal(check.status, 0, check.stderr);
    // 2 λ × 2 score thresholds: the two thresholds share all 9 training stages of each λ.
    assert.match(check.stdout, /4 trials, 30 distinct stages \(18 shared\)/);

    for (let i = 0; i < 100 && !/listening/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /coordinator listening on 127\.0\.0\.1:\d+/);

    const bad = run('sweep', 'submit', join(dir, 'bad.yaml'));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid argument: .*bad\.yaml:6: axes\[0\]\.grid\.rpn\.lambda\[1\]: Too small/);

    const unauth = spawnSync(process.execPath, [bin, 'sweep', 'list'], { env: { ...env, FRCNN_TOKEN: 'nope' }, encoding: 'utf8' });
    assert.equal(unauth.status, 1);
    assert.match(unauth.stderr, /unauthenticated/);

    const submitted = run('sweep', 'submit', join(dir, 'good.yaml'), '--idempotency-key', 'once');
    assert.equal(submitted.status, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    assert.match(id, /^sw-[0-9a-f]{8}$/);
    assert.match(submitted.stderr, /submitted: sweep sw-\w+ "cli", 4 trials, 30 stages/);
    assert.equal(run('sweep', 'submit', join(dir, 'good.yaml'), '--idempotency-key', 'once').stdout.trim(), id);

    const status = run('sweep', 'status', id);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${id} "cli" running: trials 0 succeeded, 0 failed, 0 running, 4 queued`));
    assert.match(run('sweep', 'list').stdout, new RegExp(`${id}\\s+running`));
    assert.match(run('sweep', 'cancel', id, '--reason', 'test').stdout, new RegExp(`${id} cancelled`));
    const watch = run('sweep', 'watch', id);
    assert.equal(watch.status, 1, 'a cancelled sweep did not succeed');
    assert.match(watch.stderr, /sweep sw-\w+ "cli": 4 trials, 30 stages \(0 done\), cancelled/);
  } finally {
    coordinator.kill('SIGTERM');
    await new Promise((r) => coordinator.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
});
