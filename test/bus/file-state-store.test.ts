import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../src/bus/file-state-store.ts';

test('file state: compare-and-set, reload, and one owner at a time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frcnn-state-'));
  try {
    const s = await FileStateStore.open(dir);
    const r1 = await s.put('stage.abc', { status: 'pending' }, undefined);
    await assert.rejects(s.put('stage.abc', { status: 'x' }, undefined), { name: 'RevisionMismatchError' });
    const r2 = await s.put('stage.abc', { status: 'running' }, r1);
    await assert.rejects(s.put('stage.abc', { status: 'y' }, r1), { name: 'RevisionMismatchError' });
    await assert.rejects(s.put('bad key!', {}, undefined), /invalid state key/);
    // A second coordinator on the same directory is refused while the first lives.
    await assert.rejects(FileStateStore.open(dir), /in use by process/);
    await s.close();
    const again = await FileStateStore.open(dir);
    assert.deepEqual(await again.loadAll(), [{ key: 'stage.abc', value: { status: 'running' }, revision: r2 }]);
    await again.close();
    // A lock left by a dead process is taken over.
    await writeFile(join(dir, 'LOCK'), '999999999');
    const third = await FileStateStore.open(dir);
    assert.equal((await readFile(join(dir, 'LOCK'), 'utf8')).trim(), String(process.pid));
    await third.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
