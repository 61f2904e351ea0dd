/**
 * State in a directory, for one machine without NATS: one JSON file per record
 * (`<key>.json` holding `{revision, value}`), each written atomically (temp file, fsync,
 * rename). A `LOCK` file with the owner's pid keeps a second coordinator out; a lock left by a
 * dead process is taken over. Compare-and-set is checked in memory, which is exact because the
 * lock makes this process the only writer.
 */
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, TEMP_PREFIX } from '../storage/atomic-file.ts';
import { FrcnnError } from '../util/errors.ts';
import { checkStateKey, RevisionMismatchError, type StateEntry, type StateStore } from './state-store.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileStateStore implements StateStore {
  readonly location: string;
  private readonly revisions = new Map<string, number>();
  private locked = false;

  private constructor(private readonly dir: string) {
    this.location = `file:${dir}`;
  }

  static async open(dir: string): Promise<FileStateStore> {
    const s = new FileStateStore(dir);
    await mkdir(dir, { recursive: true });
    await s.lock();
    return s;
  }

  private async lock(): Promise<void> {
    const path = join(this.dir, 'LOCK');
    for (let tries = 0; tries < 2; tries++) {
      try {
        const fh = await open(path, 'wx');
        await fh.writeFile(String(process.pid));
        await fh.close();
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (pid && alive(pid)) {
          throw new FrcnnError(`state directory ${this.dir} is in use by process ${pid} (another coordinator?)`);
        }
        await rm(path, { force: true });
      }
    }
    throw new FrcnnError(`could not lock state directory ${this.dir}`);
  }

  async loadAll(): Promise<StateEntry[]> {
    const out: StateEntry[] = [];
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith(TEMP_PREFIX)) continue;
      const key = name.slice(0, -'.json'.length);
      const path = join(this.dir, name);
      let doc: { revision: number; value: unknown };
      try {
        doc = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        throw new FrcnnError(`state file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
      }
      this.revisions.set(key, doc.revision);
      out.push({ key, value: doc.value, revision: doc.revision });
    }
    return out;
  }

  async put(key: string, value: unknown, expectedRevision: number | undefined): Promise<number> {
    checkStateKey(key);
    if (!this.locked) throw new FrcnnError(`state store ${this.location} is closed`);
    const current = this.revisions.get(key);
    if (current !== expectedRevision) throw new RevisionMismatchError(key, expectedRevision);
    const revision = (current ?? 0) + 1;
    // Reserve the revision before the await so a concurrent put on the same key fails its CAS.
    this.revisions.set(key, revision);
    try {
      await writeFileAtomic(join(this.dir, `${key}.json`), new TextEncoder().encode(JSON.stringify({ revision, value })));
    } catch (err) {
      if (current === undefined) this.revisions.delete(key);
      else this.revisions.set(key, current);
      throw err;
    }
    return revision;
  }

  async close(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    await rm(join(this.dir, 'LOCK'), { force: true });
  }
}
