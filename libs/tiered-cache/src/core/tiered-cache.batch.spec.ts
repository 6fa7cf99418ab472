import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { BatchLoaderError } from './errors.js';
import type { TieredCache } from './tiered-cache.js';

/** A batch loader that records the keys of each call, optionally held until released. */
function batchLoader(value: (key: string) => string = (key) => `v:${key}`) {
  const calls: string[][] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const loader = async (keys: string[]) => {
    calls.push(keys);
    if (gate) await gate;
    return keys.map(value);
  };
  return {
    loader,
    calls,
    hold() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      open?.();
      gate = undefined;
    },
  };
}

/** Counts the remote tier reads of a cache, per tier and method: `l2` for a batch read, `l2.get` per single read. */
function countReads(cache: TieredCache): Record<string, number> {
  const reads: Record<string, number> = {};
  const count = (name: string) => (reads[name] = (reads[name] ?? 0) + 1);
  for (const { name, tier } of cache.tiers().filter((entry) => entry.name !== 'l1')) {
    const get = tier.get.bind(tier);
    tier.get = (key) => {
      count(`${name}.get`);
      return get(key);
    };
    const getMany = tier.getMany!.bind(tier);
    tier.getMany = (keys) => {
      count(name);
      return getMany(keys);
    };
  }
  return reads;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('TieredCache batch reads and writes', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('batch');
  });
  afterAll(async () => fx.dispose());

  it('getMany answers from every tier with one round trip per tier, in order, duplicates once', async () => {
    const writer = await fx.create();
    await writer.setMany([['gm:l2', 'two']]);
    await writer.setMany([['gm:l3', 'three']], { tiers: ['l3'] });
    const reader = await fx.create();
    await reader.set('gm:l1', 'one', { tiers: ['l1'] });
    const reads = countReads(reader);
    expect(await reader.getMany(['gm:l3', 'gm:l1', 'gm:missing', 'gm:l2', 'gm:l3'])).toEqual(['three', 'one', undefined, 'two', 'three']);
    expect(reads).toEqual({ l2: 1, l3: 1 });
    // The L3 hit was copied up: another cold instance finds it in Redis.
    await reader.settled();
    expect(await (await fx.create()).get('gm:l3', { tiers: ['l2'] })).toBe('three');
  });

  it('getOrSetMany loads only the keys that missed, in one loader call, and backfills them', async () => {
    const cache = await fx.create();
    const batch = batchLoader();
    expect(await cache.getOrSetMany(['gs:1', 'gs:2', 'gs:3'], batch.loader)).toEqual(['v:gs:1', 'v:gs:2', 'v:gs:3']);
    expect(await cache.getOrSetMany(['gs:2', 'gs:3', 'gs:4', 'gs:4'], batch.loader)).toEqual(['v:gs:2', 'v:gs:3', 'v:gs:4', 'v:gs:4']);
    expect(batch.calls).toEqual([['gs:1', 'gs:2', 'gs:3'], ['gs:4']]);
    await cache.settled();
    const cold = await fx.create();
    const reads = countReads(cold);
    expect(await cold.getOrSetMany(['gs:1', 'gs:4'], batch.loader)).toEqual(['v:gs:1', 'v:gs:4']);
    expect(batch.calls).toHaveLength(2);
    expect(reads).toEqual({ l2: 1 });
  });

  it('keeps the TTL of the call and accepts a map from the loader', async () => {
    const cache = await fx.create();
    await cache.getOrSetMany(['ttl:a', 'ttl:b'], async (keys) => new Map(keys.map((key) => [key, key.toUpperCase()])), { ttl: 200 });
    expect(await cache.getMany(['ttl:a', 'ttl:b'])).toEqual(['TTL:A', 'TTL:B']);
    const deadline = Date.now() + 5_000;
    while ((await cache.getMany(['ttl:a', 'ttl:b'])).some((value) => value !== undefined)) {
      if (Date.now() > deadline) throw new Error('entries outlived their TTL');
      await sleep(50);
    }
  });

  it('does not serve entries whose tag was invalidated, and reloads them', async () => {
    const cache = await fx.create();
    const other = await fx.create();
    let version = 1;
    const batch = batchLoader((key) => `${key}@${version}`);
    const tags = ['batch-product'];
    await cache.getOrSetMany(['tg:a', 'tg:b'], batch.loader, { tags });
    await cache.settled();
    expect(await other.getMany(['tg:a', 'tg:b'])).toEqual(['tg:a@1', 'tg:b@1']);
    version = 2;
    await cache.invalidateTags(tags);
    expect(await cache.getMany(['tg:a', 'tg:b'])).toEqual([undefined, undefined]);
    expect(await cache.getOrSetMany(['tg:a', 'tg:b'], batch.loader, { tags })).toEqual(['tg:a@2', 'tg:b@2']);
    // A fresh instance (empty L1 memo) does not take the old L3 rows either.
    expect(await (await fx.create()).getMany(['tg:a', 'tg:b'], { tiers: ['l3'] })).toEqual(['tg:a@2', 'tg:b@2']);
  });

  it('drops a batch result whose tag was invalidated while the loader ran (stamp read before the loader)', async () => {
    const cache = await fx.create();
    const batch = batchLoader();
    batch.hold();
    const loading = cache.getOrSetMany(['race:t1', 'race:t2'], batch.loader, { tags: ['race-tag'] });
    await until(() => batch.calls.length === 1);
    await cache.invalidateTags(['race-tag']);
    batch.release();
    expect(await loading).toEqual(['v:race:t1', 'v:race:t2']);
    await cache.settled();
    expect(await cache.getMany(['race:t1', 'race:t2'])).toEqual([undefined, undefined]);
    expect(await (await fx.create()).getMany(['race:t1', 'race:t2'])).toEqual([undefined, undefined]);
  });

  it('drops a batch result for a key deleted or set while the loader ran', async () => {
    const cache = await fx.create();
    const batch = batchLoader();
    batch.hold();
    const loading = cache.getOrSetMany(['race:d', 'race:s', 'race:kept'], batch.loader);
    await until(() => batch.calls.length === 1);
    await cache.delete('race:d');
    await cache.set('race:s', 'explicit');
    batch.release();
    await loading;
    await cache.settled();
    expect(await cache.getMany(['race:d', 'race:s', 'race:kept'])).toEqual([undefined, 'explicit', 'v:race:kept']);
    expect(await (await fx.create()).getMany(['race:d', 'race:s', 'race:kept'])).toEqual([undefined, 'explicit', 'v:race:kept']);
  });

  it('shares one load per key between a batch and single calls, both ways', async () => {
    const cache = await fx.create();
    const batch = batchLoader();
    batch.hold();
    const many = cache.getOrSetMany(['sf:1', 'sf:2'], batch.loader);
    let singleCalls = 0;
    const single = cache.getOrSet('sf:2', async () => {
      singleCalls++;
      return 'single';
    });
    await until(() => batch.calls.length === 1);
    batch.release();
    expect(await many).toEqual(['v:sf:1', 'v:sf:2']);
    expect(await single).toBe('v:sf:2');
    expect(singleCalls).toBe(0);

    let release!: () => void;
    const slowSingle = cache.getOrSet('sf:3', () => new Promise<string>((resolve) => (release = () => resolve('from single'))));
    const joined = cache.getOrSetMany(['sf:3', 'sf:4'], batch.loader);
    await until(() => batch.calls.length === 2);
    expect(batch.calls[1]).toEqual(['sf:4']);
    release();
    expect(await joined).toEqual(['from single', 'v:sf:4']);
    expect(await slowSingle).toBe('from single');
  });

  it('rejects with BatchLoaderError when the loader returns fewer values, and caches nothing of it', async () => {
    const cache = await fx.create();
    await expect(cache.getOrSetMany(['few:1', 'few:2', 'few:3'], async (keys) => keys.slice(1))).rejects.toThrow(BatchLoaderError);
    await expect(cache.getOrSetMany(['few:1', 'few:2'], async () => new Map([['few:1', 'x']]))).rejects.toThrow(/no value for key "few:2"/);
    await cache.settled();
    expect(await cache.getMany(['few:1', 'few:2', 'few:3'])).toEqual([undefined, undefined, undefined]);
    // Not stuck in a flight: the next call loads.
    expect(await cache.getOrSetMany(['few:1'], async (keys) => keys)).toEqual(['few:1']);
  });

  it('serves a stale entry within grace per key when the loader fails, and fails the others', async () => {
    const cache = await fx.create();
    await cache.set('fs:old', 'old', { ttl: 50, grace: '1m' });
    await sleep(80);
    await expect(
      cache.getOrSetMany(['fs:old'], async () => {
        throw new Error('source down');
      }),
    ).resolves.toEqual(['old']);
    await expect(
      cache.getOrSetMany(['fs:old', 'fs:none'], async () => {
        throw new Error('source down');
      }),
    ).rejects.toThrow('source down');
  });

  it('setMany and deleteMany reach every tier and the other instances, one write and one delete per tier', async () => {
    const a = await fx.create();
    const b = await fx.create();
    await b.getOrSetMany(['sm:1', 'sm:2'], async (keys) => keys.map(() => 'old'));
    const writes: string[] = [];
    for (const { name, tier } of a.tiers().filter((entry) => entry.name !== 'l1')) {
      const set = tier.set.bind(tier);
      tier.set = (key, entry, payload) => {
        writes.push(`${name}.set`);
        return set(key, entry, payload);
      };
      const setMany = tier.setMany!.bind(tier);
      tier.setMany = (items) => {
        writes.push(`${name}:${items.length}`);
        return setMany(items);
      };
    }
    await a.setMany([
      ['sm:1', 'new1'],
      ['sm:2', 'new2'],
      ['sm:1', 'last wins'],
    ]);
    const deadline = Date.now() + 5_000;
    while (JSON.stringify(await b.getMany(['sm:1', 'sm:2'])) !== JSON.stringify(['last wins', 'new2'])) {
      if (Date.now() > deadline) throw new Error('the other instance kept the old values');
      await sleep(10);
    }
    expect(writes.sort()).toEqual(['l2:2', 'l3:2']);
    expect(await (await fx.create()).getMany(['sm:1', 'sm:2'], { tiers: ['l3'] })).toEqual(['last wins', 'new2']);
    const deletes: number[] = [];
    for (const { tier } of a.tiers().filter((tier) => tier.name !== 'l1')) {
      const original = tier.delete.bind(tier);
      tier.delete = (keys, stamp) => {
        deletes.push(keys.length);
        return original(keys, stamp);
      };
    }
    await a.deleteMany(['sm:1', 'sm:2', 'sm:1']);
    expect(deletes).toEqual([2, 2]);
    expect(await a.getMany(['sm:1', 'sm:2'])).toEqual([undefined, undefined]);
    while ((await b.getMany(['sm:1', 'sm:2'])).some((value) => value !== undefined)) {
      if (Date.now() > deadline) throw new Error('the other instance kept deleted values');
      await sleep(10);
    }
  });

  it('setMany writes nothing when one value cannot be serialized', async () => {
    const cache = await fx.create();
    await expect(
      cache.setMany([
        ['ser:ok', 'fine'],
        ['ser:bad', () => 'a function'],
      ] as Array<[string, unknown]>),
    ).rejects.toThrow(/ser:bad/);
    expect(await cache.getMany(['ser:ok', 'ser:bad'])).toEqual([undefined, undefined]);
  });

  it('a read after a batch write or delete was called sees it (read-your-writes)', async () => {
    const cache = await fx.create();
    await cache.set('ryw:1', 'before');
    const writing = cache.setMany([['ryw:1', 'after']]);
    expect(await cache.getMany(['ryw:1'])).toEqual(['after']);
    await writing;
    const deleting = cache.deleteMany(['ryw:1']);
    expect(await cache.getOrSetMany(['ryw:1'], async () => ['reloaded'])).toEqual(['reloaded']);
    await deleting;
  });
});
