import type { CacheEntry } from '../core/entry.js';
import type { RejectionReason } from '../security/payload-seal.js';

export type TierName = 'l1' | 'l2' | 'l3';
export const ALL_TIERS: readonly TierName[] = ['l1', 'l2', 'l3'];

/** What a tier read returns: the entry, the current stamps of its tags, and the tier's clock. */
export interface TierReadResult {
  /** Absent when the key is missing or physically expired. */
  readonly entry: CacheEntry | undefined;
  /**
   * Invalidation stamp of each of the entry's tags, as this tier knows it. A tag with no record has
   * stamp 0. A tag missing from the map is unknown: the entry must be treated as invalid.
   */
  readonly tagStamps: ReadonlyMap<string, number>;
  /** The tier's tag clock at read time (µs), when the tier is a clock source. */
  readonly clock?: number;
  /** The serialized value (unsealed), so a backfill need not serialize again. */
  readonly payload?: Buffer;
  /** Set when a stored payload failed its size or integrity check: never served, and removed. */
  readonly rejected?: RejectionReason;
}

/** One write of a batch: a key, its entry, and the serialized value. */
export interface TierWrite {
  readonly key: string;
  readonly entry: CacheEntry;
  readonly payload: Buffer;
}

/**
 * The tag-clock role of a tier: where invalidation stamps are recorded and read, and the clock they
 * are taken from. A tier without a durable place for stamps (Memcached) delegates this role to one
 * that has one (PostgreSQL); see docs/drivers.md.
 */
export interface TagClock {
  /** Records an invalidation of `tags` and returns the stamp it used. */
  invalidateTags(tags: readonly string[], stamp?: number): Promise<number>;
  /** Current invalidation stamps of `tags` (0 where never invalidated). */
  tagStamps(tags: readonly string[]): Promise<Map<string, number>>;
  /** Reads the tier's tag clock (µs). */
  now(): Promise<number>;
}

/**
 * One storage level, and its tag clock ({@link TagClock}). Every tier passes the conformance suite
 * (`@tiered-cache/nestjs/testing`). Keys arrive already normalised by the engine and are exact
 * values, never patterns.
 */
export interface Tier extends TagClock {
  readonly name: TierName;
  get(key: string): Promise<TierReadResult>;
  /**
   * Reads `keys` in one round trip, one result per key in the order given, each exactly what
   * {@link get} returns for it. Optional: without it the engine calls `get` per key ({@link readKeys}).
   */
  getMany?(keys: readonly string[]): Promise<TierReadResult[]>;
  /** `payload` is the serialized value, shared by all tiers of one write. */
  set(key: string, entry: CacheEntry, payload: Buffer): Promise<void>;
  /**
   * Writes entries of distinct keys in one round trip, each exactly as {@link set} would (refused
   * or written by the same rules). Optional: without it the engine calls `set` per key.
   */
  setMany?(items: ReadonlyArray<TierWrite>): Promise<void>;
  /**
   * Removes `keys`. `stamp`, when given, is the shared clock's reading at the delete: a tier that is
   * not the clock source leaves a tombstone with it, so an older write still on its way is refused.
   */
  delete(keys: readonly string[], stamp?: number): Promise<void>;
  /** Removes every entry of this tier's namespace. Tag clocks are kept. */
  clear(stamp?: number): Promise<void>;
  close(): Promise<void>;
}

/** True when no tag of the entry was invalidated at or after the entry was created. */
export function tagsAreValid(entry: CacheEntry, tagStamps: ReadonlyMap<string, number>): boolean {
  for (const tag of entry.tags) {
    const stamp = tagStamps.get(tag);
    if (stamp === undefined || stamp >= entry.createdAt) return false;
  }
  return true;
}

/** One read per key of `keys`, in order: the tier's batch read when it has one, else `get` per key. */
export function readKeys(tier: Tier, keys: readonly string[]): Promise<TierReadResult[]> {
  if (tier.getMany !== undefined) return tier.getMany(keys);
  return Promise.all(keys.map((key) => tier.get(key)));
}

/** One write per item, of distinct keys: the tier's batch write when it has one, else `set` per key. */
export async function writeKeys(tier: Tier, items: ReadonlyArray<TierWrite>): Promise<void> {
  if (tier.setMany !== undefined) return tier.setMany(items);
  await Promise.all(items.map(({ key, entry, payload }) => tier.set(key, entry, payload)));
}
