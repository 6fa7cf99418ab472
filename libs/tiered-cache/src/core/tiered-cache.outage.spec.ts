import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { until } from '../../../../test/support/eventually.js';
import { TcpProxy } from '../../../../test/support/tcp-proxy.js';
import type { TieredCacheOptions } from './options.js';
import type { TieredCache } from './tiered-cache.js';

/**
 * Changes made by an instance that cannot reach Redis (cut or hung in front of it by a TCP proxy),
 * with other instances that still can, on real Redis and PostgreSQL (docs/consistency.md, per fault).
 */
const SWEEP_BOUND_MS = 3_000;

describe('TieredCache when Redis is unreachable to one instance', () => {
  let fx: CacheFixture;
  let proxy: TcpProxy;
  beforeAll(async () => {
    fx = await createCacheFixture('outage');
    proxy = await TcpProxy.start({ port: Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379) });
  });
  afterEach(() => proxy.pass());
  afterAll(async () => {
    await proxy.close();
    await fx.dispose();
  });

  /** Shifts PostgreSQL's cache clock, for this test schema only, by `micros`. */
  const skewPostgresClock = (micros: number) =>
    fx.db.pool.query(`CREATE OR REPLACE FUNCTION "${fx.db.schema}".cache_clock_micros() RETURNS bigint
      LANGUAGE sql VOLATILE AS $fn$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + (${micros}) $fn$`);

  /** An instance whose Redis traffic goes through the proxy; fast breaker and heartbeat. */
  const behindProxy = (options: TieredCacheOptions = {}): Promise<TieredCache> =>
    fx.create({
      redis: { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: fx.redis.prefix },
      bus: { heartbeatMs: 200 },
      breaker: { failureThreshold: 2, openFor: '200ms' },
      ...options,
    });

  it('an invalidation made while cut off reaches Redis through the other instances, even if its maker restarts', async () => {
    const a = await behindProxy();
    const b = await fx.create();
    await b.set('o8:k', 'old', { tags: ['o8'] });
    proxy.cut({ refuse: true });
    await a.invalidateTags(['o8']);
    await a.close(); // what it could not send lived in its memory only
    await until(async () => (await b.get('o8:k', { tiers: ['l2'] })) === undefined, SWEEP_BOUND_MS);
    // B's L1 hears of it on the bus from whichever instance swept it, just after Redis.
    await until(async () => (await b.get('o8:k')) === undefined, SWEEP_BOUND_MS);
  });

  it('a delete and a set made while cut off reach Redis through the other instances, even if their maker restarts', async () => {
    const a = await behindProxy();
    const b = await fx.create();
    await b.set('o8d:deleted', 'old');
    await b.set('o8d:replaced', 'v1');
    proxy.cut({ refuse: true });
    await a.delete('o8d:deleted');
    await a.set('o8d:replaced', 'v2');
    await a.close();
    await until(async () => (await b.get('o8d:deleted', { tiers: ['l2'] })) === undefined, SWEEP_BOUND_MS);
    await until(async () => (await b.get('o8d:replaced', { tiers: ['l2'] })) !== 'v1', SWEEP_BOUND_MS);
    // B's L1 hears of them on the bus from whichever instance swept them, just after Redis.
    await until(async () => (await b.get('o8d:deleted')) === undefined, SWEEP_BOUND_MS);
    await until(async () => (await b.get('o8d:replaced')) === 'v2', SWEEP_BOUND_MS);
  });

  it('an invalidation made while cut off covers L3 entries stamped by a Redis clock ahead of PostgreSQL', async () => {
    await skewPostgresClock(-2_000_000); // PostgreSQL's clock 2 s behind Redis's
    try {
      const a = await behindProxy();
      const b = await fx.create();
      const reader = await fx.create({ memory: false, redis: undefined });
      await b.set('o9:k', 'old', { tags: ['o9'] });
      proxy.cut({ refuse: true });
      await a.invalidateTags(['o9']);
      expect(await reader.get('o9:k', { tiers: ['l3'] })).toBeUndefined();
      proxy.pass();
      // After recovery neither tier serves it either.
      await until(async () => (await b.get('o9:k', { tiers: ['l2'] })) === undefined, SWEEP_BOUND_MS);
      expect(await reader.get('o9:k', { tiers: ['l3'] })).toBeUndefined();
    } finally {
      await skewPostgresClock(0);
    }
  });

  it('a set made while cut off lands in L3, and the old L2 value is gone once Redis is back', async () => {
    const a = await behindProxy();
    const b = await fx.create();
    const reader = await fx.create({ memory: false, redis: undefined });
    await b.set('o12:k', 'v1');
    proxy.cut({ refuse: true });
    await a.set('o12:k', 'v2');
    expect(await reader.get('o12:k')).toBe('v2');
    proxy.pass();
    await until(async () => (await b.get('o12:k', { tiers: ['l2'] })) !== 'v1', SWEEP_BOUND_MS);
  });

  it('a set made while cut off never outlives a later set, even with PostgreSQL\'s clock ahead of Redis\'s', async () => {
    await skewPostgresClock(+2_000_000);
    try {
      const a = await behindProxy();
      const b = await fx.create();
      const reader = await fx.create({ memory: false });
      await b.set('o12s:k', 'v0');
      proxy.cut({ refuse: true });
      await a.set('o12s:k', 'v1'); // L3 only; Redis's v0 is queued for deletion
      await b.set('o12s:k', 'v2'); // later, stamped by Redis
      // The sweep removes the key from L2 (the delete a's set queued); L3 must hold the later set.
      await until(async () => (await b.get('o12s:k', { tiers: ['l2'] })) === undefined, SWEEP_BOUND_MS);
      expect(await reader.get('o12s:k')).toBe('v2');
    } finally {
      await skewPostgresClock(0);
    }
  });

  it('a load stamped while Redis failed is covered by a later invalidation, even with PostgreSQL\'s clock ahead', async () => {
    await skewPostgresClock(+2_000_000);
    try {
      const a = await fx.create({ breaker: { failureThreshold: 1, openFor: '100ms' } });
      // L2's calls fail while its bus stays up (a slow or overloaded Redis), so no L1 reset follows.
      const l2 = a.tiers().find((entry) => entry.name === 'l2')!.tier as unknown as Record<'get' | 'now' | 'tagStamps', () => Promise<never>>;
      const originals = { get: l2.get, now: l2.now, tagStamps: l2.tagStamps };
      for (const call of ['get', 'now', 'tagStamps'] as const) l2[call] = () => Promise.reject(new Error('Command timed out'));
      expect(await a.getOrSet('o9s:k', async () => 'old', { tags: ['o9s'] })).toBe('old'); // stamped by a stand-in clock
      Object.assign(l2, originals);
      await until(async () => {
        await a.get('o9s:probe');
        return a.stats().tiers.l2!.circuit === 'closed';
      }, SWEEP_BOUND_MS);
      expect(await a.get('o9s:k', { tiers: ['l1'] })).toBe('old');
      await a.invalidateTags(['o9s']); // stamped by Redis, whose clock is 2 s behind PostgreSQL's
      expect(await a.get('o9s:k')).toBeUndefined();
    } finally {
      await skewPostgresClock(0);
    }
  });

  it('while Redis hangs, an instance stops serving from L1 what another instance invalidated', async () => {
    const a = await behindProxy();
    const b = await fx.create();
    await b.set('o9h:k', 'old', { tags: ['o9h'] });
    expect(await a.get('o9h:k')).toBe('old'); // in a's L1
    proxy.hang(); // no socket closes: only the heartbeat can tell
    await b.invalidateTags(['o9h']);
    await until(async () => (await a.get('o9h:k')) === undefined, SWEEP_BOUND_MS);
  });
});
