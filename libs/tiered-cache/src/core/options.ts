import type { CircuitBreakerOptions } from '../resilience/circuit-breaker.js';
import type { MemoryTierOptions } from '../tiers/memory/memory.tier.js';
import type { PostgresTierOptions } from '../tiers/postgres/postgres.tier.js';
import type { EncryptionOptions, IntegrityOptions } from '../security/security.options.js';
import type { RedisTierOptions } from '../tiers/redis/redis.tier.js';
import type { MemcachedTierOptions } from '../tiers/memcached/memcached.tier.js';
import type { TierName } from '../tiers/tier.js';
import type { Duration } from './duration.js';
import type { Serializer } from './serializer.js';

/** Per-tier lifetime caps: an entry never lives longer than this in that tier. */
export type TierTtl = Partial<Record<TierName, Duration>>;

/**
 * Options of one cached value. Every field falls back to the cache's `defaults`. An options object
 * is resolved once and remembered, so treat it as immutable and reuse it.
 */
export interface CacheCallOptions<T = unknown> {
  /** Time until the entry is stale. Default `'5m'`. */
  ttl?: Duration;
  /** How long past `ttl` a stale entry may still be served if the loader fails. Default 0. */
  grace?: Duration;
  /** Tags to invalidate the entry by. May be computed from the value. */
  tags?: readonly string[] | ((value: T) => readonly string[]);
  /** Tiers to read and write. Default: every configured tier. Unconfigured tiers are skipped. */
  tiers?: readonly TierName[];
  /** Lifetime caps per tier, over the cache-wide `tierTtl`. */
  tierTtl?: TierTtl;
  /** Past this, a stale value within grace is returned and the loader finishes in the background. */
  softTimeout?: Duration;
  /** Past this, the call fails with `LoaderTimeoutError` (or serves stale within grace). */
  hardTimeout?: Duration;
  /**
   * Fraction of the TTL (0 < f < 1) after which a hit starts one background refresh, so hot keys
   * never go cold. Off by default.
   */
  refreshAhead?: number;
  /**
   * Take a Redis lock on a miss so that N instances run the loader once; the others wait for the
   * value. Falls back to the local single-flight when Redis is down. Off by default.
   */
  lock?: boolean | { ttl?: Duration; wait?: Duration };
}

/** Cache-wide defaults of the per-call options. */
export type CacheDefaults = Omit<CacheCallOptions, 'tags'>;

/** Configuration of a {@link TieredCache}. */
export interface TieredCacheOptions {
  /** Entries of different namespaces never meet; `clear()` empties one. Default `default`. */
  namespace?: string;
  /** L1 memory tier. Default on; `false` turns it off. */
  memory?: MemoryTierOptions | false;
  /** L2 Redis tier. Off unless given. */
  redis?: Omit<RedisTierOptions, 'namespace' | 'serializer' | 'codec'>;
  /**
   * L2 on Memcached instead of Redis (not both): servers sharded by consistent hashing. Needs
   * `postgres`, which then holds the tag stamps and the clock; the bus runs on PostgreSQL
   * LISTEN/NOTIFY (docs/memcached.md). Off unless given.
   */
  memcached?: Omit<MemcachedTierOptions, 'namespace' | 'serializer' | 'codec' | 'clock'>;
  /** L3 PostgreSQL tier. Off unless given. */
  postgres?: Omit<PostgresTierOptions, 'namespace' | 'serializer' | 'codec'>;
  /** Cross-instance bus: Redis pub/sub with `redis`, PostgreSQL NOTIFY with `memcached`. Default on then. */
  bus?: boolean | { channel?: string; heartbeatMs?: number };
  defaults?: CacheDefaults;
  /** Lifetime caps per tier. Default `{ l1: '1m' }`: L1 short, so a lost bus message heals itself. */
  tierTtl?: TierTtl;
  /** Keys longer than this (UTF-8 bytes) are hashed. Default 200. */
  maxKeyBytes?: number;
  serializer?: Serializer;
  /**
   * Sign every L2/L3 payload and bus message (HMAC-SHA-256) and refuse what fails the check: a
   * forged entry written into Redis or the cache table is a miss, is removed, and is counted
   * (`rejected` in the tier's stats). Off unless given (docs/security.md).
   */
  integrity?: IntegrityOptions;
  /** Encrypt values in L2 and L3 (AES-256-GCM). Needs `integrity`. Off unless given. */
  encryption?: EncryptionOptions;
  /**
   * Values serializing to more than this are refused (`PayloadTooLargeError`), and stored payloads
   * over it are never parsed. Default 16 MiB.
   */
  maxPayloadBytes?: number;
  /**
   * Hand every read its own copy of the value (a round trip through the serializer, so a copy
   * from L1 looks exactly like an L2/L3 hit), so callers may mutate what they receive without
   * changing it for anyone else.
   * Default false: an L1 hit returns the object L1 holds, which is fastest but shared by every
   * caller (docs/tiers.md, "Values").
   */
  clone?: boolean;
  breaker?: CircuitBreakerOptions;
  /** After the loader fails and a stale value is served, wait this long before calling it again. Default `'10s'`. */
  failSafeThrottle?: Duration;
  /**
   * While this instance may be missing other instances' invalidations (the bus or the database
   * listener is down or hung), L1 entries live at most this long. Default `'1s'`: the bound
   * docs/consistency.md gives for what another instance's L1 may serve during such an outage.
   */
  blindL1Ttl?: Duration;
  /**
   * How often tags stamped in L3 but not yet in Redis (by database triggers, or while Redis was
   * away) are swept into Redis, with L2 and L3 both configured. Default `'1s'`.
   */
  pendingSweepInterval?: Duration;
  /** Identifies this instance on the bus. Default a random UUID. */
  instanceId?: string;
  /**
   * Wall clock in milliseconds, for TTLs. Default `Date.now`. Tag stamps never come from it while a
   * shared tier is configured; tests inject a skewed clock here to prove that.
   */
  now?: () => number;
}

/** Options of `invalidateTags`. */
export interface InvalidateOptions {
  /** Who asked, for metrics: `app` (default), `db` (a trigger), `admin`, ... */
  source?: string;
  /**
   * Tell the other instances through the bus. Default true. The database listener turns it off:
   * every instance receives the notification itself.
   */
  broadcast?: boolean;
}
