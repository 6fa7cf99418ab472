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
 */
export const KEY_TAGS: readonly (readonly string[])[] = [['t0'], ['t1'], ['t0', 't1'], [], ['t2'], ['t3']];

export const KEYS = KEY_TAGS.length;
export const TAGS: readonly string[] = ['t0', 't1', 't2', 't3'];
const BUSY_KEYS = [0, 1, 2, 3];
const BUSY_TAGS = ['t0', 't1'];
/** How often an app write or invalidation picks a quiet key or tag instead. */
const QUIET_SHARE = 0.02;

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

/** The key an operation of `kind` works on: reads and SQL updates any key, app writes busy keys. */
export function keyFor(kind: OpKind, prng: Prng): number {
  const writes = kind === 'set' || kind === 'delete';
  if (!writes || prng.chance(QUIET_SHARE)) return prng.int(0, KEYS - 1);
  return prng.pick(BUSY_KEYS);
}

/** One or two tags to invalidate, nearly always busy ones. */
export function tagsFor(prng: Prng): string[] {
  const pool = prng.chance(QUIET_SHARE) ? TAGS : BUSY_TAGS;
  const tags = pool.filter(() => prng.chance(0.4));
  if (tags.length === 0) tags.push(prng.pick(pool));
  return tags;
}
