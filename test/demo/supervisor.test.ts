import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, ProcessSupervisor, tailFile, type Child } from '../../src/demo/supervisor.ts';

test('a child that exits by itself is reported as unexpected, with its log', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-sup-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sup = new ProcessSupervisor(dir);
  t.after(() => sup.dispose());
  const unexpected = new Promise<Child>((r) => sup.onUnexpectedExit(r));
  const c = sup.start({ name: 'version', args: ['--version'] });
  assert.equal(await c.exited, 0);
  assert.equal((await unexpected).name, 'version');
  assert.equal((await readFile(c.logFile, 'utf8')).trim(), '0.1.0');
  assert.equal(tailFile(c.logFile), '0.1.0');
  assert.equal(tailFile(join(dir, 'missing.log')), '(no log)');
});

test('stop sends SIGTERM and the coordinator exits cleanly; the exit is not reported as unexpected', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-sup-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sup = new ProcessSupervisor(dir);
  t.after(() => {
    sup.killAllNow();
    sup.dispose();
  });
  let unexpected: Child | undefined;
  sup.onUnexpectedExit((c) => (unexpected = c));
  const c = sup.start({ name: 'coordinator', args: ['coordinator', '--host', '127.0.0.1', '--port', '0', '--http-port', '-1', '--state', `file:${join(dir, 'state')}`] });
  const end = Date.now() + 60_000;
  while (!(await readFile(c.logFile, 'utf8')).includes('coordinator listening on')) {
    assert.ok(Date.now() < end, `not ready: ${tailFile(c.logFile)}`);
    assert.equal(c.exitStatus, undefined, tailFile(c.logFile));
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok((cpuSeconds(c.pid) ?? 0) > 0, 'a started node process has used some CPU');
  assert.equal(await sup.stop(c, 10_000), 0);
  assert.equal(unexpected, undefined);
  assert.equal(cpuSeconds(c.pid), undefined, 'gone');
});

test('cpuSeconds reads this process', () => {
  const t0 = Date.now();
  while (Date.now() - t0 < 300) Math.sqrt(Math.random());
  assert.ok((cpuSeconds(process.pid) ?? 0) >= 0.2);
  assert.equal(cpuSeconds(2 ** 22 + 12345), undefined);
});
