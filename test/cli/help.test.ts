import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const bin = new URL('../../bin/frcnn.js', import.meta.url).pathname;

test('frcnn --help lists the program and exits 0', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: frcnn/);
});

test('every subcommand answers --help', async () => {
  const { buildProgram } = await import('../../src/cli/main.ts');
  const walk = (cmd: import('commander').Command, path: string[]): string[][] =>
    cmd.commands.flatMap((c) => [[...path, c.name()], ...walk(c, [...path, c.name()])]);
  for (const path of walk(buildProgram(), [])) {
    const r = spawnSync(process.execPath, [bin, ...path, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `frcnn ${path.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout, /Usage:/, `frcnn ${path.join(' ')} --help`);
  }
});
