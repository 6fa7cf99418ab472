import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';

describe('TieredCache top-down reads and backfill', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('backfill');
  });
  afterAll(async () => fx.dispose());

  it('reads L2 when L1 is cold and L3 when L2 is cold, without calling the loader', async () => {
    const writer = await fx.create();
    const loader = countingLoader(() => 'value');
    await writer.getOrSet('bf:levels', loader);

    const second = await fx.create();
    expect(await second.getOrSet('bf:levels', loader)).toBe('value');
    expect(second.stats().tiers.l2?.hits).toBe(1);

    await fx.redis.client.unlink(`${fx.redis.prefix}e:default:bf:levels`);
    const third = await fx.create();
    expect(await third.getOrSet('bf:levels', loader)).toBe('value');
    expect(third.stats().tiers.l3?.hits).toBe(1);
    expect(loader.calls).toBe(1);
  });

  it('copies a lower-tier hit upwards with its remaining lifetime, not a fresh TTL', async () => {
    const writer = await fx.create();
    await writer.set('bf:remaining', 'v', { ttl: '10s', tiers: ['l3'] });
    const [, , l3] = writer.tiers().map((t) => t.tier);
    const original = (await l3!.get('bf:remaining')).entry!;
    await sleep(1_200);

    const reader = await fx.create();
    expect(await reader.get('bf:remaining')).toBe('v');
    const [l1, l2] = reader.tiers().map((t) => t.tier);
    await sleep(100); // the L2 backfill is written in the background
    const inL2 = (await l2!.get('bf:remaining')).entry!;
    const inL1 = (await l1!.get('bf:remaining')).entry!;
    expect(inL2.staleAt).toBeCloseTo(original.staleAt, -1);
    expect(inL1.staleAt).toBeCloseTo(original.staleAt, -1);
    expect(inL2.createdAt).toBe(original.createdAt);
    // A fresh TTL would put staleAt ~10 s from now; the remaining lifetime is under 9 s.
    expect(inL2.staleAt - Date.now()).toBeLessThan(9_000);
    expect(await fx.redis.client.pttl(`${fx.redis.prefix}e:default:bf:remaining`)).toBeLessThan(9_000);
  });

  it('caps L1 lifetime with the per-tier TTL and keeps the longer lifetime below', async () => {
    const cache = await fx.create({ tierTtl: { l1: '1s' } });
    await cache.set('bf:capped', 'v', { ttl: '1h' });
    const [l1, l2] = cache.tiers().map((t) => t.tier);
    const inL1 = (await l1!.get('bf:capped')).entry!;
    const inL2 = (await l2!.get('bf:capped')).entry!;
    expect(inL1.expiresAt - Date.now()).toBeLessThanOrEqual(1_000);
    expect(inL2.staleAt - Date.now()).toBeGreaterThan(3_500_000);
    await sleep(1_100);
    expect(await cache.get('bf:capped')).toBe('v'); // L1 expired; L2 still serves
    expect(cache.stats().tiers.l2?.hits).toBe(1);
  });
});
