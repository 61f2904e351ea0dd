/** Helpers of the demo tests: run `frcnn demo` as a user would, and check nothing is left running. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { processesUsing } from '../../src/demo/workdir-lock.ts';

const BIN = new URL('../../bin/frcnn.js', import.meta.url).pathname;

export interface Run {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill: (s: NodeJS.Signals) => void;
  /** Resolves once the stream's text so far matches (polled: stdout and stderr arrive on separate pipes). */
  waitFor: (stream: 'stdout' | 'stderr', re: RegExp, ms: number) => Promise<RegExpMatchArray>;
  /** For `t.after`: SIGINT if still running, then SIGKILL of the demo and of whatever uses its workdir. */
  cleanup: () => Promise<void>;
}

export function demo(args: string[], workdir: string): Run {
  const child = spawn(process.execPath, [BIN, 'demo', '--workdir', workdir, ...args], { env: { ...process.env, FRCNN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let code: number | null | undefined;
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (c) => {
      code = c;
      r(c);
    }),
  );
  const text = { stdout: () => out, stderr: () => err };
  return {
    ...text,
    exited,
    kill: (s) => child.kill(s),
    waitFor: async (stream, re, ms) => {
      const end = Date.now() + ms;
      for (;;) {
        const m = text[stream]().match(re);
        if (m) return m;
        if (code !== undefined) {
          // Let the last bytes of both pipes arrive.
          await new Promise((r) => setTimeout(r, 200));
          const last = text[stream]().match(re);
          if (last) return last;
          throw new Error(`demo exited (${code}) before ${re} on ${stream}:\n${err.slice(-3000)}`);
        }
        if (Date.now() > end) throw new Error(`no ${re} on ${stream} in ${ms} ms:\n${err.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    cleanup: async () => {
      if (code === undefined) {
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exited;
        clearTimeout(t);
      }
      for (const pid of await processesUsing(workdir)) process.kill(pid, 'SIGKILL');
    },
  };
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string, logs: () => string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what} took over ${ms} ms:\n${logs().slice(-3000)}`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/** Child pids the demo printed ("pid N"), for the orphan check. */
function printedPids(stderr: string): number[] {
  return [...stderr.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function assertNothingLeft(workdir: string, stderr: string): Promise<void> {
  assert.deepEqual(await processesUsing(workdir), [], 'processes still using the workdir');
  const pids = printedPids(stderr);
  assert.ok(pids.length >= 4, `the demo names its children's pids:\n${stderr.slice(0, 2000)}`);
  assert.deepEqual(pids.filter(alive), [], 'child processes still alive');
  assert.equal(existsSync(join(workdir, 'demo.pid')), false, 'the workdir lock is released');
}
