import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter } from 'keyv';
import { toMilliseconds, type Duration } from '../core/duration.js';
import type { TieredCache } from '../core/tiered-cache.js';
import type { TierName } from '../tiers/tier.js';
import { withExpiry } from './keyv-expiry.js';
import { RESERVED_KEY_PREFIX } from './scoped-key.js';
import { listStorageKeys } from './storage-keys.listing.js';

/** Options of {@link TieredKeyvStore}. */
export interface TieredKeyvStoreOptions {
  /**
   * Lifetime of entries Keyv writes without a TTL. Keyv means "forever" by that; the tiers need an
   * end, so pick one long enough. Default: the cache's `defaults.ttl` (itself `'5m'` by default).
   * The store writes the resulting expiry into Keyv's envelope, so Keyv and cache-manager's `ttl()`
   * report it.
   */
  defaultTtl?: Duration;
  /** Tiers to use. Default: every configured tier. */
  tiers?: readonly TierName[];
}

/** Where a long Keyv key is kept: under its hash, with the key itself beside the value. */
interface LongKeyEntry {
  readonly keyvKey: string;
  readonly value: unknown;
}

const TIER_URL_NAMES: Record<TierName, string> = { l1: 'memory', l2: 'redis', l3: 'postgres' };

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
 * `iterator()` lists the namespace's entries from the tiers. `disconnect()` does not close the
 * cache: the module that created it does. Keyv's bulk methods (`getMany`, `setMany`, `deleteMany`)
 * fall back to the single-key ones. Emits `error` (Keyv forwards it) when a read fails or a tier
 * cannot be listed.
 */
export class TieredKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /**
   * Keyv inspects this. It offers `iterator()` only to stores whose dialect or url names a backend
   * it knows to list keys (redis, postgres, ...): the url names the tiers the store uses.
   */
  readonly opts: { dialect: 'tiered-cache'; url: string };
  private readonly readOptions: { tiers?: readonly TierName[] } | undefined;
  private readonly defaultTtlMs: number;
  private keyvNamespace: string | undefined;
  private prefix = '';
  private longPrefix = '';
  private tags: readonly string[] = [];

  constructor(
    private readonly cache: TieredCache,
    private readonly options: TieredKeyvStoreOptions = {},
  ) {
    super();
    const used = cache.tiers().filter(({ name }) => options.tiers === undefined || options.tiers.includes(name));
    this.opts = { dialect: 'tiered-cache', url: `tiered-cache://${cache.namespace}?tiers=${used.map(({ name }) => TIER_URL_NAMES[name]).join(',')}` };
    this.readOptions = options.tiers === undefined ? undefined : { tiers: options.tiers };
    this.defaultTtlMs = options.defaultTtl === undefined ? cache.defaultTtlMs : toMilliseconds(options.defaultTtl, 'defaultTtl');
    this.namespace = undefined;
  }

  /** Set by Keyv to its own namespace (default `keyv`). */
  get namespace(): string | undefined {
    return this.keyvNamespace;
  }

  /** Encoded, since a namespace may hold the `:` that ends the prefix. */
  set namespace(namespace: string | undefined) {
    this.keyvNamespace = namespace;
    const scope = scopeOf(namespace);
    this.prefix = `${scope}:`;
    this.longPrefix = longPrefixOf(namespace);
    this.tags = [scope];
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    try {
      return (await this.read(key)) as Value | undefined;
    } catch (error) {
      // Keyv swallows a failed get (unless throwOnErrors): the event is how its users learn of it.
      this.report(error);
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** @param ttl milliseconds; Keyv passes `undefined` for "no expiry". */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const given = typeof ttl === 'number' && ttl > 0;
    const ttlMs = given ? ttl : this.defaultTtlMs;
    const stored = given ? value : withExpiry(value, Date.now() + ttlMs);
    const storageKey = this.storageKeyOf(key);
    await this.cache.set(storageKey, storageKey === this.prefix + key ? stored : ({ keyvKey: key, value: stored } satisfies LongKeyEntry), {
      ttl: ttlMs,
      tiers: this.options.tiers,
      tags: this.tags,
    });
    return true;
  }

  /** Reports whether the key held a value, as Keyv's contract asks; that costs one read first. */
  async delete(key: string): Promise<boolean> {
    const existed = await this.has(key);
    await this.cache.delete(this.storageKeyOf(key));
    return existed;
  }

  /** Empties this Keyv namespace only, in O(1), by invalidating its tag. */
  async clear(): Promise<void> {
    await this.cache.invalidateTags(this.tags);
  }

  /**
   * The namespace's entries, `[key, stored value]`, listed from the tiers the store uses (a Redis
   * SCAN, a range of the L3 table, L1's keys) and each read through the cache, so that expired,
   * deleted and invalidated entries are left out. A tier that cannot be listed is skipped, with an
   * `error` event. Meant for tools and tests, not hot paths: it scans.
   */
  async *iterator<Value>(namespace?: string): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const prefix = `${scopeOf(namespace)}:`;
    const longPrefix = longPrefixOf(namespace);
    for await (const storageKey of listStorageKeys(this.cache, [prefix, longPrefix], this.options.tiers, (error) => this.report(error))) {
      const value = await this.cache.get(storageKey, this.readOptions);
      if (value === undefined) continue;
      if (!storageKey.startsWith(longPrefix)) {
        yield [storageKey.slice(prefix.length), value as Awaited<Value>];
      } else if (isLongKeyEntry(value) && longPrefix + digest(value.keyvKey) === storageKey) {
        yield [value.keyvKey, value.value as Awaited<Value>];
      }
    }
  }

  /** The cache belongs to the module that created it; Keyv's disconnect must not close it. */
  async disconnect(): Promise<void> {}

  private async read(key: string): Promise<unknown> {
    const storageKey = this.storageKeyOf(key);
    const value = await this.cache.get(storageKey, this.readOptions);
    if (storageKey === this.prefix + key) return value;
    return isLongKeyEntry(value) && value.keyvKey === key ? value.value : undefined;
  }

  /**
   * `~kv:<ns>:<key>`, or for a key the engine would store hashed, `~kvh:<ns>:<sha-256>`: the value
   * then carries the key, so that `iterator()` can name it. No key is both, so none is another's.
   */
  private storageKeyOf(key: string): string {
    const full = this.prefix + key;
    return this.cache.storageKey(full) === full ? full : this.longPrefix + digest(key);
  }

  /** Never throws for want of a listener: a store used without Keyv may have none. */
  private report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

function scopeOf(namespace: string | undefined): string {
  return `${RESERVED_KEY_PREFIX}kv:${encodeURIComponent(namespace ?? '')}`;
}

function longPrefixOf(namespace: string | undefined): string {
  return `${RESERVED_KEY_PREFIX}kvh:${encodeURIComponent(namespace ?? '')}:`;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function isLongKeyEntry(value: unknown): value is LongKeyEntry {
  return typeof value === 'object' && value !== null && typeof (value as LongKeyEntry).keyvKey === 'string' && 'value' in value;
}
