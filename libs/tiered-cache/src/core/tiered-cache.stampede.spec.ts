import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';

describe('TieredCache stampede protection', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('stampede');
  });
  afterAll(async () => fx.dispose());

  it('runs the loader once for 1,000 concurrent misses on a cold key', async () => {
    const cache = await fx.create();
    const loader = countingLoader(() => ({ payload: 'x' }), 50);
    const results = await Promise.all(Array.from({ length: 1_000 }, () => cache.getOrSet('st:cold', loader)));
    expect(loader.calls).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[999]).toEqual({ payload: 'x' });
    expect(cache.stats().coalescedCalls).toBe(999);
  });

  it('gives every waiter the loader error, and retries on the next call', async () => {
    const cache = await fx.create();
    const loader = countingLoader(() => 'ok', 20);
    loader.failing = true;
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => cache.getOrSet('st:fail', loader)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(loader.calls).toBe(1);
    loader.failing = false;
    expect(await cache.getOrSet('st:fail', loader)).toBe('ok');
  });
});
