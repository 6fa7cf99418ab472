import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { until } from '../../../../test/support/eventually.js';
import { freePort } from '../../../../test/support/redis-process.js';
import { LoaderTimeoutError } from './errors.js';

describe('TieredCache soft/hard timeouts, refresh-ahead and the distributed lock', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('timeouts');
  });
  afterAll(async () => fx.dispose());

  it('past the soft timeout returns the stale value and lets the loader refresh the entry in the background', async () => {
    const cache = await fx.create();
    // The loader is far slower than the soft timeout, so "did not wait" holds with room on a busy machine.
    const loader = countingLoader((n) => `v${n}`, 1_500);
    const options = { ttl: 1_000, grace: '10s', softTimeout: 50 };
    await cache.getOrSet('to:soft', loader, options);
    await sleep(1_050);
    const started = Date.now();
    expect(await cache.getOrSet('to:soft', loader, options)).toBe('v1');
    expect(Date.now() - started).toBeLessThan(1_000); // did not wait for the slow loader
    expect(cache.stats().staleServed).toBe(1);
    await until(async () => (await cache.get('to:soft')) === 'v2', 5_000);
    expect(loader.calls).toBe(2);
  });

  it('ignores the soft timeout when nothing stale exists', async () => {
    const cache = await fx.create();
    const loader = countingLoader(() => 'slow but only', 150);
    expect(await cache.getOrSet('to:soft-none', loader, { softTimeout: 10 })).toBe('slow but only');
  });

  it('past the hard timeout throws a typed error, and the finished load still fills the cache', async () => {
    const cache = await fx.create();
    const loader = countingLoader(() => 'eventually', 300);
    const attempt = cache.getOrSet('to:hard', loader, { hardTimeout: 50 });
    await expect(attempt).rejects.toThrow(LoaderTimeoutError);
    await expect(attempt).rejects.toThrow(/50 ms/);
    await sleep(350);
    expect(await cache.get('to:hard')).toBe('eventually');
  });

  it('refreshes a hot key in the background once past the refresh-ahead point', async () => {
    const cache = await fx.create();
    const loader = countingLoader((n) => `r${n}`, 50);
    const options = { ttl: 600, refreshAhead: 0.5 };
    await cache.getOrSet('to:ahead', loader, options);
    expect(await cache.getOrSet('to:ahead', loader, options)).toBe('r1'); // before the point: nothing
    expect(loader.calls).toBe(1);
    await sleep(350);
    const reads = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('to:ahead', loader, options)));
    expect(reads.every((value) => value === 'r1')).toBe(true); // served at once, not after the load
    await sleep(100);
    expect(loader.calls).toBe(2);
    expect(await cache.getOrSet('to:ahead', loader, options)).toBe('r2');
    expect(cache.stats().refreshes).toBe(1);
  });

  it('with the distributed lock, two instances missing one key run the loader once', async () => {
    const a = await fx.create();
    const b = await fx.create();
    const loader = countingLoader(() => 'shared', 200);
    const [fromA, fromB] = await Promise.all([
      a.getOrSet('to:lock', loader, { lock: true }),
      b.getOrSet('to:lock', loader, { lock: true }),
    ]);
    expect([fromA, fromB]).toEqual(['shared', 'shared']);
    expect(loader.calls).toBe(1);
    expect(a.stats().lockWaits + b.stats().lockWaits).toBe(1);

    const unlocked = countingLoader(() => 'twice', 200);
    await Promise.all([a.getOrSet('to:nolock', unlocked), b.getOrSet('to:nolock', unlocked)]);
    expect(unlocked.calls).toBe(2); // the control: without the lock each instance loads
  });

  it('falls back to the local single-flight when Redis is down', async () => {
    const port = await freePort();
    const cache = await fx.create({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: fx.redis.prefix } });
    const loader = countingLoader(() => 'local', 20);
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.getOrSet('to:lock-down', loader, { lock: true })));
    expect(new Set(results)).toEqual(new Set(['local']));
    expect(loader.calls).toBe(1);
  });
});
