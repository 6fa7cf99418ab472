import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { PolicySet } from './policy-set.js';

/** Policies in the engine, on real Redis and PostgreSQL. */
describe('TieredCache with runtime policies', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('policies_engine');
  });
  afterAll(async () => fx.dispose());

  const remoteEntry = async (cache: Awaited<ReturnType<CacheFixture['create']>>, tier: 'l2' | 'l3', key: string) =>
    (await cache.tiers().find((entry) => entry.name === tier)!.tier.get(cache.storageKey(key))).entry;

  it('a ttl policy replaces the lifetime the code asked for, in every tier', async () => {
    const cache = await fx.create({ namespace: 'pol_ttl' });
    cache.setPolicies(PolicySet.from([{ id: 'p', match: { prefix: 'short:' }, ttl: '2s', grace: '3s' }]));
    const before = Date.now();
    await cache.getOrSet('short:1', () => 'v', { ttl: '1h' });
    await cache.getOrSet('other:1', () => 'v', { ttl: '1h' });
    await cache.settled();
    for (const tier of ['l2', 'l3'] as const) {
      const entry = (await remoteEntry(cache, tier, 'short:1'))!;
      expect(entry.staleAt - before).toBeLessThan(60_000);
      expect(entry.expiresAt - entry.staleAt).toBe(3_000);
      expect((await remoteEntry(cache, tier, 'other:1'))!.staleAt - before).toBeGreaterThan(3_000_000);
    }
  });

  it('a disabled policy runs the loader on every call and stores nothing', async () => {
    const cache = await fx.create({ namespace: 'pol_off' });
    cache.setPolicies(PolicySet.from([{ id: 'p', match: { tag: 'volatile' }, disabled: true }]));
    const loader = countingLoader((n) => `v${n}`);
    const options = { tags: ['volatile'] };
    expect(await cache.getOrSet('k', loader, options)).toBe('v1');
    expect(await cache.getOrSet('k', loader, options)).toBe('v2');
    expect(cache.stats().loaderCalls).toBe(2);
    await cache.set('k', 'written', options);
    await cache.settled();
    expect(await remoteEntry(cache, 'l2', 'k')).toBeUndefined();
    expect(await remoteEntry(cache, 'l3', 'k')).toBeUndefined();

    cache.setPolicies(PolicySet.EMPTY);
    await cache.set('k', 'cached');
    cache.setPolicies(PolicySet.from([{ id: 'p', match: { prefix: 'k' }, disabled: true }]));
    expect(await cache.get('k')).toBeUndefined();
    cache.setPolicies(PolicySet.EMPTY);
    expect(await cache.get('k')).toBe('cached');
  });

  it('batch calls apply the policy of each key: disabled keys are loaded every time and stored nowhere, ttl keys get the policy lifetime', async () => {
    const cache = await fx.create({ namespace: 'pol_batch' });
    cache.setPolicies(PolicySet.from([
      { id: 'off', match: { prefix: 'off:' }, disabled: true },
      { id: 'short', match: { prefix: 'short:' }, ttl: '2s' },
    ]));
    const asked: string[][] = [];
    const load = (keys: string[]) => {
      asked.push([...keys]);
      return keys.map((key) => `v-${key}`);
    };
    const keys = ['plain:1', 'off:1', 'short:1'];
    const before = Date.now();
    expect(await cache.getOrSetMany(keys, load, { ttl: '1h' })).toEqual(['v-plain:1', 'v-off:1', 'v-short:1']);
    await cache.settled();
    expect(await cache.getOrSetMany(keys, load, { ttl: '1h' })).toEqual(['v-plain:1', 'v-off:1', 'v-short:1']);
    // The second batch loads only the disabled key again.
    expect(asked.flat().sort()).toEqual(['off:1', 'off:1', 'plain:1', 'short:1']);
    expect(asked[asked.length - 1]).toEqual(['off:1']);
    for (const tier of ['l2', 'l3'] as const) {
      expect(await remoteEntry(cache, tier, 'off:1')).toBeUndefined();
      expect((await remoteEntry(cache, tier, 'short:1'))!.staleAt - before).toBeLessThan(60_000);
      expect((await remoteEntry(cache, tier, 'plain:1'))!.staleAt - before).toBeGreaterThan(3_000_000);
    }
    expect(await cache.getMany(keys)).toEqual(['v-plain:1', undefined, 'v-short:1']);

    await cache.setMany([['plain:2', 'a'], ['off:2', 'b'], ['short:2', 'c']], { ttl: '1h' });
    await cache.settled();
    expect(await remoteEntry(cache, 'l2', 'off:2')).toBeUndefined();
    expect((await remoteEntry(cache, 'l2', 'short:2'))!.staleAt - before).toBeLessThan(60_000);
    expect((await remoteEntry(cache, 'l2', 'plain:2'))!.value).toBe('a');
  });

  it('a set under a disabled policy leaves no older value to come back when caching is on again', async () => {
    const cache = await fx.create({ namespace: 'pol_off_set' });
    await cache.set('k', 'old');
    cache.setPolicies(PolicySet.from([{ id: 'p', match: { prefix: 'k' }, disabled: true }]));
    await cache.set('k', 'new');
    cache.setPolicies(PolicySet.EMPTY);
    expect(await cache.get('k')).toBeUndefined();
    expect(await remoteEntry(cache, 'l2', 'k')).toBeUndefined();
    expect(await remoteEntry(cache, 'l3', 'k')).toBeUndefined();
  });

  it('a tag policy matches tags computed from the value when the value is written', async () => {
    const cache = await fx.create({ namespace: 'pol_value_tags' });
    cache.setPolicies(
      PolicySet.from([
        { id: 'short', match: { tag: 'item:1' }, ttl: '2s' },
        { id: 'off', match: { tag: 'item:2' }, disabled: true },
        { id: 'prefix', match: { prefix: 'pinned:' }, ttl: '1d' },
      ]),
    );
    const options = { ttl: '1h', tags: (value: { id: number }) => [`item:${value.id}`] };
    const before = Date.now();
    await cache.getOrSet('a', () => ({ id: 1 }), options);
    await cache.set('b', { id: 1 }, options);
    const loader = countingLoader(() => ({ id: 2 }));
    await cache.getOrSet('c', loader, options);
    await cache.getOrSet('c', loader, options);
    await cache.getOrSet('pinned:1', () => ({ id: 1 }), options);
    await cache.getOrSet('d', () => ({ id: 3 }), options);
    await cache.settled();
    for (const key of ['a', 'b']) expect((await remoteEntry(cache, 'l2', key))!.staleAt - before).toBeLessThan(60_000);
    expect(loader.calls).toBe(2);
    expect(await remoteEntry(cache, 'l2', 'c')).toBeUndefined();
    expect(await remoteEntry(cache, 'l3', 'c')).toBeUndefined();
    // A prefix policy matched first: the tag policy does not apply on top of it.
    expect((await remoteEntry(cache, 'l2', 'pinned:1'))!.staleAt - before).toBeGreaterThan(80_000_000);
    expect((await remoteEntry(cache, 'l2', 'd'))!.staleAt - before).toBeGreaterThan(3_000_000);
  });

  it('a tiers policy keeps the matched keys out of the other tiers', async () => {
    const cache = await fx.create({ namespace: 'pol_tiers' });
    cache.setPolicies(PolicySet.from([{ id: 'p', match: { prefix: 'local:' }, tiers: ['l1'] }]));
    const loader = countingLoader(() => 'v');
    await cache.getOrSet('local:1', loader);
    await cache.getOrSet('local:1', loader);
    await cache.settled();
    expect(loader.calls).toBe(1);
    expect(await remoteEntry(cache, 'l2', 'local:1')).toBeUndefined();
    expect(await remoteEntry(cache, 'l3', 'local:1')).toBeUndefined();
  });
});
