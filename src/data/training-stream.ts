/**
 * The order training visits images in, as py-faster-rcnn's roidb handling: with `flipped`,
 * every image also appears mirrored (`append_flipped_images`), and each epoch is a fresh
 * permutation of that pool (`_shuffle_roidb_inds`, without aspect grouping — one image per
 * batch needs none). `state()` captures everything needed to continue exactly where a stage
 * stopped: a restored stream yields the same sequence the uninterrupted one would have.
 */
import { InputError } from '../util/errors.ts';
import { Rng, type RngState } from '../util/rng.ts';
import type { ImageEntry } from './types.ts';

export interface TrainingStreamOptions {
  /** Add a mirrored copy of every image to the pool. */
  flipped: boolean;
  /** Shuffling randomness; the stream owns it from here on (its state is part of `state()`). */
  rng: Rng;
}

export interface TrainingSample {
  entry: ImageEntry;
  flip: boolean;
  /** 0-based epoch this sample belongs to. */
  epoch: number;
}

/** JSON-serialisable position of a stream. */
export interface TrainingStreamState {
  version: 1;
  flipped: boolean;
  /** Number of entries and a digest of their ids: restoring onto a different list is refused. */
  entries: number;
  digest: string;
  epoch: number;
  /** Next position in `order`. */
  cursor: number;
  /** Pool indices of the current epoch (index i < entries: entry i; else entry i − entries, flipped). */
  order: number[];
  rng: RngState;
}

/** FNV-1a over the ids: cheap, stable, enough to catch a restore onto another dataset. */
function digestIds(entries: readonly ImageEntry[]): string {
  let h = 0x811c9dc5;
  for (const e of entries) {
    for (let i = 0; i < e.id.length; i++) h = Math.imul(h ^ e.id.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0x0a, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export class TrainingImageStream {
  private readonly entries: readonly ImageEntry[];
  private readonly flipped: boolean;
  private readonly rng: Rng;
  private readonly digest: string;
  private order: Int32Array;
  private cursor: number;
  private epochIndex: number;

  constructor(entries: ImageEntry[], opts: TrainingStreamOptions) {
    if (entries.length === 0) throw new InputError('training stream', 'no training images');
    this.entries = entries;
    this.flipped = opts.flipped;
    this.rng = opts.rng;
    this.digest = digestIds(entries);
    this.epochIndex = -1;
    this.order = new Int32Array(0);
    this.cursor = 0;
  }

  /** Images per epoch (doubled with flips). */
  get epochSize(): number {
    return this.entries.length * (this.flipped ? 2 : 1);
  }

  /** The epoch of the next sample's predecessor (−1 before the first `next()`). */
  get epoch(): number {
    return this.epochIndex;
  }

  next(): TrainingSample {
    if (this.cursor >= this.order.length) {
      const pool = new Int32Array(this.epochSize);
      for (let i = 0; i < pool.length; i++) pool[i] = i;
      this.order = this.rng.shuffle(pool);
      this.cursor = 0;
      this.epochIndex++;
    }
    const k = this.order[this.cursor++];
    const n = this.entries.length;
    return { entry: this.entries[k % n], flip: k >= n, epoch: this.epochIndex };
  }

  state(): TrainingStreamState {
    return {
      version: 1,
      flipped: this.flipped,
      entries: this.entries.length,
      digest: this.digest,
      epoch: this.epochIndex,
      cursor: this.cursor,
      order: Array.from(this.order),
      rng: this.rng.state(),
    };
  }

  /** Continue from `state` over the same entries (same ids, same order). */
  static restore(entries: ImageEntry[], state: unknown): TrainingImageStream {
    const s = state as Partial<TrainingStreamState> | null;
    const where = 'training stream state';
    if (!s || s.version !== 1 || !Array.isArray(s.order) || !Array.isArray(s.rng) || s.rng.length !== 4) {
      throw new InputError(where, 'not a version-1 training stream state');
    }
    if (s.entries !== entries.length || s.digest !== digestIds(entries)) {
      throw new InputError(where, `saved for ${s.entries} images (digest ${s.digest}), given ${entries.length} (digest ${digestIds(entries)})`);
    }
    const size = entries.length * (s.flipped ? 2 : 1);
    if (!(s.order.length === 0 || s.order.length === size) || !Number.isInteger(s.cursor) || s.cursor! < 0 || s.cursor! > s.order.length) {
      throw new InputError(where, `inconsistent order/cursor (order ${s.order.length}, cursor ${s.cursor}, pool ${size})`);
    }
    if (s.order.some((k) => !Number.isInteger(k) || k < 0 || k >= size)) throw new InputError(where, 'order holds indices outside the pool');
    const stream = new TrainingImageStream(entries, { flipped: !!s.flipped, rng: new Rng(s.rng as RngState) });
    stream.order = Int32Array.from(s.order);
    stream.cursor = s.cursor!;
    stream.epochIndex = s.epoch ?? -1;
    return stream;
  }
}
