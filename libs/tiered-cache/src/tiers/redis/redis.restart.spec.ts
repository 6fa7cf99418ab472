import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from '../../../../../test/support/eventually.js';
import { RedisProcess } from '../../../../../test/support/redis-process.js';
import { TieredCache } from '../../core/tiered-cache.js';
import { makeEntry } from '../testing/tier-conformance.js';
import { tagsAreValid } from '../tier.js';
import { RedisTier } from './redis.tier.js';

/** What the engine would serve from this tier. */
async function served(tier: RedisTier, key: string): Promise<unknown> {
  const { entry, tagStamps } = await tier.get(key);
  return entry !== undefined && tagsAreValid(entry, tagStamps) ? entry.value : undefined;
}

/** Resolves once the tier answers again after its server came back. */
async function reconnected(tier: RedisTier): Promise<void> {
  await eventually(
    () => tier.now().then(() => true, () => false),
    (up) => up,
  );
}

// Redis keeps entries but forgets recent stamps: a restart from an older snapshot, or a restart
// with nothing at all while a write is still on its way. A private server, so it can be killed.
describe('RedisTier when Redis restarts', () => {
  let dir: string;
  let server: RedisProcess;
  let raw: Redis;
  const tiers: RedisTier[] = [];
  const caches: TieredCache[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redis-restart-'));
    server = await RedisProcess.start({ dir, dbfilename: 'dump.rdb' });
    raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
    raw.on('error', () => undefined);
  });
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
    await Promise.all(tiers.splice(0).map((tier) => tier.close()));
  });
  afterAll(async () => {
    raw.disconnect();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function tierOn(prefix: string): Promise<RedisTier> {
    const tier = new RedisTier({ url: server.url, keyPrefix: prefix, commandTimeoutMs: 1_000 });
    tiers.push(tier);
    await tier.ready();
    return tier;
  }

  it('does not serve an entry invalidated after the snapshot it was restored from', async () => {
    const tier = await tierOn('snap:');
    const { entry, payload } = makeEntry('before', { createdAt: await tier.now(), tags: ['snap-tag'] });
    await tier.set('e', entry, payload);
    expect(await served(tier, 'e')).toBe('before');
    await raw.save();
    await tier.invalidateTags(['snap-tag']);
    expect(await served(tier, 'e')).toBeUndefined();

    await server.restart();
    await reconnected(tier);
    // The snapshot holds the entry, and the tag hash from before the invalidation.
    expect(await raw.hget('snap:e:default:e', 'p')).not.toBeNull();
    expect(await served(tier, 'e')).toBeUndefined();
    const fresh = makeEntry('after', { createdAt: await tier.now(), tags: ['snap-tag'] });
    await tier.set('e', fresh.entry, fresh.payload);
    expect(await served(tier, 'e')).toBe('after');
  });

  it('does not let a Redis-only cache serve it either', async () => {
    const cache = new TieredCache({ redis: { url: server.url, keyPrefix: 'snapcache:', commandTimeoutMs: 1_000 }, memory: false });
    caches.push(cache);
    expect(await cache.ready()).toBe(true);
    await cache.set('e', 'before', { tags: ['snap-tag'] });
    expect(await cache.get('e')).toBe('before');
    await raw.save();
    await cache.invalidateTags(['snap-tag']);
    expect(await cache.get('e')).toBeUndefined();

    await server.restart();
    // L2 is back (reads and writes through it) before the old entry is asked for.
    let probe = 0;
    await eventually(
      async () => {
        probe++;
        await cache.set('probe', probe);
        return (await cache.get('probe')) === probe;
      },
      (ok) => ok,
    );
    expect(await raw.hget('snapcache:e:default:e', 'p')).not.toBeNull();
    expect(await cache.get('e')).toBeUndefined();
  });

  it('refuses a write stamped before a restart that lost everything', async () => {
    const tier = await tierOn('empty:');
    const stampedBefore = await tier.now();
    await rm(join(dir, 'dump.rdb'), { force: true });
    await server.restart();
    await reconnected(tier);
    expect(await raw.dbsize()).toBeLessThanOrEqual(1);

    const late = makeEntry('late', { createdAt: stampedBefore });
    await tier.set('late', late.entry, late.payload);
    expect(await served(tier, 'late')).toBeUndefined();
    const fresh = makeEntry('fresh', { createdAt: await tier.now() });
    await tier.set('fresh', fresh.entry, fresh.payload);
    expect(await served(tier, 'fresh')).toBe('fresh');
  });
});
