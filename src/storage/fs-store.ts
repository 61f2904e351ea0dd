/**
 * The object store on a local directory. Each object is one file at `ROOT/<key>` holding a
 * small header (magic, version, payload size, SHA-256, content type) followed by the payload:
 * checksum and data change together in one atomic rename, which a sidecar file could not do.
 */
import { open, readFile, readdir, rm, link, unlink, mkdir, stat } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic, syncDir, TEMP_PREFIX } from './atomic-file.ts';
import { sha256Hex } from './checksum.ts';
import { ChecksumMismatchError, CorruptFileError, ObjectNotFoundError, ObjectTooLargeError } from './errors.ts';
import { FrcnnError } from '../util/errors.ts';
import { validateKey, validatePrefix } from './keys.ts';
import { MAX_OBJECT_BYTES, type ObjectInfo, type ObjectStore, type PutOptions } from './object-store.ts';

const MAGIC = Buffer.from('FRCNNOBJ', 'latin1');
const VERSION = 1;
/** magic(8) version(u16) ctLen(u16) size(u64) sha256(32), then the content type. */
const FIXED_HEADER = 52;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

interface Header {
  size: number;
  sha256: string;
  contentType: string;
  /** Offset of the payload in the file. */
  dataOffset: number;
}

function encodeHeader(size: number, sha256: string, contentType: string): Buffer {
  const ct = Buffer.from(contentType, 'utf8');
  const h = Buffer.alloc(FIXED_HEADER + ct.length);
  MAGIC.copy(h, 0);
  h.writeUInt16LE(VERSION, 8);
  h.writeUInt16LE(ct.length, 10);
  h.writeBigUInt64LE(BigInt(size), 12);
  Buffer.from(sha256, 'hex').copy(h, 20);
  ct.copy(h, FIXED_HEADER);
  return h;
}

function decodeHeader(buf: Buffer, where: string): Header {
  if (buf.length < FIXED_HEADER || !buf.subarray(0, 8).equals(MAGIC)) {
    throw new CorruptFileError(where, 'not an frcnn object file (bad magic); was it written behind the store\'s back?');
  }
  const version = buf.readUInt16LE(8);
  if (version !== VERSION) throw new CorruptFileError(where, `object file version ${version}; this build reads version ${VERSION}`);
  const ctLen = buf.readUInt16LE(10);
  if (buf.length < FIXED_HEADER + ctLen) throw new CorruptFileError(where, 'truncated object header');
  return {
    size: Number(buf.readBigUInt64LE(12)),
    sha256: buf.subarray(20, 52).toString('hex'),
    contentType: buf.subarray(FIXED_HEADER, FIXED_HEADER + ctLen).toString('utf8'),
    dataOffset: FIXED_HEADER + ctLen,
  };
}

export class FsObjectStore implements ObjectStore {
  readonly root: string;
  readonly location: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  private path(key: string): string {
    return join(this.root, ...validateKey(key).split('/'));
  }

  private encode(key: string, bytes: Uint8Array, opts: PutOptions | undefined): { info: ObjectInfo; file: Uint8Array[] } {
    if (bytes.byteLength > MAX_OBJECT_BYTES) throw new ObjectTooLargeError(key, bytes.byteLength, MAX_OBJECT_BYTES);
    const sha256 = sha256Hex(bytes);
    const contentType = checkContentType(opts?.contentType ?? DEFAULT_CONTENT_TYPE);
    const header = encodeHeader(bytes.byteLength, sha256, contentType);
    const file = [header, bytes];
    return { info: { key, size: bytes.byteLength, sha256, contentType }, file };
  }

