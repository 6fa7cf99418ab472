import { LRUCache } from 'lru-cache';
import { LocalClock } from '../../core/clock.js';
import type { CacheEntry } from '../../core/entry.js';
import type { Tier, TierReadResult } from '../tier.js';

export interface MemoryTierOptions {
  /** Most entries held. Default 10,000. */
  maxEntries?: number;
  /** Most serialized bytes held. Default 64 MiB. */
  maxBytes?: number;
  /**
   * Most tags whose stamps are memoised. Beyond it the least recently stamped are forgotten; in
   * authoritative mode they then read as the highest stamp forgotten. Default 100,000.
   */
  maxTags?: number;
  /**
   * True when this process is the only one that stamps tags (no shared tier): a tag the memo has
   * never seen was then never invalidated. With a shared tier an unknown tag is unknown, and an
   * entry carrying it is treated as invalid.
   */
  authoritativeTags?: boolean;
}

const EMPTY_STAMPS: ReadonlyMap<string, number> = new Map();

/**
 * L1: per-process memory on lru-cache, bounded by entry count and by bytes. Values are kept as live
 * references (no copy on read); the engine's `clone` option copies what it hands out.
 * It also memoises tag invalidation stamps: tag checks on a hit are synchronous map lookups.
 */
export class MemoryTier implements Tier {
  readonly name = 'l1' as const;
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly stamps = new Map<string, number>();
  private readonly clock = new LocalClock();
  private readonly maxTags: number;
  private readonly authoritativeTags: boolean;
  /**
   * Authoritative mode: the stamp of every tag not in the memo. Raised to each stamp the memo
   * forgets, so a forgotten invalidation still covers what it invalidated, at the cost of also
   * invalidating older entries whose tags were never stamped. It never goes down.
   */
  private floor = 0;

  constructor(options: MemoryTierOptions = {}) {
    this.lru = new LRUCache<string, CacheEntry>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, entry.size),
    });
    this.maxTags = options.maxTags ?? 100_000;
    this.authoritativeTags = options.authoritativeTags ?? true;
  }

  /** Synchronous read for the hot path: the entry if it exists and no tag invalidated it. */
  peek(key: string, now: number): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt || (entry.tags.length !== 0 && !this.tagsValid(entry))) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  async get(key: string): Promise<TierReadResult> {
    const entry = this.peek(key, Date.now());
    return { entry, tagStamps: entry ? this.knownStamps(entry.tags) : EMPTY_STAMPS };
  }

  async getMany(keys: readonly string[]): Promise<TierReadResult[]> {
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.peek(key, now);
      return { entry, tagStamps: entry ? this.knownStamps(entry.tags) : EMPTY_STAMPS };
    });
  }

  /** Stores an entry unless a newer one (by creation stamp) is already held. */
  setEntry(key: string, entry: CacheEntry): void {
    const current = this.lru.peek(key);
    if (current !== undefined && current.createdAt > entry.createdAt) return;
    this.lru.set(key, entry);
  }

  /** Sets stamps outright, even backwards: used when a replayed invalidation replaces a placeholder. */
  overrideStamps(stamps: ReadonlyMap<string, number>): void {
    for (const [tag, stamp] of stamps) this.remember(tag, stamp);
    this.shrink();
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    this.setEntry(key, entry);
  }

  deleteKeys(keys: readonly string[]): void {
    for (const key of keys) this.lru.delete(key);
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.deleteKeys(keys);
  }

  /** Merges stamps learnt from a shared tier or the bus. Stamps only move forward. */
  learnStamps(stamps: ReadonlyMap<string, number>): void {
    for (const [tag, stamp] of stamps) {
      const known = this.stamps.get(tag);
      if (known === undefined || stamp > known) this.remember(tag, stamp);
    }
    this.shrink();
  }

  async invalidateTags(tags: readonly string[], stamp?: number): Promise<number> {
    const used = stamp ?? this.clock.now();
    this.learnStamps(new Map(tags.map((tag) => [tag, used])));
    return used;
  }

  async tagStamps(tags: readonly string[]): Promise<Map<string, number>> {
    return this.knownStamps(tags);
  }

  async now(): Promise<number> {
    return this.clock.now();
  }

  async clear(): Promise<void> {
    this.lru.clear();
  }

  /**
   * Forgets entries and tag stamps: used when this instance may have missed invalidations. In
   * authoritative mode the stamps forgotten go into the floor: an entry stamped before them (a
   * loader that started earlier) must not become valid again.
   */
  reset(): void {
    this.lru.clear();
    if (this.authoritativeTags) for (const stamp of this.stamps.values()) if (stamp > this.floor) this.floor = stamp;
    this.stamps.clear();
  }

  /** Tags whose stamps are memoised; at most `maxTags`. */
  get tagCount(): number {
    return this.stamps.size;
  }

  get entryCount(): number {
    return this.lru.size;
  }

  /** The keys held, expired ones included (a read drops those), without touching their recency. */
  keys(): IterableIterator<string> {
    return this.lru.keys();
  }

  get byteSize(): number {
    return this.lru.calculatedSize;
  }

  async close(): Promise<void> {
    this.reset();
  }

  /** Re-inserts, so the memo's order is the order of last change and the oldest goes first. */
  private remember(tag: string, stamp: number): void {
    this.stamps.delete(tag);
    this.stamps.set(tag, stamp);
  }

  /** Evicts the least recently stamped tags beyond `maxTags`, raising the floor to their stamps. */
  private shrink(): void {
    let excess = this.stamps.size - this.maxTags;
    if (excess <= 0) return;
    for (const [tag, stamp] of this.stamps) {
      if (excess-- <= 0) break;
      this.stamps.delete(tag);
      if (this.authoritativeTags && stamp > this.floor) this.floor = stamp;
    }
  }

  private tagsValid(entry: CacheEntry): boolean {
    for (const tag of entry.tags) {
      const stamp = this.stamps.get(tag) ?? (this.authoritativeTags ? this.floor : undefined);
      if (stamp === undefined || stamp >= entry.createdAt) return false;
    }
    return true;
  }

  private knownStamps(tags: readonly string[]): Map<string, number> {
    const result = new Map<string, number>();
    for (const tag of tags) {
      const stamp = this.stamps.get(tag) ?? (this.authoritativeTags ? this.floor : undefined);
      if (stamp !== undefined) result.set(tag, stamp);
    }
    return result;
  }
}
