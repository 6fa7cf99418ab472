import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { InvalidKeyError, InvalidOptionError, InvalidTagError, SerializationError } from './errors.js';

describe('TieredCache API', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('api');
  });
  afterAll(async () => fx.dispose());

  it('runs the loader on a miss and serves the next call from L1', async () => {
    const cache = await fx.create();
    const loader = countingLoader((n) => ({ n }));
    expect(await cache.getOrSet('api:basic', loader)).toEqual({ n: 1 });
    expect(await cache.getOrSet('api:basic', loader)).toEqual({ n: 1 });
    expect(loader.calls).toBe(1);
    const stats = cache.stats();
    expect(stats.tiers.l1?.hits).toBe(1);
    expect(stats.loaderCalls).toBe(1);
  });

  it('writes through to every tier, and only to the selected ones', async () => {
    const cache = await fx.create();
    await cache.set('api:all', 'everywhere');
    await cache.set('api:some', 'l1 and l3', { tiers: ['l1', 'l3'] });
    const [, l2, l3] = cache.tiers().map((t) => t.tier);
    expect((await l2!.get('api:all')).entry?.value).toBe('everywhere');
    expect((await l3!.get('api:all')).entry?.value).toBe('everywhere');
    expect((await l2!.get('api:some')).entry).toBeUndefined();
    expect((await l3!.get('api:some')).entry?.value).toBe('l1 and l3');
    expect(await cache.get('api:some')).toBe('l1 and l3');
  });

  it('deletes from every tier', async () => {
    const cache = await fx.create();
    await cache.set('api:del', 1);
    await cache.delete('api:del');
    expect(await cache.get('api:del')).toBeUndefined();
    for (const { tier } of cache.tiers()) expect((await tier.get('api:del')).entry).toBeUndefined();
  });

  it('accepts durations as milliseconds or strings and rejects nonsense with the option named', async () => {
    const cache = await fx.create();
    await cache.set('api:ttl', 'v', { ttl: '2m', grace: 1500 });
    const { entry } = await cache.tiers()[1]!.tier.get('api:ttl');
    expect(entry!.staleAt - Date.now()).toBeGreaterThan(110_000);
    expect(entry!.expiresAt - entry!.staleAt).toBe(1500);
    await expect(cache.set('api:ttl', 'v', { ttl: '5 fortnights' })).rejects.toThrow(InvalidOptionError);
    await expect(cache.set('api:ttl', 'v', { ttl: -1 })).rejects.toThrow(/'ttl'/);
  });

  it('round-trips Date, BigInt, Map, Set and Buffer through the remote tiers', async () => {
    const writer = await fx.create();
    const value = { at: new Date('2026-01-02T03:04:05Z'), big: 2n ** 70n, map: new Map([['k', 1]]), set: new Set([1, 2]), bytes: Buffer.from([1, 2, 3]) };
    await writer.set('api:types', value);
    const reader = await fx.create();
    const read = await reader.get<typeof value>('api:types');
    expect(read).toEqual(value);
    // Jest runs tests in a separate realm, so instanceof fails for deserialized built-ins; check the tag.
    expect(Object.prototype.toString.call(read!.map)).toBe('[object Map]');
    expect(Object.prototype.toString.call(read!.set)).toBe('[object Set]');
    expect(Buffer.isBuffer(read!.bytes)).toBe(true);
  });

  it('refuses an unserializable value with a typed error and writes nothing anywhere', async () => {
    const cache = await fx.create();
    await expect(cache.set('api:bad', { callback: () => 1 })).rejects.toThrow(SerializationError);
    await expect(cache.getOrSet('api:bad-load', async () => ({ s: Symbol('x') }))).rejects.toThrow(SerializationError);
    for (const { tier } of cache.tiers()) {
      expect((await tier.get('api:bad')).entry).toBeUndefined();
      expect((await tier.get('api:bad-load')).entry).toBeUndefined();
    }
  });

  it('accepts any string key, hashes long ones, and rejects non-keys', async () => {
    const cache = await fx.create();
    const long = `user:${'ü'.repeat(5_000)}`;
    await cache.set('ключ 🔑 *?[x]% _', 'unicode');
    await cache.set(long, 'long');
    expect(cache.storageKey(long)).toMatch(/^user:ü+#[0-9a-f]{64}$/);
    const other = await fx.create();
    expect(await other.get('ключ 🔑 *?[x]% _')).toBe('unicode');
    expect(await other.get(long)).toBe('long');
    expect(await other.get(`${long}!`)).toBeUndefined();
    await expect(cache.get('')).rejects.toThrow(InvalidKeyError);
    await expect(cache.set('k', 1, { tags: ['bad\ntag'] })).rejects.toThrow(InvalidTagError);
  });

  it('clears its namespace in every tier and leaves other namespaces', async () => {
    const mine = await fx.create({ namespace: 'mine' });
    const theirs = await fx.create({ namespace: 'theirs' });
    await mine.set('shared-key', 'mine');
    await theirs.set('shared-key', 'theirs');
    await mine.clear();
    expect(await (await fx.create({ namespace: 'mine' })).get('shared-key')).toBeUndefined();
    expect(await (await fx.create({ namespace: 'theirs' })).get('shared-key')).toBe('theirs');
  });
});

describe('TieredCache right after construction', () => {
  it('does not drop a write made before Redis has connected', async () => {
    const fx = await createCacheFixture('early');
    try {
      const { TieredCache } = await import('./tiered-cache.js');
      const { TEST_REDIS_URL } = await import('../../../../test/support/services.js');
      const cache = new TieredCache({ redis: { url: TEST_REDIS_URL, keyPrefix: fx.redis.prefix }, postgres: { pool: fx.db.pool, schema: fx.db.schema } });
      await cache.set('early:write', 'kept'); // no ready() first
      const [, l2, l3] = cache.tiers().map((t) => t.tier);
      expect((await l2!.get('early:write')).entry?.value).toBe('kept');
      expect((await l3!.get('early:write')).entry?.value).toBe('kept');
      await cache.close();
    } finally {
      await fx.dispose();
    }
  });
});
