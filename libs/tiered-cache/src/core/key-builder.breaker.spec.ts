import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { InvalidKeyError } from './errors.js';
import type { TieredCache } from './tiered-cache.js';

/** Keys that PostgreSQL cannot store (NUL) or would store as another key (lone surrogates). */
const UNUSABLE_KEYS = ['row\u0000id', '\u0000', 'row:\uD800', 'row:\uDFFF'];

describe('unusable keys against a real L3', () => {
  let fx: CacheFixture;
  let cache: TieredCache;

  beforeAll(async () => {
    fx = await createCacheFixture('badkeys');
    cache = await fx.create({ redis: undefined, breaker: { failureThreshold: 2 } });
  });
  afterAll(async () => {
    await fx.dispose();
  });

  it('rejects them before any tier sees them, so they cannot open the L3 breaker', async () => {
    const outcomes: unknown[] = [];
    const attempt = (call: () => Promise<unknown>) => call().then(() => 'accepted', (error: unknown) => error);
    for (let round = 0; round < 5; round++) {
      for (const key of UNUSABLE_KEYS) {
        outcomes.push(await attempt(() => cache.get(key, { tiers: ['l3'] })));
        outcomes.push(await attempt(() => cache.set(key, 'v', { tiers: ['l3'] })));
        outcomes.push(await attempt(() => cache.getOrSet(key, () => 'v', { tiers: ['l3'] })));
        outcomes.push(await attempt(() => cache.delete(key)));
      }
    }
    expect(cache.stats().tiers.l3?.circuit).toBe('closed');
    expect(outcomes.filter((outcome) => !(outcome instanceof InvalidKeyError))).toEqual([]);
    // A usable key still reaches L3 through the closed breaker.
    const misses = cache.stats().tiers.l3?.misses ?? 0;
    expect(await cache.get('row:ok', { tiers: ['l3'] })).toBeUndefined();
    expect(cache.stats().tiers.l3?.misses).toBe(misses + 1);
  });
});
