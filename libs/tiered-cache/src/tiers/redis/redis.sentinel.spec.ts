import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createTestSchema, type TestSchema } from '../../../../../test/support/isolation.js';
import { waitFor } from '../../../../../test/support/eventually.js';
import { RedisSentinelProcess, SENTINEL_MASTER_NAME } from '../../../../../test/support/redis-sentinel.process.js';
import { InvalidOptionError } from '../../core/errors.js';
import { TieredCache } from '../../core/tiered-cache.js';
import { describeTierConformance } from '../testing/tier-conformance.js';
import { describeRedisNodes } from './redis.nodes.js';
import { META } from './redis.scripts.js';
import { RedisTier } from './redis.tier.js';

describeTierConformance('RedisTier on Sentinel', async () => {
  const setup = await RedisSentinelProcess.start(2);
  const sentinel = { sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME };
  const tier = new RedisTier({ sentinel, keyPrefix: 'conf:', namespace: 'one' });
  const otherNamespace = new RedisTier({ sentinel, keyPrefix: 'conf:', namespace: 'two' });
  await Promise.all([tier.ready(), otherNamespace.ready()]);
  return {
    tier,
    otherNamespace,
    async dispose() {
      await tier.close();
      await otherNamespace.close();
      await setup.stop();
    },
  };
}, { fencesWrites: true });

describe('redis.sentinel options', () => {
  const sentinels = [{ host: '127.0.0.1', port: 26379 }];
  it.each([
    [{ sentinel: { sentinels, name: ' ' } }, 'redis.sentinel.name'],
    [{ sentinel: { sentinels: [], name: 'm' } }, 'redis.sentinel.sentinels'],
    [{ sentinel: { sentinels: [{ host: '127.0.0.1', port: 0 }], name: 'm' } }, 'redis.sentinel.sentinels[0].port'],
    [{ sentinel: { sentinels: [{ host: '', port: 1 }], name: 'm' } }, 'redis.sentinel.sentinels[0].host'],
    [{ sentinel: { sentinels, name: 'm' }, url: 'redis://127.0.0.1:6379' }, 'redis.sentinel'],
    [{ sentinel: { sentinels, name: 'm' }, tls: {} }, 'redis.tls'],
  ])('refuses %j naming %s, before connecting', (options, option) => {
    const build = () => new RedisTier(options);
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(`Invalid option '${option}'`);
  });
});

