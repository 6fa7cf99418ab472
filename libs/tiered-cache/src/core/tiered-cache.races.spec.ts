import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { until } from '../../../../test/support/eventually.js';
import type { TierName } from '../tiers/tier.js';
import type { TieredCache } from './tiered-cache.js';

/**
 * Races between a change (set, delete, invalidateTags, clear) and reads or loads that began before
 * it, on two instances sharing real Redis and PostgreSQL. Once the change has resolved, nothing that
 * came before may be served (docs/consistency.md).
 */

type TierCall = 'get' | 'set' | 'delete' | 'clear' | 'invalidateTags';

/**
 * Holds one call of one tier of `cache` for `ms`: a reply after the server answered (`get`), or
 * the command before it is sent (the others). Returns the function that ends the delay.
 */
function delay(cache: TieredCache, name: TierName, call: TierCall, ms: number): () => void {
  const tier = cache.tiers().find((entry) => entry.name === name)!.tier as unknown as Record<TierCall, (...args: unknown[]) => Promise<unknown>>;
  const original = tier[call].bind(tier);
  tier[call] = async (...args: unknown[]) => {
    if (call !== 'get') await sleep(ms);
    const result = await original(...args);
    if (call === 'get') await sleep(ms);
    return result;
  };
  return () => {
    tier[call] = original;
  };
}

/**
 * Runs `change` while a getOrSet of `key` (stale within grace) waits for a loader that then fails:
 * fail-safe would serve the stale entry. Returns once both have settled.
 */
async function changeWhileFailSafeLoads(cache: TieredCache, key: string, change: () => Promise<void>): Promise<void> {
  const options = { ttl: 50, grace: '1m' } as const;
  await cache.set(key, 'old', options);
  await sleep(80); // stale, within grace
  const started = deferred();
  const loading = cache.getOrSet(
    key,
    async () => {
      started.resolve();
      await sleep(100);
      throw new Error('source down');
    },
    options,
  );
  await started.promise;
  await change();
  await loading.catch(() => undefined);
}

