import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import type { TieredCacheOptions } from '../../libs/tiered-cache/src/core/options.js';
import type { CacheFixture } from './cache-fixture.js';
import { createTestSchema } from './isolation.js';
import { RedisSentinelProcess, SENTINEL_MASTER_NAME } from './redis-sentinel.process.js';

/**
 * Like `createCacheFixture`, with L2 on a private Sentinel set-up (a master, two replicas, three
 * sentinels) started for the fixture and stopped by `dispose()`.
 */
export async function createSentinelCacheFixture(label: string): Promise<Pick<CacheFixture, 'db' | 'create' | 'dispose'> & { readonly setup: RedisSentinelProcess }> {
  const setup = await RedisSentinelProcess.start(2);
  const db = await createTestSchema(label);
  const caches: TieredCache[] = [];
  return {
    setup,
    db,
    async create(options: TieredCacheOptions = {}) {
      const cache = new TieredCache({
        redis: { sentinel: { sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME }, keyPrefix: `${label}:` },
        postgres: { pool: db.pool, schema: db.schema },
        ...options,
      });
      caches.push(cache);
      await cache.ready(5_000);
      return cache;
    },
    async dispose() {
      await Promise.all(caches.map((cache) => cache.close()));
      await db.drop();
      await setup.stop();
    },
  };
}
