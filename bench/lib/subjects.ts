import { createKeyv } from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { createCache, type Cache as CacheManager } from 'cache-manager';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import type { TieredCacheOptions } from '../../libs/tiered-cache/src/core/options.js';
import { redisClientOptions } from '../../libs/tiered-cache/src/tiers/redis/redis.tier.js';
import type { BenchEnv } from './env.js';

/** Entries live this long in every library, far beyond a run, so nothing expires while measured. */
export const BENCH_TTL_MS = 30 * 60_000;
/** L1 capacity given to every library that has one. */
export const L1_MAX_ENTRIES = 10_000;

/** The cached value: a small JSON-safe record (~0.5 kB), the same for every library. */
export function sampleValue(id: number): Record<string, unknown> {
  return {
    id,
    title: `Article ${id}`,
    slug: `article-${id}`,
    author: { id: id % 97, name: 'Ada Lovelace' },
    tags: ['nestjs', 'cache', 'redis'],
    views: id * 7,
    published: true,
    body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6),
  };
}

export interface OursTiers {
  l1?: boolean;
  l2?: boolean;
  l3?: boolean;
}

/**
 * Our engine on the run's storage. L2 owns its ioredis client, built by the engine with its own
 * settings (`redisClientOptions`); L3 shares the run's pool. Closed by `env.dispose()`.
 */
export async function createOurs(env: BenchEnv, namespace: string, tiers: OursTiers, extra: Partial<TieredCacheOptions> = {}): Promise<TieredCache> {
  const cache = new TieredCache({
    namespace,
    memory: tiers.l1 === false ? false : { maxEntries: L1_MAX_ENTRIES },
    redis: tiers.l2 ? { url: env.redisUrl, keyPrefix: `${env.prefix}tc:` } : undefined,
    postgres: tiers.l3 ? { pool: env.pool, schema: env.schema } : undefined,
    defaults: { ttl: BENCH_TTL_MS },
    ...extra,
  });
  env.onDispose(() => cache.close());
  if (!(await cache.ready(5_000))) throw new Error(`TieredCache ${namespace}: Redis not ready`);
  return cache;
}

/**
 * The raw-Redis baseline's client: ioredis with exactly the settings our L2 tier gives its own
 * client (command timeout, no offline queue, ...).
 */
export async function createRawRedis(env: BenchEnv): Promise<Redis> {
  const client = new Redis(env.redisUrl, redisClientOptions(250));
  env.onDispose(() => client.disconnect());
  await waitReady(client);
  return client;
}

async function waitReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
  });
}

export interface BentoTiers {
  l1: boolean;
  l2: boolean;
}

/**
 * BentoCache as its documentation sets up a multi-tier cache: memory L1 (`serialize: false`, the
 * faster mode that keeps references, like ours), Redis L2 and a Redis bus.
 */
export async function createBento(env: BenchEnv, name: string, tiers: BentoTiers): Promise<BentoCache<Record<string, ReturnType<typeof bentostore>>>> {
  let store = bentostore();
  if (tiers.l1) store = store.useL1Layer(memoryDriver({ maxItems: L1_MAX_ENTRIES, serialize: false }));
  if (tiers.l2) {
    const connection = new Redis(env.redisUrl);
    await waitReady(connection);
    store = store.useL2Layer(redisDriver({ connection }));
    if (tiers.l1) store = store.useBus(redisBusDriver({ connection: new Redis(env.redisUrl) }));
  }
  const bento = new BentoCache({ default: 'cache', prefix: `${env.prefix}bento_${name}`, ttl: BENCH_TTL_MS, stores: { cache: store } });
  env.onDispose(() => bento.disconnectAll());
  return bento;
}

export interface CacheManagerTiers {
  memory: boolean;
  redis: boolean;
}

/** A Keyv memory store as cache-manager uses by default: a `Map`, values kept as they are. */
export function memoryStore(): Keyv {
  const memory = new Keyv();
  memory.serialize = undefined;
  memory.deserialize = undefined;
  return memory;
}

/**
 * cache-manager 7 `createCache` as its README sets up two tiers: a memory Keyv store (the Map
 * store without serialization, which is what cache-manager itself uses when given no store) and
 * `@keyv/redis`.
 */
export async function createCacheManager(env: BenchEnv, name: string, tiers: CacheManagerTiers): Promise<CacheManager> {
  const stores: Keyv[] = [];
  if (tiers.memory) stores.push(memoryStore());
  if (tiers.redis) {
    const redis = createKeyv(env.redisUrl, { namespace: `${env.prefix}cm_${name}` });
    await redis.set('~connect', 1, 1_000);
    stores.push(redis);
  }
  const cache = createCache({ stores, ttl: BENCH_TTL_MS });
  env.onDispose(() => cache.disconnect());
  return cache;
}

/** Resolves after `ms` milliseconds: the loaders' work. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
