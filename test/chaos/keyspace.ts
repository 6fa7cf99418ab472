import type { OpKind } from './history.js';
import type { Prng } from './prng.js';

/**
 * The small key and tag space the workload collides on. Key `i` carries the tags below (fixed, so
 * the judge knows which erases reach which keys).
 *  - Busy keys 0–3: every operation. k2 carries two tags, k3 none.
 *  - Quiet keys 4–5: read by everyone, changed almost only by SQL updates of their rows. A value
 *    stays cached on them until an invalidation removes it, so a lost or late one shows; on a
 *    busy key the next set or delete would replace it within milliseconds, long before any window
 *    is over.
 *  - Set-only key 6 (untagged): changed only by rare sets and deletes of the writer instances, no
 *    SQL, no invalidation, and read constantly by the reader instance. What the reader's L1 holds
 *    there changes only by the bus messages of those sets, so a set that is not propagated shows;
 *    on every other key an erase would hide it within milliseconds.
 *  - Short-ttl key 7 (tag t4, invalidated by nothing else): read with a 200 ms TTL and a 1 min
 *    grace, by slow loaders that often fail, and erased on the instance of a running load while it
 *    runs (workload.ts). So its entries go stale within the run and fail-safe serves them, and a
 *    fail-safe entry that comes back after a delete of the key shows.
 * Keys 6 and 7 take no SQL update and none of the busy or quiet keys' sets, deletes and tags, so
 * keys 0–5 behave as before they existed.
 */
export const KEY_TAGS: readonly (readonly string[])[] = [['t0'], ['t1'], ['t0', 't1'], [], ['t2'], ['t3'], [], ['t4']];

export const KEYS = KEY_TAGS.length;
export const TAGS: readonly string[] = ['t0', 't1', 't2', 't3'];
const BUSY_KEYS = [0, 1, 2, 3];
const BUSY_TAGS = ['t0', 't1'];
/** Keys 0–5: what SQL updates, and the quiet share of sets, deletes and app writes, pick from. */
const ROW_KEYS = [0, 1, 2, 3, 4, 5];
/** The tagged ones: an app write invalidates its key's tags, so an untagged key cannot take one. */
const BUSY_TAGGED_KEYS = [0, 1, 2];
const QUIET_TAGGED_KEYS = [4, 5];
export const SET_ONLY_KEY = 6;
export const SHORT_TTL_KEY = 7;
/** How often a set, delete, app write or invalidation picks a quiet key or tag too. */
const QUIET_SHARE = 0.02;
/**
 * Share of the writer instances' sets (about 50/s) and deletes (about 30/s) that go to the
 * set-only key: about 1 set and 0.1 delete per second, so most gaps between them outlast the
 * bus window by far.
 */
const SET_ONLY_SET_SHARE = 0.02;
const SET_ONLY_DELETE_SHARE = 0.004;
/** Share of reads that go to the set-only key: the reader instance reads it constantly. */
const SET_ONLY_READ_SHARE = { reader: 0.25, writer: 0.03 };
/** Share of reads that go to the short-ttl key, on every instance. */
const SHORT_TTL_READ_SHARE = 0.1;

export const cacheKey = (key: number) => `k${key}`;

/**
 * The tag the source row of `key` invalidates through its trigger (its first tag), or null: an
 * untagged key's row cannot invalidate anything, so its updates are not erases for the judge.
 */
export const rowTag = (key: number): string | null => KEY_TAGS[key]![0] ?? null;

/** Keys an invalidation of `tags` reaches. */
export function keysCarrying(tags: readonly string[]): number[] {
  return KEY_TAGS.flatMap((keyTags, key) => (keyTags.some((tag) => tags.includes(tag)) ? [key] : []));
}

/**
 * The key an operation of `kind` works on, on a `reader` instance or not: reads any key (the
 * set-only and short-ttl keys by their shares), SQL updates keys 0–5, sets and deletes busy keys
 * (and the set-only key by its share), app writes tagged busy keys (quiet ones by the quiet share).
 */
export function keyFor(kind: OpKind, prng: Prng, reader = false): number {
  switch (kind) {
    case 'get':
    case 'getOrSet':
      if (prng.chance(SET_ONLY_READ_SHARE[reader ? 'reader' : 'writer'])) return SET_ONLY_KEY;
      if (prng.chance(SHORT_TTL_READ_SHARE)) return SHORT_TTL_KEY;
      return prng.pick(ROW_KEYS);
    case 'sql':
      return prng.pick(ROW_KEYS);
    case 'appWrite':
      return prng.pick(prng.chance(QUIET_SHARE) ? QUIET_TAGGED_KEYS : BUSY_TAGGED_KEYS);
    default:
      if (prng.chance(kind === 'set' ? SET_ONLY_SET_SHARE : SET_ONLY_DELETE_SHARE)) return SET_ONLY_KEY;
      return prng.pick(prng.chance(QUIET_SHARE) ? ROW_KEYS : BUSY_KEYS);
  }
}

/** One or two tags to invalidate, nearly always busy ones. */
export function tagsFor(prng: Prng): string[] {
  const pool = prng.chance(QUIET_SHARE) ? TAGS : BUSY_TAGS;
  const tags = pool.filter(() => prng.chance(0.4));
  if (tags.length === 0) tags.push(prng.pick(pool));
  return tags;
}
