import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { freePort } from '../../../../test/support/redis-process.js';
import { LatencyWindow, tierTimings, type TierTiming } from './tier-timing.js';

describe('LatencyWindow', () => {
  it('gives nearest-rank percentiles of the samples held', () => {
    const window = new LatencyWindow(100);
    for (let i = 100; i >= 1; i--) window.record(i);
    expect(window.percentiles(50, 99, 100)).toEqual([50, 99, 100]);
    expect(window.size).toBe(100);
  });

  it('keeps only the last `capacity` samples', () => {
    const window = new LatencyWindow(4);
    for (const value of [1000, 1000, 1, 2, 3, 4]) window.record(value);
    expect(window.size).toBe(4);
    expect(window.percentiles(100)).toEqual([4]);
  });

  it('has no percentile before the first sample', () => {
    expect(new LatencyWindow().percentiles(50, 99)).toEqual([undefined, undefined]);
  });
});

describe('tierTimings', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('timings');
  });
  afterAll(async () => fx.dispose());

  it('reports each remote tier call to every listener, and stops observing with the last one', async () => {
    const cache = await fx.create({ memory: false });
    const seen: TierTiming[] = [];
    const other: TierTiming[] = [];
    const unsubscribeSeen = tierTimings(cache).subscribe((timing) => seen.push(timing));
    const unsubscribeOther = tierTimings(cache).subscribe((timing) => other.push(timing));
    await cache.set('k', 1);
    await cache.get('k');
    const calls = seen.map(({ tier, operation, ok }) => `${tier} ${operation} ${ok}`);
    // The two writes run in parallel, so their order is not fixed.
    expect(calls.slice(0, 2).sort()).toEqual(['l2 set true', 'l3 set true']);
    expect(calls[2]).toBe('l2 get true');
    expect(seen[0]!.seconds).toBeGreaterThanOrEqual(0);
    unsubscribeOther();
    await cache.get('k');
    expect(other).toHaveLength(3);
    expect(seen).toHaveLength(4);
    unsubscribeSeen();
    await cache.get('k');
    expect(seen).toHaveLength(4);
  });

  it('reports failures as not ok', async () => {
    const cache = await fx.create({ memory: false, postgres: undefined, redis: { url: `redis://127.0.0.1:${await freePort()}` } });
    const seen: TierTiming[] = [];
    tierTimings(cache).subscribe((timing) => seen.push(timing));
    expect(await cache.get('k')).toBeUndefined();
    expect(seen).toEqual([expect.objectContaining({ tier: 'l2', operation: 'get', ok: false })]);
  });

  it('does not let a throwing listener break a cache call', async () => {
    const cache = await fx.create({ memory: false });
    tierTimings(cache).subscribe(() => {
      throw new Error('listener bug');
    });
    await cache.set('k2', 'v');
    await expect(cache.get('k2')).resolves.toBe('v');
  });
});
