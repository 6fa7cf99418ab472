import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import type { TieredCacheOptions } from '../../libs/tiered-cache/src/core/options.js';
import { createTestRedis, createTestSchema, type TestRedis, type TestSchema } from './isolation.js';
import { TEST_REDIS_URL } from './services.js';

/**
 * Shared storage (an isolated Redis prefix and PostgreSQL schema) and a factory for cache
 * instances on it: several instances with separate L1s behave like several app instances.
 */
export interface CacheFixture {
  readonly redis: TestRedis;
  readonly db: TestSchema;
  /** A connected cache on the shared storage. Options override the defaults (all three tiers). */
  create(options?: TieredCacheOptions): Promise<TieredCache>;
  dispose(): Promise<void>;
}

export async function createCacheFixture(label: string): Promise<CacheFixture> {
  const redis = createTestRedis(label);
  const db = await createTestSchema(label);
  const caches: TieredCache[] = [];
  return {
    redis,
    db,
    async create(options = {}) {
      const cache = new TieredCache({
        redis: { url: TEST_REDIS_URL, keyPrefix: redis.prefix },
        postgres: { pool: db.pool, schema: db.schema },
        ...options,
      });
      caches.push(cache);
      await cache.ready(1_000);
      return cache;
    },
    async dispose() {
      await Promise.all(caches.map((cache) => cache.close()));
      await redis.drop();
      await db.drop();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A loader that counts its calls and can be made slow or failing. */
export function countingLoader<T>(value: (call: number) => T, delayMs = 0) {
  const loader = Object.assign(
    async () => {
      loader.calls++;
      const call = loader.calls;
      if (delayMs > 0) await sleep(delayMs);
      if (loader.failing) throw new Error(`loader failure #${call}`);
      return value(call);
    },
    { calls: 0, failing: false },
  );
  return loader;
}
