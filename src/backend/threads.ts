/**
 * How many wasm threads to use when nobody said (FRCNN_THREADS / --threads win).
 *
 * XNNPACK's pool splits each op into equal shares and waits for the slowest thread, so a
 * thread whose core is busy with another process stalls every op: on these 2-core machines
 * with other trainers running (load ≈ 13), 2 threads measured 0.28× the speed of 1. So the
 * default is the cores this process can really use: the CPU count, capped by a container's
 * CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us`), minus the cores other work keeps
 * busy right now (sampled from /proc/stat over 200 ms; the 1-minute load average where there
 * is no /proc, which lags: a job that ended 30 s ago still counts there), at least 1, at most
 * the Emscripten worker pool (8; more would need workers started while the main thread is
 * blocked in the thread pool's creation).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

/** Emscripten's PTHREAD_POOL_SIZE in tfjs-backend-wasm 4.22's threaded build. */
export const MAX_WASM_THREADS = 8;

export interface ThreadChoice {
  threads: number;
  /** Why, for the start-up log line. */
  reason: string;
}

/** CPUs allowed by the cgroup CPU quota under `root` (default /sys/fs/cgroup), or undefined when unlimited/unknown. */
export function cgroupCpuLimit(root = '/sys/fs/cgroup'): number | undefined {
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(join(root, p), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const v2 = read('cpu.max'); // "max 100000" or "200000 100000"
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    const q = Number(quota);
    const p = Number(period);
    return quota !== 'max' && q > 0 && p > 0 ? q / p : undefined;
  }
  const q = Number(read('cpu/cpu.cfs_quota_us') ?? read('cpu.cfs_quota_us'));
  const p = Number(read('cpu/cpu.cfs_period_us') ?? read('cpu.cfs_period_us'));
  return q > 0 && p > 0 ? q / p : undefined;
}

/** The policy, pure: cores usable by this process given the CPU count, a quota and the load. */
export function chooseThreads(cpus: number, quota: number | undefined, load: number): ThreadChoice {
  const cores = Math.max(1, Math.floor(Math.min(cpus, quota ?? Infinity)));
  const free = Math.round(cores - load);
  const threads = Math.max(1, Math.min(cores, free, MAX_WASM_THREADS));
  const parts = [`${cpus} CPUs`];
  if (quota !== undefined) parts.push(`quota ${quota.toFixed(2)} CPUs`);
  parts.push(`busy ${load.toFixed(1)}`);
  return { threads, reason: `${parts.join(', ')} → ${threads} thread${threads === 1 ? '' : 's'} (set FRCNN_THREADS to choose)` };
}

/** Busy and total jiffies of all CPUs (the `cpu` line of /proc/stat), or undefined without /proc. */
export function cpuTimes(stat = '/proc/stat'): { busy: number; total: number } | undefined {
  let line: string | undefined;
  try {
    line = readFileSync(stat, 'utf8').split('\n').find((l) => l.startsWith('cpu '));
  } catch {
    return undefined;
  }
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 5 || v.some((x) => !Number.isFinite(x))) return undefined;
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - v[4], total };
}

/** Cores kept busy by other processes over the next `ms` (this thread sleeps meanwhile), or undefined without /proc. */
export function busyCoresNow(cpus: number, ms = 200): number | undefined {
  const a = cpuTimes();
  if (!a) return undefined;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = cpuTimes();
  if (!b || b.total <= a.total) return undefined;
  return (cpus * (b.busy - a.busy)) / (b.total - a.total);
}

export function defaultThreads(): ThreadChoice {
  const cpus = availableParallelism();
  return chooseThreads(cpus, cgroupCpuLimit(), busyCoresNow(cpus) ?? loadavg()[0]);
}
