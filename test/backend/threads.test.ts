/** Default wasm thread count: CPU count, container quota and busy cores (hand-computed cases). */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { busyCoresNow, cgroupCpuLimit, chooseThreads, cpuTimes, MAX_WASM_THREADS } from '../../src/backend/threads.ts';

test('chooseThreads: cores minus load, at least 1, capped by quota and the worker pool', () => {
  assert.equal(chooseThreads(2, undefined, 0.1).threads, 2);
  assert.equal(chooseThreads(2, undefined, 0.6).threads, 1); // round(1.4)
  assert.equal(chooseThreads(2, undefined, 13).threads, 1);
  assert.equal(chooseThreads(32, 2, 0).threads, 2); // a pod limited to 2 CPUs on a 32-core node
  assert.equal(chooseThreads(32, 1.5, 0).threads, 1);
  assert.equal(chooseThreads(64, undefined, 0).threads, MAX_WASM_THREADS);
  assert.equal(chooseThreads(8, undefined, 2.4).threads, 6);
  assert.match(chooseThreads(32, 2, 0.5).reason, /^32 CPUs, quota 2\.00 CPUs, busy 0\.5 → 2 threads \(set FRCNN_THREADS to choose\)$/);
});

test('cgroupCpuLimit reads cgroup v2 cpu.max and v1 cfs quota/period', () => {
  const v2 = mkdtempSync(join(tmpdir(), 'cg2-'));
  writeFileSync(join(v2, 'cpu.max'), '250000 100000\n');
  assert.equal(cgroupCpuLimit(v2), 2.5);
  writeFileSync(join(v2, 'cpu.max'), 'max 100000\n');
  assert.equal(cgroupCpuLimit(v2), undefined);

  const v1 = mkdtempSync(join(tmpdir(), 'cg1-'));
  mkdirSync(join(v1, 'cpu'));
  writeFileSync(join(v1, 'cpu', 'cpu.cfs_quota_us'), '300000\n');
  writeFileSync(join(v1, 'cpu', 'cpu.cfs_period_us'), '100000\n');
  assert.equal(cgroupCpuLimit(v1), 3);
  writeFileSync(join(v1, 'cpu', 'cpu.cfs_quota_us'), '-1\n');
  assert.equal(cgroupCpuLimit(v1), undefined);

  assert.equal(cgroupCpuLimit(join(tmpdir(), 'no-such-cgroup-dir')), undefined);
});

test('cpuTimes reads the busy and total jiffies of /proc/stat (idle and iowait are not busy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stat-'));
  const stat = join(dir, 'stat');
  // user nice system idle iowait irq softirq steal guest guest_nice
  writeFileSync(stat, 'cpu  100 5 20 800 50 1 2 3 0 0\ncpu0 50 2 10 400 25 1 1 1 0 0\nintr 12345\n');
  assert.deepEqual(cpuTimes(stat), { busy: 100 + 5 + 20 + 1 + 2 + 3, total: 981 });
  writeFileSync(stat, 'intr 1\n');
  assert.equal(cpuTimes(stat), undefined);
  assert.equal(cpuTimes(join(dir, 'missing')), undefined);
});

test('busyCoresNow samples this machine: between 0 and the CPU count', { skip: cpuTimes() === undefined && 'no /proc/stat' }, () => {
  const busy = busyCoresNow(4, 50);
  assert.ok(busy !== undefined && busy >= 0 && busy <= 4, `busy ${busy}`);
});