  async put(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<ObjectInfo> {
    const path = this.path(key);
    const { info, file } = this.encode(key, bytes, opts);
    try {
      await writeFileAtomic(path, file);
    } catch (err) {
      throw this.conflict(err, key);
    }
    return info;
  }

  /**
   * S3 can hold both `a` and `a/b`; a directory cannot. Name the clash instead of passing on
   * ENOTDIR/EISDIR (keys are chosen by our own code, so this is a naming bug to fix).
   */
  private conflict(err: unknown, key: string): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
      return new FrcnnError(`${this.location}: key ${key} clashes with an existing key that is a prefix of it, or that it is a prefix of (the fs store cannot hold both "a" and "a/b")`, { cause: err });
    }
    return err;
  }

  async putIfAbsent(key: string, bytes: Uint8Array, opts?: PutOptions): Promise<boolean> {
    const path = this.path(key);
    const { file } = this.encode(key, bytes, opts);
    const dir = dirname(path);
    await mkdir(dir, { recursive: true }).catch((err) => {
      throw this.conflict(err, key);
    });
    const tmp = join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    await writeFileAtomic(tmp, file);
    try {
      // link() fails with EEXIST instead of replacing: an atomic create-if-absent.
      await link(tmp, path);
      await syncDir(dir);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    return (await this.getWithChecksum(key)).bytes;
  }

  async getWithChecksum(key: string): Promise<{ bytes: Uint8Array; sha256: string }> {
    const path = this.path(key);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      throw notFound(err, key, this.location);
    }
    const h = decodeHeader(buf, path);
    const data = buf.subarray(h.dataOffset);
    if (data.length !== h.size) throw new CorruptFileError(path, `holds ${data.length} payload bytes, its header says ${h.size} (truncated)`);
    const actual = sha256Hex(data);
    if (actual !== h.sha256) throw new ChecksumMismatchError(key, h.sha256, actual, this.location);
    return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), sha256: actual };
  }

  private async readHeader(path: string): Promise<Header | undefined> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      const buf = Buffer.alloc(FIXED_HEADER + 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return decodeHeader(buf.subarray(0, bytesRead), path);
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const h = await this.readHeader(this.path(key));
    return h && { key, size: h.size, sha256: h.sha256, contentType: h.contentType };
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    validatePrefix(prefix);
    const cut = prefix.lastIndexOf('/');
    const baseKey = cut < 0 ? '' : prefix.slice(0, cut);
    const keys: string[] = [];
    await walk(baseKey === '' ? this.root : join(this.root, ...baseKey.split('/')), baseKey, prefix, keys);
    keys.sort();
    for (const key of keys) {
      const path = join(this.root, ...key.split('/'));
      let h: Header | undefined;
      try {
        h = await this.readHeader(path);
      } catch (err) {
        if (!(err instanceof CorruptFileError)) throw err;
        // A file not written by the store: listed (so deletePrefix/GC can remove it), but get() refuses it.
        const st = await stat(path).catch(() => undefined);
        if (st) yield { key, size: st.size };
        continue;
      }
      if (h) yield { key, size: h.size, sha256: h.sha256, contentType: h.contentType };
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === '') throw new FrcnnError(`${this.location}: deletePrefix('') would delete every object; refused`);
    let n = 0;
    for await (const o of this.list(prefix)) {
      await this.delete(o.key);
      n++;
    }
    // A "directory" prefix: remove the emptied tree too.
    if (prefix.endsWith('/')) await rm(join(this.root, ...prefix.slice(0, -1).split('/')), { recursive: true, force: true });
    return n;
  }

  async close(): Promise<void> {}
}

async function walk(dir: string, dirKey: string, prefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue; // temp files and anything not written by the store
    const key = dirKey === '' ? e.name : `${dirKey}/${e.name}`;
    if (e.isDirectory()) {
      // Descend only where keys below can still match the prefix.
      if (prefix.startsWith(key + '/') || (key + '/').startsWith(prefix) || key.startsWith(prefix)) await walk(join(dir, e.name), key, prefix, out);
    } else if (e.isFile() && key.startsWith(prefix)) {
      out.push(key);
    }
  }
}

/** Content types are short printable ASCII (they become an HTTP header on S3). */
export function checkContentType(ct: string): string {
  if (!/^[\x20-\x7e]{1,255}$/.test(ct)) throw new FrcnnError(`content type ${JSON.stringify(ct)} must be 1-255 printable ASCII characters`);
  return ct;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function notFound(err: unknown, key: string, location: string): unknown {
  return isMissing(err) ? new ObjectNotFoundError(key, location, { cause: err }) : err;
}
