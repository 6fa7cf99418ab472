import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { until } from '../../../../test/support/eventually.js';
import { freePort, RedisProcess } from '../../../../test/support/redis-process.js';
import type { TieredCache } from './tiered-cache.js';

describe('TieredCache resilience', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('resilience');
  });
  afterAll(async () => fx.dispose());

  it('serves a stale entry within grace when the loader fails, throttles retries, then surfaces the error', async () => {
    const cache = await fx.create({ failSafeThrottle: 300 });
    const loader = countingLoader((n) => `v${n}`);
    await cache.getOrSet('rs:failsafe', loader, { ttl: 100, grace: 1_000 });
    await sleep(150);
    loader.failing = true;
    expect(await cache.getOrSet('rs:failsafe', loader, { ttl: 100, grace: 1_000 })).toBe('v1');
    expect(cache.stats().staleServed).toBe(1);
    expect(await cache.getOrSet('rs:failsafe', loader, { ttl: 100, grace: 1_000 })).toBe('v1');
    expect(loader.calls).toBe(2); // the second stale answer came from the throttle, not a new load
    await sleep(1_100);
    await expect(cache.getOrSet('rs:failsafe', loader, { ttl: 100, grace: 1_000 })).rejects.toThrow(/loader failure/);
  });

  it('propagates the loader error unchanged when nothing stale exists', async () => {
    const cache = await fx.create();
    const failure = new TypeError('source down');
    await expect(cache.getOrSet('rs:nothing', () => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('keeps serving through L1 and L3 when Redis cannot be reached, and opens the breaker', async () => {
    const port = await freePort(); // nothing listens there
    const cache = await fx.create({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: fx.redis.prefix }, breaker: { failureThreshold: 3 } });
    const loader = countingLoader(() => 'from source');
    for (let i = 0; i < 10; i++) expect(await cache.getOrSet(`rs:noredis:${i % 2}`, loader)).toBe('from source');
    // Tagged values too: their tags are checked against L3's clock while Redis is away.
    const tagged = countingLoader(() => 'tagged');
    for (let i = 0; i < 5; i++) expect(await cache.getOrSet('rs:noredis:tagged', tagged, { tags: ['t'] })).toBe('tagged');
    expect(tagged.calls).toBe(1);
    await cache.set('rs:noredis:set', 1);
    await cache.invalidateTags(['x']);
    await cache.delete('rs:noredis:set');
    const stats = cache.stats();
    expect(stats.tiers.l2?.circuit).toBe('open');
    expect(stats.tiers.l2?.errors).toBeGreaterThanOrEqual(3);
    expect(loader.calls).toBe(2);
  });

  describe('when Redis dies and comes back', () => {
    let redis: RedisProcess;
    let a: TieredCache;
    let b: TieredCache;
    beforeAll(async () => {
      redis = await RedisProcess.start();
      const options = { redis: { url: redis.url, keyPrefix: 'rs:' }, breaker: { failureThreshold: 2, openFor: 200 } };
      a = await fx.create(options);
      b = await fx.create(options);
    });
    afterAll(async () => redis.stop());

    it('replays what it missed, resets suspect L1s, and serves no stale value after recovery', async () => {
      await a.set('rs:item', 'v1', { tags: ['item'] });
      expect(await b.get('rs:item')).toBe('v1');

      await redis.stop();
      await a.invalidateTags(['item']); // reaches L3 now; L2 and the bus only after recovery
      await a.set('rs:other', 'during outage');
      expect(await a.get('rs:item')).toBeUndefined();
      expect(await a.getOrSet('rs:item', async () => 'v2', { tags: ['item'] })).toBe('v2');

      await redis.start();
      const restarted = Date.now();
      await until(async () => a.stats().tiers.l2?.circuit === 'closed' && b.stats().bus === 'connected', 5_000);
      await until(async () => (await b.get('rs:item', { tiers: ['l1'] })) === undefined, 5_000);
      expect(Date.now() - restarted).toBeLessThan(5_000);
      // Redis restarted empty here, so also check the replayed stamp protects a repopulated L2.
      const cold = await fx.create({ redis: { url: redis.url, keyPrefix: 'rs:' } });
      expect(await cold.getOrSet('rs:item', async () => 'v2', { tags: ['item'] })).toBe('v2');
      expect(await b.getOrSet('rs:item', async () => 'v2', { tags: ['item'] })).toBe('v2');
    });
  });
});
