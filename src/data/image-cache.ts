/**
 * A bounded in-memory cache of prepared pixels, so later epochs skip JPEG decoding and
 * resizing. Least-recently-used entries go first once the byte budget is exceeded.
 */

/** Default budget: 1 GiB holds ~700 VOC-sized (600×1000) float images. */
export const DEFAULT_IMAGE_CACHE_BYTES = 1 << 30;

export interface ImageCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

export class ImageCache {
  readonly maxBytes: number;
  // Map iteration order is insertion order: re-inserting on a hit keeps the LRU at the front.
  private readonly map = new Map<string, Float32Array>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(opts: { maxBytes?: number } = {}) {
    const max = opts.maxBytes ?? DEFAULT_IMAGE_CACHE_BYTES;
    if (!(max >= 0)) throw new RangeError(`ImageCache: maxBytes must be >= 0, got ${max}`);
    this.maxBytes = max;
  }

  get(key: string): Float32Array | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** Store `value` (unless it alone exceeds the budget), evicting the least recently used. */
  set(key: string, value: Float32Array): void {
    const old = this.map.get(key);
    if (old) {
      this.bytes -= old.byteLength;
      this.map.delete(key);
    }
    if (value.byteLength > this.maxBytes) return;
    this.map.set(key, value);
    this.bytes += value.byteLength;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.byteLength;
      this.evictions++;
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  stats(): ImageCacheStats {
    return { entries: this.map.size, bytes: this.bytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }
}
