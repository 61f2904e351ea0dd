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
  /** Resolves once stderr matches. */
  waitFor: (re: RegExp, ms: number) => Promise<RegExpMatchArray>;
}

export function demo(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, 'demo', ...args], { env: { ...process.env, FRCNN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (s) => child.kill(s),
    waitFor: (re, ms) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${re} on stderr in ${ms} ms:\n${err.slice(-3000)}`)), ms);
        const check = () => {
          const m = err.match(re);
          if (m) {
            clearTimeout(t);
            child.stderr.off('data', check);
            resolve(m);
          }
        };
        child.stderr.on('data', check);
        child.once('exit', () => {
          clearTimeout(t);
          const m = err.match(re);
          if (m) resolve(m);
          else reject(new Error(`demo exited before ${re}:\n${err.slice(-3000)}`));
        });
        check();
      }),
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
