/** `frcnn backend`: prints the started backend (table or JSON), rejects a bad flag with exit 2. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const frcnn = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/frcnn.js', 'backend', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FRCNN_LOG_LEVEL: 'silent' } });

test('frcnn backend --backend wasm --threads 1 --json prints the BackendInfo', () => {
  const r = frcnn('--backend', 'wasm', '--threads', '1', '--json');
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(info.name, 'wasm');
  assert.equal(info.threads, 1);
  assert.equal(info.simd, true);
  assert.match(String(info.package), /^@tensorflow\/tfjs-backend-wasm@/);
});

test('frcnn backend prints a table; a bad --backend is a usage error (exit 2) naming the flag', () => {
  const ok = frcnn('--backend', 'cpu');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^backend\s+cpu$/m);
  assert.match(ok.stdout, /^threads\s+1$/m);
  const bad = frcnn('--backend', 'gpu');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--backend: expected one of tensorflow, wasm, cpu, got "gpu"/);
});
