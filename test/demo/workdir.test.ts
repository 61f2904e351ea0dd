import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureShapesDataset, shapesDirName } from '../../src/demo/dataset.ts';
import { pickPort } from '../../src/demo/ports.ts';
import { claimWorkdir, LOCK_FILE, processesUsing } from '../../src/demo/workdir-lock.ts';
import { UsageError } from '../../src/util/errors.ts';

const listen = (port: number, host: string) =>
  new Promise<Server>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, host, () => resolve(s));
  });

test('pickPort keeps a free wanted port and falls back to a free one when it is taken', async () => {
  const busy = await listen(0, '0.0.0.0');
  try {
    const taken = (busy.address() as { port: number }).port;
    const got = await pickPort(taken, '0.0.0.0');
    assert.equal(got.fellBack, true);
    assert.notEqual(got.port, taken);
    const again = await pickPort(got.port, '0.0.0.0');
    assert.deepEqual(again, { port: got.port, fellBack: false });
    const any = await pickPort(0, '127.0.0.1');
    assert.equal(any.fellBack, false);
    assert.ok(any.port > 0);
  } finally {
    busy.close();
  }
});

function sleeper(args: string[]) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', ...args], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited };
}

test('claimWorkdir refuses a workdir held by a live demo, and stops the children a dead demo left behind', async (t) => {
  const workdir = await mkdtemp(join(tmpdir(), 'demo-lock-'));
  t.after(() => rm(workdir, { recursive: true, force: true }));

  // A live process that looks like a demo holds the lock.
  const holder = sleeper(['frcnn', 'demo']);
  t.after(() => holder.child.kill('SIGKILL'));
  await writeFile(join(workdir, LOCK_FILE), `${holder.child.pid}\n`);
  await assert.rejects(claimWorkdir(workdir, () => {}), (err: unknown) => err instanceof UsageError && /another demo \(pid \d+\) is running there/.test(err.message));
  holder.child.kill('SIGKILL');
  await holder.exited;

  // The holder died; a worker it started still runs with this workdir's store.
  const orphan = sleeper(['--store', join(workdir, 'store')]);
  t.after(() => orphan.child.kill('SIGKILL'));
  const unrelated = sleeper(['--store', join(workdir, 'store-of-something-else')]);
  t.after(() => unrelated.child.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await processesUsing(workdir), [orphan.child.pid]);
  const said: string[] = [];
  const release = await claimWorkdir(workdir, (s) => said.push(s));
  await orphan.exited;
  assert.match(said.join('\n'), new RegExp(`left over from an earlier demo in this workdir \\(pids ${orphan.child.pid}\\)`));
  assert.equal(unrelated.child.exitCode, null, 'an unrelated process is left alone');
  assert.equal((await readFile(join(workdir, LOCK_FILE), 'utf8')).trim(), String(process.pid));
  await release();
  assert.equal(existsSync(join(workdir, LOCK_FILE)), false);
});

test('ensureShapesDataset generates once per parameter set and reuses the tree after', async (t) => {
  const workdir = await mkdtemp(join(tmpdir(), 'demo-data-'));
  t.after(() => rm(workdir, { recursive: true, force: true }));
  const params = { size: 64, train: 3, test: 2, seed: 7 };
  assert.equal(shapesDirName(params), 'shapes-64px-3train-2test-seed7');
  const a = await ensureShapesDataset(workdir, params);
  assert.equal(a.reused, false);
  assert.equal(a.root, join(workdir, 'datasets', 'shapes-64px-3train-2test-seed7'));
  assert.deepEqual(a.counts, { test: 2, train: 3, trainval: 3 });
  assert.match(a.digest, /^sha256:[0-9a-f]{64}$/);
  const b = await ensureShapesDataset(workdir, params);
  assert.equal(b.reused, true);
  assert.equal(b.digest, a.digest);
  const c = await ensureShapesDataset(workdir, { ...params, seed: 8 });
  assert.equal(c.reused, false);
  assert.notEqual(c.digest, a.digest);
});
