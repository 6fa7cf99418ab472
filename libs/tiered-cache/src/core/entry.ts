/**
 * The envelope every tier stores.
 *
 * Times: `staleAt` / `expiresAt` are wall-clock milliseconds (each instance's own clock; skew only
 * shifts a TTL). `createdAt` is a stamp from the shared tag clock (microseconds), so it can be
 * compared with tag invalidation stamps taken on any instance.
 */
export interface CacheEntry<T = unknown> {
  readonly value: T;
  /** Tag-clock stamp (µs) read before the value was produced. */
  readonly createdAt: number;
  /** Logical expiry (ms): past it the entry is stale and served only under grace rules. */
  readonly staleAt: number;
  /** Physical expiry (ms) = staleAt + grace: past it the entry does not exist. */
  readonly expiresAt: number;
  readonly tags: readonly string[];
  /** Serialized size in bytes, used to bound L1 and L3. */
  readonly size: number;
  /**
   * The serialized value, kept with an L1 entry only under the `clone` option: a copy for a
   * reader is then a copy of these bytes and one deserialize, not a serialize and a deserialize.
   */
  readonly payload?: Buffer;
}

/**
 * Caps an entry's lifetime for one tier, keeping the remaining lifetime: an entry copied up from a
 * lower tier never gets a fresh full TTL.
 */
export function capLifetime<T>(entry: CacheEntry<T>, now: number, maxTtlMs: number | undefined): CacheEntry<T> {
  if (maxTtlMs === undefined) return entry;
  const limit = now + maxTtlMs;
  if (entry.expiresAt <= limit) return entry;
  return { ...entry, staleAt: Math.min(entry.staleAt, limit), expiresAt: limit };
}

/**
 * True when a known stamp says one of the entry's tags was invalidated at or after its creation. Tags
 * missing from `known` are not judged: the caller checks them elsewhere.
 */
export function contradicts(known: ReadonlyMap<string, number>, entry: CacheEntry): boolean {
  for (const stamp of known.values()) if (stamp >= entry.createdAt) return true;
  return false;
}

/** The stamps of `tags` only, out of a map that may hold more. */
export function pick(stamps: ReadonlyMap<string, number>, tags: readonly string[]): Map<string, number> {
  const picked = new Map<string, number>();
  for (const tag of tags) {
    const stamp = stamps.get(tag);
    if (stamp !== undefined) picked.set(tag, stamp);
  }
  return picked;
}
