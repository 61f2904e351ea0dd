/**
 * Proposals and detections in a compact binary form: float32 boxes and scores per image
 * (+ int32 classes for detections), sharded by image ranges so each object stays under the
 * store's 64 MiB limit, with an index that finds one image's shard without reading the others.
 *
 * Files (names relative to a sink/source: an artifact, or a store prefix):
 *   index.bin          the index, written last
 *   shard-00000.bin    images [0, n0), shard-00001.bin images [n0, n1), ...
 *
 * All integers little-endian; every section 4-byte aligned so arrays are read in place.
 *
 * shard-NNNNN.bin:
 *   magic "FRCNBOXS" | u16 version | u8 kind | u8 0 | u32 imageCount | u32 byteLength
 *   then per image:  u32 N | f32 boxes[4N] (x1 y1 x2 y2) | f32 scores[N] | i32 classes[N] (detections)
 * index.bin:
 *   magic "FRCNBOXI" | u16 version | u8 kind | u8 0 | u32 shardCount | u32 imageCount | u32 0
 *   shards:  u32 firstImage | u32 imageCount | u32 byteLength          (per shard)
 *   images:  u32 shard | u32 offset | u32 N                             (per image, writer order)
 *   ids:     u16 length | utf-8 bytes, per image; padded to 4 bytes
 * Integrity (checksums) is the store's job; the reader checks structure: magic, version,
 * kind, counts and lengths, and names the file at fault.
 */
import { FrcnnError, InputError } from '../../util/errors.ts';
import { CorruptFileError, ForeignFormatError } from '../errors.ts';
import { MAX_OBJECT_BYTES } from '../object-store.ts';

export const BOXES_VERSION = 1;
export const INDEX_NAME = 'index.bin';
const SHARD_MAGIC = 'FRCNBOXS';
const INDEX_MAGIC = 'FRCNBOXI';
const HEADER_BYTES = 20;
const INDEX_HEADER_BYTES = 24;
const SHARD_ENTRY_BYTES = 12;
const IMAGE_ENTRY_BYTES = 12;
const MAX_ID_BYTES = 0xffff;

/** What a file holds: region proposals (box + objectness) or detections (box + score + class). */
export type BoxesKind = 'proposals' | 'detections';
const KIND_CODE: Record<BoxesKind, number> = { proposals: 1, detections: 2 };
const KIND_OF_CODE = new Map<number, BoxesKind>([
  [1, 'proposals'],
  [2, 'detections'],
]);

export interface ImageBoxes {
  /** 4N floats, x1 y1 x2 y2 per box. */
  boxes: Float32Array;
  /** N scores. */
  scores: Float32Array;
  /** N class indices 1..K (detections only). */
  classes?: Int32Array;
}

/** Where a writer puts its files: an ArtifactWriter fits, or `storeSink(store, prefix)`. */
export interface BoxesSink {
  put(name: string, bytes: Uint8Array): Promise<unknown>;
}

/** Where a reader gets them: an Artifact fits, or `storeSource(store, prefix)`. */
export interface BoxesSource {
  read(name: string): Promise<Uint8Array>;
  /** Name of a file for messages (a key or a path). */
  keyOf(name: string): string;
}

export function shardName(i: number): string {
  return `shard-${String(i).padStart(5, '0')}.bin`;
}

function recordBytes(kind: BoxesKind, n: number): number {
  return 4 + n * (kind === 'detections' ? 24 : 20);
}

function writeMagic(view: DataView, magic: string): void {
  for (let i = 0; i < 8; i++) view.setUint8(i, magic.charCodeAt(i));
}

function readMagic(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, 8));
}

export interface BoxesWriterOptions {
  kind: BoxesKind;
  /** Largest shard in bytes. @default 64 MiB */
  maxShardBytes?: number;
}

export interface BoxesSummary {
  kind: BoxesKind;
  images: number;
  boxes: number;
  shards: number;
  /** Bytes written, index included. */
  bytes: number;
}

/**
 * Writes images one at a time (memory: one shard), flushing a shard when the next image
 * would not fit. `finish()` writes the last shard and then the index.
 */
