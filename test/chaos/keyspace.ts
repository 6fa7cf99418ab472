/**
 * The small key and tag space the workload collides on. Key `i` carries the tags below (fixed, so
 * the judge knows which erases reach which keys); key 4 carries none, key 3 two.
 */
export const KEY_TAGS: readonly (readonly string[])[] = [['t0'], ['t1'], ['t2'], ['t0', 't1'], [], ['t2']];

export const KEYS = KEY_TAGS.length;
export const TAGS: readonly string[] = ['t0', 't1', 't2'];

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
