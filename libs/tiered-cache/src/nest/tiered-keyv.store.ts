import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';
import type { Duration } from '../core/duration.js';
import type { TieredCache } from '../core/tiered-cache.js';
import type { TierName } from '../tiers/tier.js';
import { RESERVED_KEY_PREFIX } from './scoped-key.js';

/** Options of {@link TieredKeyvStore}. */
export interface TieredKeyvStoreOptions {
  /**
   * Lifetime of entries Keyv writes without a TTL. Keyv means "forever" by that; the tiers need an
   * end, so pick one long enough. Default: the cache's `defaults.ttl` (itself `'5m'` by default).
   */
  defaultTtl?: Duration;
  /** Tiers to use. Default: every configured tier. */
  tiers?: readonly TierName[];
}

/**
 * A Keyv storage adapter over {@link TieredCache}, so `@nestjs/cache-manager` (`CACHE_MANAGER`,
 * `CacheInterceptor`) reads and writes the tiers:
 *
 * ```ts
 * CacheModule.registerAsync({ inject: [TieredCache], useFactory: (cache: TieredCache) => ({ stores: [new TieredKeyvStore(cache)] }) })
 * ```
 *
 * Keys live under `~kv:<keyv namespace>:`, apart from `@Cached` keys. Every entry is tagged with its
 * Keyv namespace, so `clear()` is one tag invalidation that leaves the rest of the cache alone.
 * `disconnect()` does not close the cache: the module that created it does. Keyv's bulk methods
 * (`getMany`, `setMany`, `deleteMany`) fall back to the single-key ones.
 */
export class TieredKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /** Keyv inspects this; the store has no connection options of its own. */
  readonly opts: { dialect: 'tiered-cache'; url: string };
  private readonly readOptions: { tiers?: readonly TierName[] } | undefined;
  private keyvNamespace: string | undefined;
  private prefix = '';
  private tags: readonly string[] = [];

  constructor(
    private readonly cache: TieredCache,
    private readonly options: TieredKeyvStoreOptions = {},
  ) {
    super();
    this.opts = { dialect: 'tiered-cache', url: `tiered-cache://${cache.namespace}` };
    this.readOptions = options.tiers === undefined ? undefined : { tiers: options.tiers };
    this.namespace = undefined;
  }

  /** Set by Keyv to its own namespace (default `keyv`). */
  get namespace(): string | undefined {
    return this.keyvNamespace;
  }

  /** Encoded, since a namespace may hold the `:` that ends the prefix. */
  set namespace(namespace: string | undefined) {
    this.keyvNamespace = namespace;
    const scope = `${RESERVED_KEY_PREFIX}kv:${encodeURIComponent(namespace ?? '')}`;
    this.prefix = `${scope}:`;
    this.tags = [scope];
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    return this.cache.get<Value>(this.prefix + key, this.readOptions);
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** @param ttl milliseconds; Keyv passes `undefined` for "no expiry". */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.cache.set(this.prefix + key, value, {
      ttl: typeof ttl === 'number' && ttl > 0 ? ttl : this.options.defaultTtl,
      tiers: this.options.tiers,
      tags: this.tags,
    });
    return true;
  }

  /** Reports whether the key held a value, as Keyv's contract asks; that costs one read first. */
  async delete(key: string): Promise<boolean> {
    const existed = await this.has(key);
    await this.cache.delete(this.prefix + key);
    return existed;
  }

  /** Empties this Keyv namespace only, in O(1), by invalidating its tag. */
  async clear(): Promise<void> {
    await this.cache.invalidateTags(this.tags);
  }

  /** The cache belongs to the module that created it; Keyv's disconnect must not close it. */
  async disconnect(): Promise<void> {}
}