export class BoxesWriter {
  readonly kind: BoxesKind;
  private readonly maxShardBytes: number;
  private readonly sink: BoxesSink;
  private pending: Array<{ n: number; data: ImageBoxes }> = [];
  private pendingBytes = HEADER_BYTES;
  private readonly shards: Array<{ firstImage: number; imageCount: number; byteLength: number }> = [];
  private readonly images: Array<{ id: string; shard: number; offset: number; n: number }> = [];
  private readonly ids = new Set<string>();
  private totalBoxes = 0;
  private totalBytes = 0;
  private finished = false;
  /** The previous shard's upload: one stays in flight while the next shard fills. */
  private inflight: Promise<unknown> = Promise.resolve();

  constructor(sink: BoxesSink, opts: BoxesWriterOptions) {
    if (!(opts.kind in KIND_CODE)) throw new FrcnnError(`boxes file kind must be proposals or detections, got ${JSON.stringify(opts.kind)}`);
    this.kind = opts.kind;
    this.maxShardBytes = opts.maxShardBytes ?? MAX_OBJECT_BYTES;
    if (!(this.maxShardBytes >= HEADER_BYTES + 4 && this.maxShardBytes <= MAX_OBJECT_BYTES)) {
      throw new FrcnnError(`maxShardBytes must be in [${HEADER_BYTES + 4}, ${MAX_OBJECT_BYTES}], got ${this.maxShardBytes}`);
    }
    this.sink = sink;
  }

  /** Add one image's boxes (the arrays are copied at the next flush; do not modify them before). */
  async add(imageId: string, data: ImageBoxes): Promise<void> {
    if (this.finished) throw new FrcnnError('boxes writer already finished');
    const where = `image ${JSON.stringify(imageId)}`;
    if (typeof imageId !== 'string' || imageId === '') throw new InputError(where, 'image id must be a non-empty string');
    if (Buffer.byteLength(imageId) > MAX_ID_BYTES) throw new InputError(where, `image id longer than ${MAX_ID_BYTES} bytes`);
    if (this.ids.has(imageId)) throw new InputError(where, 'added twice');
    const n = data.scores.length;
    if (data.boxes.length !== 4 * n) throw new InputError(where, `boxes has ${data.boxes.length} values, expected 4 x ${n} scores = ${4 * n}`);
    if (this.kind === 'detections') {
      if (!data.classes || data.classes.length !== n) throw new InputError(where, `detections need one class per box (${n}), got ${data.classes?.length ?? 'none'}`);
    } else if (data.classes) {
      throw new InputError(where, 'proposals carry no classes');
    }
    for (let i = 0; i < data.boxes.length; i++) if (!Number.isFinite(data.boxes[i])) throw new InputError(where, `box value ${data.boxes[i]} at box ${i >> 2} is not finite`);
    for (let i = 0; i < n; i++) if (Number.isNaN(data.scores[i])) throw new InputError(where, `score of box ${i} is NaN`);
    const size = recordBytes(this.kind, n);
    if (HEADER_BYTES + size > this.maxShardBytes) throw new InputError(where, `${n} boxes need ${size} bytes, more than one shard holds (${this.maxShardBytes})`);
    if (this.pendingBytes + size > this.maxShardBytes) await this.flush();
    this.ids.add(imageId);
    this.images.push({ id: imageId, shard: this.shards.length, offset: this.pendingBytes, n });
    this.pending.push({ n, data });
    this.pendingBytes += size;
    this.totalBoxes += n;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buf = new Uint8Array(this.pendingBytes);
    const view = new DataView(buf.buffer);
    writeMagic(view, SHARD_MAGIC);
    view.setUint16(8, BOXES_VERSION, true);
    view.setUint8(10, KIND_CODE[this.kind]);
    view.setUint32(12, this.pending.length, true);
    view.setUint32(16, this.pendingBytes, true);
    let off = HEADER_BYTES;
    for (const { n, data } of this.pending) {
      view.setUint32(off, n, true);
      off += 4;
      // Copy through byte views: the output is aligned, the inputs may be any views.
      buf.set(new Uint8Array(data.boxes.buffer, data.boxes.byteOffset, 16 * n), off);
      off += 16 * n;
      buf.set(new Uint8Array(data.scores.buffer, data.scores.byteOffset, 4 * n), off);
      off += 4 * n;
      if (this.kind === 'detections') {
        buf.set(new Uint8Array(data.classes!.buffer, data.classes!.byteOffset, 4 * n), off);
        off += 4 * n;
      }
    }
    const firstImage = this.images.length - this.pending.length;
    const index = this.shards.length;
    this.shards.push({ firstImage, imageCount: this.pending.length, byteLength: buf.byteLength });
    this.pending = [];
    this.pendingBytes = HEADER_BYTES;
    await this.inflight;
    this.inflight = this.sink.put(shardName(index), buf);
    // Surface a failed upload at the next await even if nothing else waits on it.
    this.inflight.catch(() => undefined);
    this.totalBytes += buf.byteLength;
  }

