import type { Redis } from 'ioredis';
import { escapeGlob } from './redis.scripts.js';

/**
 * The keys starting with `prefix` (a literal, not a pattern), a SCAN batch at a time: never KEYS,
 * which blocks a shared Redis. As SCAN guarantees, a key may come in two batches.
 */
export async function* scanPrefix(client: Redis, prefix: string, count: number): AsyncGenerator<string[], void, undefined> {
  const pattern = `${escapeGlob(prefix)}*`;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
