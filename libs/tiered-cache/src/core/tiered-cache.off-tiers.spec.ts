import { afterEach, describe, expect, it } from '@jest/globals';
import { TieredCache } from './tiered-cache.js';

/** `redis: { url: process.env.REDIS_URL }` with the variable unset, as in the README's snippet. */
describe('remote tiers configured without a server', () => {
  let cache: TieredCache | undefined;
  afterEach(async () => cache?.close());

  it('are off and say why, instead of connecting to a default server nobody configured', async () => {
    cache = new TieredCache({ redis: { url: undefined }, postgres: { connectionString: undefined } });
    expect(cache.offTiers).toEqual([
      { tier: 'l2', reason: 'redis has neither a url, sentinels nor a client' },
      { tier: 'l3', reason: 'postgres has neither a connectionString nor a pool' },
    ]);
    expect(await cache.ready(1_000)).toBe(true);
    expect(cache.tiers().map((entry) => entry.name)).toEqual(['l1']);
    expect(await cache.getOrSet('k', () => 'v')).toBe('v');
    expect(cache.stats().bus).toBe('disabled');
  });
});