  /** Write the last shard and the index; returns what was written. */
  async finish(): Promise<BoxesSummary> {
    if (this.finished) throw new FrcnnError('boxes writer already finished');
    await this.flush();
    await this.inflight;
    this.finished = true;
    const idBytes = this.images.map((im) => Buffer.from(im.id, 'utf8'));
    const idsLen = idBytes.reduce((s, b) => s + 2 + b.length, 0);
    const base = INDEX_HEADER_BYTES + this.shards.length * SHARD_ENTRY_BYTES + this.images.length * IMAGE_ENTRY_BYTES;
    const total = base + ((idsLen + 3) & ~3);
    if (total > MAX_OBJECT_BYTES) throw new FrcnnError(`boxes index would be ${total} bytes, above the per-object limit`);
    const buf = new Uint8Array(total);
    const view = new DataView(buf.buffer);
    writeMagic(view, INDEX_MAGIC);
    view.setUint16(8, BOXES_VERSION, true);
    view.setUint8(10, KIND_CODE[this.kind]);
    view.setUint32(12, this.shards.length, true);
    view.setUint32(16, this.images.length, true);
    let off = INDEX_HEADER_BYTES;
    for (const s of this.shards) {
      view.setUint32(off, s.firstImage, true);
      view.setUint32(off + 4, s.imageCount, true);
      view.setUint32(off + 8, s.byteLength, true);
      off += SHARD_ENTRY_BYTES;
    }
    for (const im of this.images) {
      view.setUint32(off, im.shard, true);
      view.setUint32(off + 4, im.offset, true);
      view.setUint32(off + 8, im.n, true);
      off += IMAGE_ENTRY_BYTES;
    }
    for (const b of idBytes) {
      view.setUint16(off, b.length, true);
      buf.set(b, off + 2);
      off += 2 + b.length;
    }
    await this.sink.put(INDEX_NAME, buf);
    this.totalBytes += buf.byteLength;
    return { kind: this.kind, images: this.images.length, boxes: this.totalBoxes, shards: this.shards.length, bytes: this.totalBytes };
  }
}

interface IndexEntry {
  shard: number;
  offset: number;
  n: number;
}

/** Raised when a boxes file has no entry for an image. */
export class ImageNotInFileError extends FrcnnError {
  constructor(where: string, imageId: string) {
    super(`${where}: no boxes for image ${JSON.stringify(imageId)}`);
    this.name = 'ImageNotInFileError';
  }
}

/**
 * Reads a boxes file through its index. `get(id)` loads only the shard holding that image
 * (keeping the most recent shard, so reading in order loads each shard once);
 * `entriesInOrder()` also prefetches the next shard.
 */
export class BoxesReader {
  readonly kind: BoxesKind;
  /** Image ids in the order they were written. */
  readonly imageIds: readonly string[];
  private readonly source: BoxesSource;
  private readonly entries: Map<string, IndexEntry>;
  private readonly shards: Array<{ firstImage: number; imageCount: number; byteLength: number }>;
  /** Loaded (or loading) shards: the current one, and the next one when reading in order. */
  private loaded = new Map<number, Promise<Uint8Array>>();

  private constructor(source: BoxesSource, kind: BoxesKind, ids: string[], entries: Map<string, IndexEntry>, shards: BoxesReader['shards']) {
    this.source = source;
    this.kind = kind;
    this.imageIds = ids;
    this.entries = entries;
    this.shards = shards;
  }