describe('TieredCache on Sentinel, failover under load', () => {
  let setup: RedisSentinelProcess;
  let db: TestSchema;
  const caches: TieredCache[] = [];
  beforeAll(async () => {
    setup = await RedisSentinelProcess.start(2);
    db = await createTestSchema('sentinel_failover');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await db?.drop();
    await setup?.stop();
  });

  async function instance(memory: boolean): Promise<TieredCache> {
    const cache = new TieredCache({
      redis: { sentinel: { sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME }, keyPrefix: 'sf:' },
      postgres: { pool: db.pool, schema: db.schema },
      ...(memory ? {} : { memory: false }),
      breaker: { failureThreshold: 3, openFor: 200 },
    });
    caches.push(cache);
    await cache.ready(5_000);
    return cache;
  }

  it('health reports the master and both replicas', async () => {
    const tier = new RedisTier({ sentinel: { sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME }, keyPrefix: 'health:' });
    try {
      await tier.ready();
      const nodes = await waitFor(() => describeRedisNodes(tier.client), (report) => report.replicas.filter((replica) => replica.state === 'online').length === 2);
      expect(nodes.value.role).toBe('master');
      expect(nodes.value.master).toBe(`127.0.0.1:${await setup.masterPort()}`);
    } finally {
      await tier.close();
    }
  });

  it.each(['SENTINEL FAILOVER', 'master killed'])('%s: 0 failed calls, 0 stale reads, both instances back on L2 within 10 s', async (how) => {
    const writer = await instance(true);
    // Without L1, every read of the reader goes to L2 (then L3): a stale one would come from there.
    const reader = await instance(false);
    const keys = Array.from({ length: 8 }, (_, index) => `${how === 'master killed' ? 'k' : 'f'}:${index}`);
    const written = new Map<string, number>();
    const failures: string[] = [];
    const stale: string[] = [];
    let running = true;
    let version = 0;
    const writes = (async () => {
      while (running) {
        const key = keys[version % keys.length]!;
        const value = ++version;
        try {
          await writer.set(key, value);
          written.set(key, value);
        } catch (error) {
          failures.push(`set ${key}: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const reads = [writer, reader].map(async (cache) => {
      let index = 0;
      while (running) {
        const key = keys[index++ % keys.length]!;
        const floor = written.get(key) ?? 0; // written before this read began: the read must see it
        try {
          const value = await cache.get<number>(key);
          if (floor > 0 && (value === undefined || value < floor)) stale.push(`${key}: read ${String(value)} after ${floor} was written`);
        } catch (error) {
          failures.push(`get ${key}: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    const before = await setup.masterPort();
    await waitFor(() => version, (count) => count > 50);
    if (how === 'master killed') await setup.kill(before);
    else await setup.failover();
    const after = await setup.waitForMaster((port) => port !== before);
    // The writer reads from its L1: L2 serves its writes; the reader's reads go to L2.
    const l2Hits = (cache: TieredCache) => (cache.stats().tiers.l2?.hits ?? 0) + (cache.stats().tiers.l2?.writes ?? 0);
    // Back on L2: the breaker closed and L2 serving again, within 10 s of the new master.
    const hitsAtSwitch = [writer, reader].map(l2Hits);
    const recovered = await waitFor(
      () => [writer, reader].map((cache, index) => cache.stats().tiers.l2?.circuit === 'closed' && l2Hits(cache) > hitsAtSwitch[index]! + 20),
      (states) => states.every(Boolean),
      10_000,
    );
    running = false;
    await Promise.all([writes, ...reads]);
    expect(failures).toEqual([]);
    expect(stale).toEqual([]);
    expect(recovered.ms).toBeLessThan(10_000);
    const nodes = await describeRedisNodes((writer.tiers().find((entry) => entry.name === 'l2')!.tier as RedisTier).client);
    expect(nodes.master).toBe(`127.0.0.1:${after}`);
    expect(nodes.role).toBe('master');
    // The promoted node was checked on first contact: a new floor, recorded with its own run_id,
    // so nothing it holds from before the failover is trusted above what it may have missed.
    const direct = new Redis({ host: '127.0.0.1', port: after, lazyConnect: true });
    await direct.connect();
    try {
      const runId = /run_id:(\w+)/.exec(await direct.info('server'))?.[1];
      expect(await direct.hget('sf:tags', META.run)).toBe(runId);
    } finally {
      direct.disconnect();
    }
  }, 90_000);
});

describe('TieredCache on Sentinel, failover to a replica that lagged behind', () => {
  let setup: RedisSentinelProcess;
  let db: TestSchema;
  const caches: TieredCache[] = [];
  beforeAll(async () => {
    // The second replica is never promoted, so the failover goes to the one held back below.
    setup = await RedisSentinelProcess.start(2, { unpromotable: [1] });
    db = await createTestSchema('sentinel_lag');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await db?.drop();
    await setup?.stop();
  });

  it('serves nothing the promoted replica missed: an invalidation, a delete and an overwrite made just before', async () => {
    const options = { redis: { sentinel: { sentinels: setup.sentinels, name: SENTINEL_MASTER_NAME }, keyPrefix: 'lag:' }, postgres: { pool: db.pool, schema: db.schema } };
    const writer = new TieredCache(options);
    const reader = new TieredCache({ ...options, memory: false });
    caches.push(writer, reader);
    await Promise.all([writer.ready(5_000), reader.ready(5_000)]);
    const [master, lagging] = setup.serverPorts;
    await writer.set('tagged', 'old', { tags: ['lag'] });
    await writer.set('deleted', 'old');
    await writer.set('overwritten', 'old');
    const direct = new Redis({ host: '127.0.0.1', port: master!, lazyConnect: true });
    await direct.connect();
    try {
      expect(await direct.wait(2, 2_000)).toBe(2); // both replicas hold the old entries
    } finally {
      direct.disconnect();
    }
    // The lagging replica misses what follows; held back well under down-after-milliseconds, so
    // that the sentinels still count it as a candidate.
    await setup.holdBack(lagging!);
    try {
      await writer.invalidateTags(['lag']);
      await writer.delete('deleted');
      await writer.set('overwritten', 'new');
      await setup.kill(master!);
    } finally {
      setup.resume(lagging!);
    }
    await setup.waitForMaster((port) => port === lagging);
    // What the promoted replica holds from before the failover: the old entries, the old stamps.
    const promoted = new Redis({ host: '127.0.0.1', port: lagging!, lazyConnect: true });
    await promoted.connect();
    try {
      // Still the entry, not the tombstone the delete wrote on the old master.
      expect(await promoted.hget('lag:e:default:deleted', 'p')).not.toBeNull();
    } finally {
      promoted.disconnect();
    }
    const l2 = (cache: TieredCache) => cache.stats().tiers.l2?.circuit === 'closed';
    await waitFor(() => [writer, reader].every(l2), (ok) => ok, 10_000);
    for (const cache of [reader, writer]) {
      expect(await cache.get('tagged')).toBeUndefined();
      expect(await cache.get('deleted')).toBeUndefined();
      expect(await cache.get('overwritten')).toBe('new');
      expect(await cache.get('tagged', { tiers: ['l2'] })).toBeUndefined();
      expect(await cache.get('deleted', { tiers: ['l2'] })).toBeUndefined();
      expect(await cache.get('overwritten', { tiers: ['l2'] })).not.toBe('old');
    }
  }, 90_000);
});
