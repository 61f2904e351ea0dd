/**
 * One demo per workdir: two coordinators over the same state directory would overwrite each
 * other. `claimWorkdir` records this process in `<workdir>/demo.pid`, refuses when a live demo
 * holds it, and cleans up after a demo that died without stopping its children (killed with
 * SIGKILL, say): processes whose command line names this workdir's state or store are that
 * demo's orphans, and are stopped before new ones start.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../util/errors.ts';

export const LOCK_FILE = 'demo.pid';
/** How long an orphan gets after SIGTERM before SIGKILL (ms). */
const ORPHAN_GRACE_MS = 5_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function cmdline(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Pids of processes (not this one) whose arguments point into `workdir`'s state or store. */
export async function processesUsing(workdir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return []; // no procfs: nothing to find
  }
  const marks = [`file:${join(workdir, 'state')}`, join(workdir, 'store')];
  const out: number[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const args = await cmdline(pid);
    if (args?.some((a) => marks.includes(a))) out.push(pid);
  }
  return out;
}

async function stopOrphans(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
  const end = Date.now() + ORPHAN_GRACE_MS;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Claim `workdir` for this process; resolves to the function that releases it. */
export async function claimWorkdir(workdir: string, say: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<() => Promise<void>> {
  const file = join(workdir, LOCK_FILE);
  const previous = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(previous) && previous > 0 && previous !== process.pid && alive(previous)) {
    const args = await cmdline(previous);
    if (!args || args.some((a) => a.includes('frcnn'))) {
      throw new UsageError(`--workdir ${workdir}: another demo (pid ${previous}) is running there; stop it or choose another --workdir`);
    }
  }
  const orphans = await processesUsing(workdir);
  if (orphans.length > 0) {
    say(`stopping ${orphans.length} process(es) left over from an earlier demo in this workdir (pids ${orphans.join(', ')})`);
    await stopOrphans(orphans);
  }
  await writeFile(file, `${process.pid}\n`);
  return async () => {
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (holder === process.pid) await rm(file, { force: true });
  };
}
