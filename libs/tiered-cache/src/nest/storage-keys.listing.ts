import type pg from 'pg';
import type { TieredCache } from '../core/tiered-cache.js';
import { MemoryTier } from '../tiers/memory/memory.tier.js';
import { quoteSchema } from '../tiers/postgres/postgres.schema.js';
import { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import { scanPrefix } from '../tiers/redis/redis.scan.js';
import { RedisTier } from '../tiers/redis/redis.tier.js';
import type { TierName } from '../tiers/tier.js';

/** Keys fetched per round trip. */
const BATCH = 500;
/** A listing query must not hang an iteration on a stuck database. */
const L3_QUERY_TIMEOUT_MS = 5_000;

/** A tier that could not be listed; the listing goes on with the others. */
export class TierListingError extends Error {
  constructor(
    readonly tier: TierName,
    cause: unknown,
  ) {
    super(`Could not list the keys of tier ${tier}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'TierListingError';
  }
}

/**
 * The storage keys starting with one of `prefixes` in the cache's tiers (those in `tiers`, or all),
 * each once. What the tiers hold may be expired or invalidated: read each key through the cache.
 * A tier that fails (or whose breaker is open) is reported to `onError` and skipped, as the engine
 * skips a failing tier. Costs a SCAN of the whole Redis keyspace and a range of the L3 table.
 */
export async function* listStorageKeys(
  cache: TieredCache,
  prefixes: readonly string[],
  tiers: readonly TierName[] | undefined,
  onError: (error: TierListingError) => void,
): AsyncGenerator<string, void, undefined> {
  const seen = new Set<string>();
  for (const { name, tier, circuit } of cache.tiers()) {
    if (tiers !== undefined && !tiers.includes(name)) continue;
    if (circuit === 'open') {
      onError(new TierListingError(name, new Error('its circuit breaker is open')));
      continue;
    }
    try {
      for (const prefix of prefixes) {
        for await (const key of tierKeys(tier, prefix)) {
          if (seen.has(key)) continue;
          seen.add(key);
          yield key;
        }
      }
    } catch (error) {
      onError(new TierListingError(name, error));
    }
  }
}

function tierKeys(tier: unknown, prefix: string): AsyncIterable<string> | Iterable<string> {
  // A copy: reading the keys through the cache copies hits into L1 while this runs.
  if (tier instanceof MemoryTier) return [...tier.keys()].filter((key) => key.startsWith(prefix));
  if (tier instanceof RedisTier) return redisKeys(tier, prefix);
  if (tier instanceof PostgresTier) return postgresKeys(tier, prefix);
  return [];
}

async function* redisKeys(tier: RedisTier, prefix: string): AsyncGenerator<string> {
  const root = tier.entryKey('');
  for await (const keys of scanPrefix(tier.client, tier.entryKey(prefix), BATCH)) {
    for (const key of keys) yield key.slice(root.length);
  }
}

/** Keyset pages in key order, so that no page holds the whole namespace. */
async function* postgresKeys(tier: PostgresTier, prefix: string): AsyncGenerator<string> {
  const s = quoteSchema(tier.schema);
  let after = '';
  for (;;) {
    const query: pg.QueryConfig & { query_timeout: number } = {
      text: `SELECT key FROM ${s}.cache_entries
             WHERE namespace = $1 AND starts_with(key, $2) AND key > $3 AND expires_at > now()
             ORDER BY key LIMIT $4`,
      values: [tier.namespace, prefix, after, BATCH],
      query_timeout: L3_QUERY_TIMEOUT_MS,
    };
    const { rows } = await tier.pool.query<{ key: string }>(query);
    for (const row of rows) yield row.key;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.key;
  }
}
