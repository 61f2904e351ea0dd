/**
 * Crash-safe file writes: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A reader (or a crash) sees the old file or the new one,
 * never half of one.
 */
import { open, rename, rm, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Prefix of in-flight temp files; listings skip names that start with it. */
export const TEMP_PREFIX = '.tmp-';

/** Write `bytes` (or the concatenation of several chunks, without copying them together) to `path` atomically. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | Uint8Array[]): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}.${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'w');
  try {
    if (Array.isArray(bytes)) await writeAll(fh, bytes);
    else await fh.writeFile(bytes);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** fsync a directory so a rename in it survives a power loss (best effort: not all platforms allow it). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

async function writeAll(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pos = 0;
  for (const c of chunks) {
    let done = 0;
    while (done < c.byteLength) {
      const { bytesWritten } = await fh.write(c, done, c.byteLength - done, pos);
      done += bytesWritten;
      pos += bytesWritten;
    }
  }
}
