import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { eventually, until } from '../../../../test/support/eventually.js';
import { TieredCache } from '../core/tiered-cache.js';
import type { CacheStats } from '../core/stats.js';
import { StatsHistory, totalReads } from './stats-history.js';

const stats = (hitRatio: number, tiers: CacheStats['tiers']) => ({ hitRatio, tiers }) as CacheStats;
const tier = (hits: number, misses: number, errors = 0) => ({ hits, misses, errors, writes: 0, writeErrors: 0, rejected: 0, hitRatio: 0, circuit: 'closed' as const });

describe('totalReads', () => {
  it('is hits over the overall ratio once something was hit', () => {
    // 7 reads: 3 hits in L1, 1 in L2, 3 misses
    expect(totalReads(stats(4 / 7, { l1: tier(3, 4), l2: tier(1, 3) }))).toBe(7);
  });

  it('is the busiest tier lookups before the first hit', () => {
    expect(totalReads(stats(0, { l1: tier(0, 5), l2: tier(0, 4, 1) }))).toBe(5);
    expect(totalReads(stats(0, {}))).toBe(0);
  });
});

describe('StatsHistory', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('stats_history');
  });
  afterAll(async () => fx.dispose());

  it('samples interval deltas: hit ratio per tier and overall, p99 of remote calls, invalidations per minute', async () => {
    const cache = await fx.create();
    let now = 1_000_000;
    const history = new StatsHistory(cache, { interval: '10s', retention: '1m' }, () => now);
    expect(history.capacity).toBe(6);
    await cache.getOrSet('warm-before-start', async () => 1);
    history.start(false);

    await cache.getOrSet('a', async () => 'A'); // miss everywhere, loader
    await cache.getOrSet('a', async () => 'A'); // L1 hit
    await cache.getOrSet('a', async () => 'A'); // L1 hit
    await cache.invalidateTags(['t1', 't2']);
    // A loader's result reaches L2 and L3 in the background; the sample must see both L3 writes.
    await until(() => cache.stats().tiers.l3!.writes >= 2);
    now += 10_000;
    const first = history.sample();
    expect(first).toMatchObject({ reads: 3, hits: 2, loaderCalls: 1, invalidations: 1, invalidatedTags: 2, invalidationsPerMinute: 6, durationMs: 10_000 });
    expect(first.hitRatio).toBeCloseTo(2 / 3);
    expect(first.tiers.l1).toMatchObject({ reads: 3, hits: 2, p99Ms: { get: null, set: null }, circuit: 'n/a' });
    expect(first.tiers.l2).toMatchObject({ reads: 1, hits: 0, hitRatio: 0, circuit: 'closed' });
    expect(first.tiers.l2!.p99Ms.get).toEqual(expect.any(Number));
    expect(first.tiers.l3!.p99Ms.set).toEqual(expect.any(Number));

    // Nothing happened: empty interval, no ratio, latencies reset.
    now += 10_000;
    const idle = history.sample();
    expect(idle).toMatchObject({ reads: 0, hits: 0, hitRatio: null, invalidations: 0, invalidationsPerMinute: 0 });
    expect(idle.tiers.l2).toMatchObject({ reads: 0, hitRatio: null, p99Ms: { get: null, set: null } });

    for (let i = 0; i < 6; i++) {
      now += 10_000;
      history.sample();
    }
    const series = history.snapshot();
    expect(series.samples).toHaveLength(6);
    expect(series.samples[0]!.at).toBe(new Date(1_000_000 + 30_000).toISOString());
    expect(series).toMatchObject({ enabled: true, intervalMs: 10_000, retentionMs: 60_000, startedAt: new Date(1_000_000).toISOString() });
    history.stop();
  });

  it('counts invalidations received over the bus', async () => {
    const here = await fx.create();
    const there = await fx.create();
    const history = new StatsHistory(here, { interval: 50 });
    history.start(false);
    await there.invalidateTags(['remote-tag']);
    const seen = await eventually(() => history.sample().invalidations, (n) => n > 0, 2_000, 20);
    expect(seen).toBe(1);
    history.stop();
  });

  it('samples on its own timer and stops observing when stopped', async () => {
    const cache = new TieredCache({ namespace: 'history_timer' });
    const history = new StatsHistory(cache, { interval: 20, retention: 1_000 });
    history.start();
    await new Promise((resolve) => setTimeout(resolve, 130));
    history.stop();
    const count = history.snapshot().samples.length;
    expect(count).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(history.snapshot().samples).toHaveLength(count);
    expect(history.running).toBe(false);
    await cache.close();
  });

  it('rejects an interval below 10 ms or a retention shorter than one interval', () => {
    const cache = new TieredCache({ namespace: 'history_bad' });
    expect(() => new StatsHistory(cache, { interval: 5 })).toThrow(/at least 10 ms/);
    expect(() => new StatsHistory(cache, { interval: '1m', retention: '10s' })).toThrow(/at least one interval/);
    expect(() => new StatsHistory(cache, { interval: 'soon' })).toThrow(/history.interval/);
  });
});