  static async open(source: BoxesSource): Promise<BoxesReader> {
    const where = source.keyOf(INDEX_NAME);
    const bytes = await source.read(INDEX_NAME);
    const kind = checkHeader(bytes, where, INDEX_MAGIC, INDEX_HEADER_BYTES, 'index');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shardCount = view.getUint32(12, true);
    const imageCount = view.getUint32(16, true);
    let off = INDEX_HEADER_BYTES;
    const tablesEnd = off + shardCount * SHARD_ENTRY_BYTES + imageCount * IMAGE_ENTRY_BYTES;
    if (tablesEnd > bytes.byteLength) throw new CorruptFileError(where, `truncated: ${shardCount} shards and ${imageCount} images need ${tablesEnd} bytes, file has ${bytes.byteLength}`);
    const shards: BoxesReader['shards'] = [];
    let expectFirst = 0;
    for (let i = 0; i < shardCount; i++, off += SHARD_ENTRY_BYTES) {
      const s = { firstImage: view.getUint32(off, true), imageCount: view.getUint32(off + 4, true), byteLength: view.getUint32(off + 8, true) };
      if (s.firstImage !== expectFirst) throw new CorruptFileError(where, `shard ${i} starts at image ${s.firstImage}, expected ${expectFirst}`);
      expectFirst += s.imageCount;
      shards.push(s);
    }
    if (expectFirst !== imageCount) throw new CorruptFileError(where, `shards cover ${expectFirst} images, index lists ${imageCount}`);
    const raw: IndexEntry[] = [];
    for (let i = 0; i < imageCount; i++, off += IMAGE_ENTRY_BYTES) {
      const e = { shard: view.getUint32(off, true), offset: view.getUint32(off + 4, true), n: view.getUint32(off + 8, true) };
      const s = shards[e.shard];
      if (!s || e.offset + recordBytes(kind, e.n) > s.byteLength || e.offset < HEADER_BYTES) throw new CorruptFileError(where, `image entry ${i} points outside its shard`);
      raw.push(e);
    }
    const ids: string[] = [];
    const entries = new Map<string, IndexEntry>();
    const decoder = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i < imageCount; i++) {
      if (off + 2 > bytes.byteLength) throw new CorruptFileError(where, `truncated in the image ids (at id ${i} of ${imageCount})`);
      const len = view.getUint16(off, true);
      if (off + 2 + len > bytes.byteLength) throw new CorruptFileError(where, `truncated in the image ids (at id ${i} of ${imageCount})`);
      const id = decoder.decode(bytes.subarray(off + 2, off + 2 + len));
      off += 2 + len;
      ids.push(id);
      entries.set(id, raw[i]);
    }
    return new BoxesReader(source, kind, ids, entries, shards);
  }

  get imageCount(): number {
    return this.imageIds.length;
  }

  has(imageId: string): boolean {
    return this.entries.has(imageId);
  }

  /** Number of boxes of an image, from the index alone. */
  count(imageId: string): number {
    const e = this.entries.get(imageId);
    if (!e) throw new ImageNotInFileError(this.source.keyOf(INDEX_NAME), imageId);
    return e.n;
  }

  private shard(index: number, prefetchNext = false): Promise<Uint8Array> {
    let p = this.loaded.get(index);
    if (!p) {
      p = this.loadShard(index);
      this.loaded.set(index, p);
    }
    // Keep only this shard (and the one being prefetched) in memory.
    for (const k of this.loaded.keys()) if (k !== index && !(prefetchNext && k === index + 1)) this.loaded.delete(k);
    if (prefetchNext && index + 1 < this.shards.length && !this.loaded.has(index + 1)) {
      const next = this.loadShard(index + 1);
      next.catch(() => undefined); // reported when (if) it is awaited
      this.loaded.set(index + 1, next);
    }
    return p;
  }

  private async loadShard(index: number): Promise<Uint8Array> {
    const name = shardName(index);
    const where = this.source.keyOf(name);
    let bytes = await this.source.read(name);
    const expected = this.shards[index];
    if (bytes.byteLength !== expected.byteLength) throw new CorruptFileError(where, `${bytes.byteLength} bytes, the index says ${expected.byteLength} (truncated or replaced)`);
    const kind = checkHeader(bytes, where, SHARD_MAGIC, HEADER_BYTES, 'shard');
    if (kind !== this.kind) throw new CorruptFileError(where, `holds ${kind}, the index says ${this.kind}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(12, true) !== expected.imageCount || view.getUint32(16, true) !== expected.byteLength) {
      throw new CorruptFileError(where, 'header disagrees with the index (image count or length)');
    }
    // Typed-array views need 4-byte alignment; copy in the rare case the store's buffer is not.
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
    return bytes;
  }

  private decode(bytes: Uint8Array, e: IndexEntry, where: string): ImageBoxes {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = view.getUint32(e.offset, true);
    if (n !== e.n) throw new CorruptFileError(where, `record at byte ${e.offset} has ${n} boxes, the index says ${e.n}`);
    const at = bytes.byteOffset + e.offset + 4;
    const out: ImageBoxes = {
      boxes: new Float32Array(bytes.buffer, at, 4 * n),
      scores: new Float32Array(bytes.buffer, at + 16 * n, n),
    };
    if (this.kind === 'detections') out.classes = new Int32Array(bytes.buffer, at + 20 * n, n);
    return out;
  }

  /** One image's boxes (views into the shard buffer: copy them to keep them past the next shard). */
  async get(imageId: string): Promise<ImageBoxes> {
    const e = this.entries.get(imageId);
    if (!e) throw new ImageNotInFileError(this.source.keyOf(INDEX_NAME), imageId);
    return this.decode(await this.shard(e.shard), e, this.source.keyOf(shardName(e.shard)));
  }

  /** Every image in writer order; the next shard is fetched while this one is consumed. */
  async *entriesInOrder(): AsyncIterable<[string, ImageBoxes]> {
    for (const id of this.imageIds) {
      const e = this.entries.get(id)!;
      yield [id, this.decode(await this.shard(e.shard, true), e, this.source.keyOf(shardName(e.shard)))];
    }
  }
}

function checkHeader(bytes: Uint8Array, where: string, magic: string, headerBytes: number, what: string): BoxesKind {
  if (bytes.byteLength < headerBytes) throw new CorruptFileError(where, `truncated: ${bytes.byteLength} bytes, shorter than a ${what} header`);
  const got = readMagic(bytes);
  if (got !== magic) throw new ForeignFormatError(where, `not an frcnn boxes ${what} (magic ${JSON.stringify(got)}, expected ${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(8, true);
  if (version !== BOXES_VERSION) throw new ForeignFormatError(where, `boxes format version ${version}; this build reads version ${BOXES_VERSION}`);
  const kind = KIND_OF_CODE.get(view.getUint8(10));
  if (!kind) throw new ForeignFormatError(where, `unknown boxes kind code ${view.getUint8(10)}`);
  return kind;
}

/** Open a boxes file, checking it holds the expected kind. */
export async function openBoxesFile(source: BoxesSource, kind?: BoxesKind): Promise<BoxesReader> {
  const r = await BoxesReader.open(source);
  if (kind && r.kind !== kind) throw new InputError(source.keyOf(INDEX_NAME), `holds ${r.kind}, expected ${kind}`);
  return r;
}

/**
 * Merge the outputs of data-parallel shards (e.g. `generate_proposals` over image ranges)
 * into one boxes file, in the order given. An image present in two inputs is an error.
 */
export async function mergeBoxesFiles(sources: BoxesSource[], sink: BoxesSink, opts: Omit<BoxesWriterOptions, 'kind'> = {}): Promise<BoxesSummary> {
  if (sources.length === 0) throw new FrcnnError('mergeBoxesFiles: no inputs');
  const readers = await Promise.all(sources.map((s) => BoxesReader.open(s)));
  const kind = readers[0].kind;
  readers.forEach((r, i) => {
    if (r.kind !== kind) throw new InputError(sources[i].keyOf(INDEX_NAME), `holds ${r.kind}, the first input holds ${kind}`);
  });
  const w = new BoxesWriter(sink, { ...opts, kind });
  for (const [i, r] of readers.entries()) {
    for await (const [id, im] of r.entriesInOrder()) {
      try {
        await w.add(id, im);
      } catch (err) {
        if (err instanceof InputError && /added twice/.test(err.message)) throw new InputError(sources[i].keyOf(INDEX_NAME), `image ${JSON.stringify(id)} is also in an earlier input`, { cause: err });
        throw err;
      }
    }
  }
  return w.finish();
}
