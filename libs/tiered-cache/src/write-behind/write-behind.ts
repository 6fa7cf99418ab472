import type { Duration } from '../core/duration.js';
import type { TieredCache } from '../core/tiered-cache.js';
import type { TierName } from '../tiers/tier.js';
import type { RedisStreamQueue } from './redis-stream.queue.js';
import type { MergeWrites } from './write-behind.types.js';

/** Options of a {@link WriteBehind}. */
export interface WriteBehindOptions<T> {
  queue: RedisStreamQueue<T>;
  /** The cache that reads go through; it holds each written row until (and after) it is flushed. */
  cache: TieredCache;
  merge: MergeWrites<T>;
  /** The cache key of a row. */
  cacheKey: (rowKey: string) => string;
  /** Reads a row as the database has it (`undefined` when there is none). */
  load: (rowKey: string) => Promise<T | undefined>;
  /**
   * Lifetime of a written row in the cache. It must outlast the flush lag: a row that leaves the
   * cache before its writes are flushed reads as the database has it. Default `'1h'`.
   */
  ttl?: Duration;
  /**
   * Tiers that hold the written rows. Default `['l1', 'l2']`: the rows live where the queue lives,
   * so a Redis that lost its data (and with it the queue) cannot leave L3 serving writes that will
   * never be flushed; and an L3 write per report would cost what write-behind saves.
   */
  tiers?: readonly TierName[];
}

const DEFAULT_TIERS: readonly TierName[] = ['l1', 'l2'];

/**
 * Write-behind with read-your-writes: {@link write} resolves once the write is durable in the
 * queue, and puts the merged row in the cache (every tier, every instance); {@link read} answers
 * from the cache first, so every instance sees an accepted write before it is flushed.
 */
export class WriteBehind<T> {
  constructor(private readonly options: WriteBehindOptions<T>) {}

  /**
   * Queues `value` for `rowKey` and resolves with the row as reads now see it.
   * @throws WriteBehindUnavailableError when the queue cannot take it; then the cache is unchanged.
   * @throws WriteBehindInputError for a bad key or value.
   */
  async write(rowKey: string, value: T): Promise<T> {
    const { queue, cache, merge, cacheKey, ttl, tiers } = this.options;
    // Queue first: the cache must never show a write that is not durable.
    await queue.append(rowKey, value);
    const current = await this.read(rowKey);
    const row = current === undefined ? value : merge(current, value);
    await cache.set(cacheKey(rowKey), row, { ttl: ttl ?? '1h', tiers: tiers ?? DEFAULT_TIERS });
    return row;
  }

  /** The row with every accepted write in it: the cached row, else the database's. */
  async read(rowKey: string): Promise<T | undefined> {
    const cached = await this.options.cache.get<T>(this.options.cacheKey(rowKey), { tiers: this.options.tiers ?? DEFAULT_TIERS });
    return cached !== undefined ? cached : this.options.load(rowKey);
  }
}
