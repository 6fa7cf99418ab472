import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { CacheCleaner, CacheCleanupService, opsSchemaSql, resolveOpsStore, type OpsStore } from '../../libs/tiered-cache/src/maintenance/index.js';
import { makeEntry } from '../../libs/tiered-cache/src/tiers/testing/tier-conformance.js';
import { RedisTier } from '../../libs/tiered-cache/src/tiers/redis/redis.tier.js';
import { createCacheFixture, sleep, type CacheFixture } from '../support/cache-fixture.js';

// Redis's tag stamps are purged by the same scheduled run that purges PostgreSQL's tag clock.
describe('maintenance: L2 tag stamps', () => {
  let fx: CacheFixture;
  let cache: TieredCache;
  let store: OpsStore;
  let l2: RedisTier;
  const tagKey = () => `${fx.redis.prefix}tags`;

  beforeAll(async () => {
    fx = await createCacheFixture('maint_l2');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    cache = await fx.create({ namespace: 'l2purge' });
    store = resolveOpsStore(cache)!;
    l2 = cache.tiers().find((entry) => entry.tier instanceof RedisTier)!.tier as RedisTier;
  });
  afterAll(async () => fx.dispose());

  it('a cleanup run drops the L2 stamps past the longest lifetime and counts them', async () => {
    const { entry, payload } = makeEntry('short', { createdAt: await l2.now(), ttlMs: 500 });
    await l2.set('short', entry, payload);
    await l2.invalidateTags(['l2-old']);
    await sleep(800);
    await l2.invalidateTags(['l2-recent']);

    const result = await new CacheCleaner(store, 'instance-a', {}, l2).run('manual');

    expect(result.status).toBe('ok');
    expect(result.l2TagsPurged).toBe(1);
    expect(await fx.redis.client.hexists(tagKey(), 'l2-old')).toBe(0);
    expect(await fx.redis.client.hexists(tagKey(), 'l2-recent')).toBe(1);
  });

  it('the cleanup service hands the L2 of its cache to the cleaner', async () => {
    const service = new CacheCleanupService(cache, { cleanupInterval: false }, new SchedulerRegistry());
    const result = await service.run('manual');
    expect(result.status).toBe('ok');
    expect(typeof result.l2TagsPurged).toBe('number');
  });
});
