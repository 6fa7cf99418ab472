import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { until } from '../../../../test/support/eventually.js';
import { createTestSchema, uniqueName, type TestSchema } from '../../../../test/support/isolation.js';
import { MemcachedProcess } from '../../../../test/support/memcached-process.js';
import { TEST_REDIS_URL } from '../../../../test/support/services.js';
import { InvalidOptionError } from './errors.js';
import type { TieredCacheOptions } from './options.js';
import { TieredCache } from './tiered-cache.js';

describe('TieredCache with a Memcached L2 (two shards, PostgreSQL L3)', () => {
  let shards: MemcachedProcess[];
  let db: TestSchema;
  let keyPrefix: string;
  const caches: TieredCache[] = [];

  beforeAll(async () => {
    shards = [await MemcachedProcess.start(), await MemcachedProcess.start()];
    db = await createTestSchema('mc_engine');
    keyPrefix = `${uniqueName('mc_engine')}:`;
  });
  afterAll(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
    await db.drop();
    for (const shard of shards) await shard.stop();
  });

  async function create(options: TieredCacheOptions = {}): Promise<TieredCache> {
    const cache = new TieredCache({
      memcached: { servers: shards.map((shard) => shard.address), keyPrefix, commandTimeoutMs: 200 },
      postgres: { pool: db.pool, schema: db.schema },
      // A shard down opens the breaker fast, and it probes again soon after.
      breaker: { failureThreshold: 2, openFor: 200 },
      ...options,
    });
    caches.push(cache);
    await cache.ready(2_000);
    return cache;
  }

  it('refuses redis and memcached together, and memcached without postgres, naming the option', () => {
    const memcached = { servers: ['127.0.0.1:1'] };
    expect(() => new TieredCache({ memcached, redis: { url: TEST_REDIS_URL } })).toThrow(InvalidOptionError);
    expect(() => new TieredCache({ memcached, redis: { url: TEST_REDIS_URL } })).toThrow("Invalid option 'memcached': cannot be combined with redis");
    expect(() => new TieredCache({ memcached })).toThrow("Invalid option 'memcached': needs postgres");
    expect(() => new TieredCache({ memcached: { servers: ['nope'] }, postgres: { pool: db.pool, schema: db.schema } })).toThrow(
      "Invalid option 'memcached.servers': 'nope' is not host:port",
    );
  });

  it('serves an L2 hit from Memcached', async () => {
    const a = await create();
    await a.set('mc:hit', { n: 1 });
    expect(await a.get('mc:hit', { tiers: ['l2'] })).toEqual({ n: 1 });
    expect(a.stats().tiers.l2?.hits).toBe(1);
  });

  it('a tag invalidated on one instance is seen by the other in every tier, its L1 through the PostgreSQL bus', async () => {
    const a = await create();
    const b = await create();
    expect(a.stats().bus).toBe('connected');
    await a.set('mc:tagged', 'old', { tags: ['mc'] });
    expect(await b.get('mc:tagged')).toBe('old'); // in b's L1 now
    await a.invalidateTags(['mc']);
    expect(await b.get('mc:tagged', { tiers: ['l2'] })).toBeUndefined();
    expect(await b.get('mc:tagged', { tiers: ['l3'] })).toBeUndefined();
    await until(async () => (await b.get('mc:tagged', { tiers: ['l1'] })) === undefined, 5_000);
  });

  it('a delete and a clear on one instance reach the other, in L2 and in its L1', async () => {
    const a = await create();
    const b = await create();
    await a.set('mc:del', 1);
    await a.set('mc:clr', 2);
    expect(await b.get('mc:del')).toBe(1);
    expect(await b.get('mc:clr')).toBe(2);
    await a.delete('mc:del');
    expect(await b.get('mc:del', { tiers: ['l2'] })).toBeUndefined();
    await until(async () => (await b.get('mc:del', { tiers: ['l1'] })) === undefined, 5_000);
    await a.clear();
    expect(await b.get('mc:clr', { tiers: ['l2'] })).toBeUndefined();
    await until(async () => (await b.get('mc:clr', { tiers: ['l1'] })) === undefined, 5_000);
  });

  it('a miss on two instances at once loads once: the lock is on Memcached', async () => {
    const a = await create();
    const b = await create();
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return 'loaded';
    };
    const options = { lock: { wait: '5s' } } as const;
    const values = await Promise.all([a.getOrSet('mc:locked', loader, options), b.getOrSet('mc:locked', loader, options)]);
    expect(values).toEqual(['loaded', 'loaded']);
    expect(calls).toBe(1);
    expect(a.stats().lockWaits + b.stats().lockWaits).toBe(1);
  });

  for (const fault of ['killed', 'paused'] as const) {
    it(`a shard ${fault} under load: no call fails, its keys are reloaded, and nothing stale comes back from it`, async () => {
      // No L1, so that every read goes through the shards.
      const cache = await create({ memory: false, namespace: `fault_${fault}` });
      const keys = Array.from({ length: 40 }, (_, index) => `mc:load:${index}`);
      let version = 1;
      let failures = 0;
      let stale = 0;
      let reads = 0;
      let staleFrom = Number.POSITIVE_INFINITY;
      const loader = () => Promise.resolve(version);
      for (const key of keys) await cache.getOrSet(key, loader);
      let running = true;
      const load = async (worker: number) => {
        for (let index = worker; running; index += 4) {
          const key = keys[index % keys.length]!;
          const startedAt = performance.now();
          try {
            const value = index % 5 === 0 ? (await cache.set(key, version), version) : await cache.getOrSet(key, loader, { lock: { wait: '1s' } });
            reads++;
            // A read that began after the source moved to 2 and the keys were deleted must see 2.
            if (startedAt > staleFrom && value !== version) stale++;
          } catch {
            failures++;
          }
        }
      };
      const workers = [0, 1, 2, 3].map(load);
      const victim = shards[0]!;
      try {
      await until(() => reads > 100, 10_000);
      if (fault === 'killed') await victim.stop();
      else victim.pause();
      // While the shard is away, the source changes and every key is deleted.
      await until(() => cache.stats().tiers.l2?.circuit === 'open', 10_000);
      version = 2;
      for (const key of keys) await cache.delete(key);
      staleFrom = performance.now();
      const readsDuringOutage = reads;
      await until(() => reads > readsDuringOutage + 100, 10_000);
      if (fault === 'killed') await victim.start();
      else victim.resume();
      await until(() => cache.stats().tiers.l2?.circuit === 'closed', 10_000);
      const readsAfter = reads;
      await until(() => reads > readsAfter + 200, 10_000);
      } finally {
        running = false;
        await Promise.all(workers);
        if (fault === 'paused') victim.resume();
        else await victim.start().catch(() => undefined);
      }
      for (const key of keys) expect(await cache.get(key, { tiers: ['l2'] })).not.toBe(1);
      for (const key of keys) expect(await cache.getOrSet(key, loader)).toBe(2);
      expect({ failures, stale }).toEqual({ failures: 0, stale: 0 });
    }, 60_000);
  }
});