/** Resolves once `signal` has been called; for loaders that report when they return. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const BUS_BOUND_MS = 2_000;

describe('TieredCache races between a change and the reads that began before it', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('races');
  });
  afterAll(async () => fx.dispose());

  it('a set on one instance reaches the other instance L1 (the bus carries sets)', async () => {
    const a = await fx.create();
    const b = await fx.create();
    await a.set('r1:k', 'v1');
    expect(await b.get('r1:k')).toBe('v1'); // now in b's L1
    await a.set('r1:k', 'v2');
    await until(async () => (await b.get('r1:k')) === 'v2', BUS_BOUND_MS);
  });

  it('a delete racing a read that copies the entry up from L3 leaves nothing behind (same instance)', async () => {
    const a = await fx.create();
    await a.set('r2:same', 'old', { tiers: ['l3'] });
    const restore = delay(a, 'l3', 'get', 150);
    const reading = a.get('r2:same');
    await sleep(30); // the read is waiting for L3's reply
    await a.delete('r2:same');
    await reading;
    restore();
    await sleep(50);
    expect(await a.get('r2:same')).toBeUndefined();
    expect(await a.get('r2:same', { tiers: ['l2'] })).toBeUndefined();
    expect(await a.get('r2:same', { tiers: ['l3'] })).toBeUndefined();
  });

  it('a delete on another instance racing a copy-up from L3 leaves nothing in L2', async () => {
    const a = await fx.create();
    const b = await fx.create();
    await a.set('r2:other', 'old', { tiers: ['l3'] });
    const restore = delay(a, 'l3', 'get', 150);
    const reading = a.get('r2:other');
    await sleep(30);
    await b.delete('r2:other');
    await reading;
    restore();
    await sleep(50);
    expect(await b.get('r2:other')).toBeUndefined();
    expect(await b.get('r2:other', { tiers: ['l2'] })).toBeUndefined();
  });

  it('a read during a clear on the same instance does not copy the old entry back into L1', async () => {
    const a = await fx.create({ namespace: 'races-clear-read' });
    await a.set('r2:clear', 'old');
    const restore = delay(a, 'l2', 'clear', 100); // the clear reaches L2 late
    const clearing = a.clear();
    await sleep(20);
    const during = a.get('r2:clear');
    await clearing;
    await during;
    restore();
    expect(await a.get('r2:clear')).toBeUndefined();
  });

  it('a read during a delete on the same instance does not copy the old entry back into L1', async () => {
    const a = await fx.create();
    await a.set('r2:del', 'old');
    const restore = delay(a, 'l2', 'delete', 100);
    const deleting = a.delete('r2:del');
    await sleep(20);
    const during = a.get('r2:del');
    await deleting;
    await during;
    restore();
    expect(await a.get('r2:del')).toBeUndefined();
  });

  it('a delete one macrotask after a tagged loader returned is never undone (40 trials)', async () => {
    const a = await fx.create();
    let served = 0;
    for (let trial = 0; trial < 40; trial++) {
      const key = `r3:${trial}`;
      const returned = deferred();
      const loading = a.getOrSet(
        key,
        async () => {
          setImmediate(returned.resolve);
          return 'loaded';
        },
        { tags: ['r3'] },
      );
      await returned.promise;
      await a.delete(key);
      await loading;
      await sleep(5);
      for (const tiers of [['l1'], ['l2'], ['l3']] as TierName[][]) if ((await a.get(key, { tiers })) !== undefined) served++;
    }
    expect(served).toBe(0);
  });

  it('fail-safe never brings back an entry deleted while its loader ran', async () => {
    const a = await fx.create();
    await changeWhileFailSafeLoads(a, 'r4:k', () => a.delete('r4:k'));
    expect(await a.get('r4:k')).toBeUndefined();
    expect(await a.getOrSet('r4:k', async () => 'new')).toBe('new');
  });

  it('fail-safe never brings back an entry cleared while its loader ran', async () => {
    const a = await fx.create({ namespace: 'races-clear' });
    await changeWhileFailSafeLoads(a, 'r4:c', () => a.clear());
    expect(await a.get('r4:c')).toBeUndefined();
  });

  it('a call that starts after invalidateTags resolved does not join a load that began before it', async () => {
    const a = await fx.create();
    const first = a.getOrSet(
      'r5:k',
      async () => {
        await sleep(150);
        return 'before';
      },
      { tags: ['r5'] },
    );
    await sleep(20);
    await a.invalidateTags(['r5']);
    expect(await a.getOrSet('r5:k', async () => 'after', { tags: ['r5'] })).toBe('after');
    await first;
  });

  it('a call that starts after invalidateTags resolved does not join a load that began while it was stamping', async () => {
    const a = await fx.create({ memory: false });
    await a.set('r5d:k', 'before', { tags: ['r5d'] });
    const restoreStamp = delay(a, 'l2', 'invalidateTags', 100);
    const restoreGet = delay(a, 'l2', 'get', 200);
    try {
      const invalidating = a.invalidateTags(['r5d']);
      await sleep(20);
      // Reads L2 before the stamp lands, and holds the old entry until well after the call resolved.
      const during = a.getOrSet('r5d:k', async () => 'during', { tags: ['r5d'] });
      await invalidating;
      expect(await a.getOrSet('r5d:k', async () => 'after', { tags: ['r5d'] })).toBe('after');
      await during;
    } finally {
      restoreStamp();
      restoreGet();
    }
  });

  it('the same holds when the invalidation comes from another instance through the bus', async () => {
    const a = await fx.create();
    const b = await fx.create();
    const first = a.getOrSet(
      'r5:bus',
      async () => {
        await sleep(400);
        return 'before';
      },
      { tags: ['r5bus'] },
    );
    await sleep(20);
    await b.invalidateTags(['r5bus']);
    await sleep(150); // the bus message has landed
    expect(await a.getOrSet('r5:bus', async () => 'after', { tags: ['r5bus'] })).toBe('after');
    await first;
  });

  it('a tagged set concurrent with an invalidation of its tag never leaves the older value (20 trials)', async () => {
    const a = await fx.create();
    let old = 0;
    for (let trial = 0; trial < 20; trial++) {
      const key = `r6:${trial}`;
      await a.set(key, 'v1');
      await Promise.all([a.set(key, 'v2', { tags: ['r6'] }), a.invalidateTags(['r6'])]);
      for (const tiers of [['l1'], ['l2'], ['l3']] as TierName[][]) if ((await a.get(key, { tiers })) === 'v1') old++;
    }
    expect(old).toBe(0);
  });

  it('a get right after a set that was not awaited sees the new value', async () => {
    const a = await fx.create();
    await a.set('r15:k', 'v1');
    let misses = 0;
    for (let trial = 0; trial < 50; trial++) {
      void a.set('r15:k', `v${trial + 2}`);
      if ((await a.get('r15:k')) !== `v${trial + 2}`) misses++;
    }
    expect(misses).toBe(0);
  });

  it('a get with L1 off right after a set that was not awaited sees the new value', async () => {
    const a = await fx.create({ memory: false });
    await a.set('r15:l2', 'v1');
    void a.set('r15:l2', 'v2');
    expect(await a.get('r15:l2')).toBe('v2');
  });

  it('an L3 hit is checked against the tag stamps Redis knows', async () => {
    const a = await fx.create();
    const b = await fx.create({ memory: false });
    await a.set('r16:k', 'old', { tags: ['r16'], tiers: ['l3'] });
    await a.invalidateTags(['r16']);
    const l3 = b.tiers().find((entry) => entry.name === 'l3')!.tier;
    // Roll L3's stamp back, as if the floored write to L3 had been lost.
    await fx.db.pool.query(`DELETE FROM "${fx.db.schema}".cache_tag_clock WHERE tag = 'r16'`);
    expect((await l3.tagStamps(['r16'])).get('r16')).toBe(0);
    expect(await b.get('r16:k')).toBeUndefined();
  });

  it('the distributed lock is held until the L2 write of the loaded value has landed', async () => {
    const a = await fx.create();
    const b = await fx.create();
    const restore = delay(a, 'l2', 'set', 150);
    let loads = 0;
    const loader = async () => {
      loads++;
      await sleep(20);
      return 'v';
    };
    await a.getOrSet('r17:k', loader, { lock: { wait: '2s' }, tiers: ['l1', 'l2'] });
    // a's L2 write is still on its way; b must wait for it rather than load again.
    expect(await b.getOrSet('r17:k', loader, { lock: { wait: '2s' }, tiers: ['l1', 'l2'] })).toBe('v');
    restore();
    expect(loads).toBe(1);
  });
});
