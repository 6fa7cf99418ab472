import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countingLoader, createCacheFixture, sleep, type CacheFixture } from '../../../../test/support/cache-fixture.js';
import { TieredCache } from './tiered-cache.js';

/** A loader that reads the source when it starts and returns after a delay, like a slow query. */
function slowQuery(read: () => string, delayMs: number) {
  const loader = Object.assign(
    async () => {
      loader.calls++;
      const snapshot = read();
      await sleep(delayMs);
      return snapshot;
    },
    { calls: 0 },
  );
  return loader;
}

describe('TieredCache tags', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('tags');
  });
  afterAll(async () => fx.dispose());

  it('invalidates tagged entries in every tier of this instance once invalidateTags resolves', async () => {
    const cache = await fx.create();
    const loader = countingLoader((n) => `v${n}`);
    await cache.getOrSet('tg:a', loader, { tags: ['product:1'] });
    await cache.getOrSet('tg:b', countingLoader(() => 'untouched'), { tags: ['product:2'] });
    await cache.invalidateTags(['product:1']);
    expect(await cache.getOrSet('tg:a', loader, { tags: ['product:1'] })).toBe('v2');
    expect(await cache.get('tg:b')).toBe('untouched');
    // No tier serves the old value: not L2, not L3.
    for (const tiers of [['l2'], ['l3']] as const) {
      const cold = await fx.create();
      await cold.invalidateTags(['unrelated']);
      expect(await cold.get('tg:a', { tiers })).toBe('v2');
    }
  });

  it('computes tags from the loaded value', async () => {
    const cache = await fx.create();
    await cache.getOrSet('tg:computed', async () => ({ ownerId: 7 }), { tags: (value) => [`owner:${value.ownerId}`] });
    await cache.invalidateTags(['owner:7']);
    expect(await cache.get('tg:computed')).toBeUndefined();
  });

  it('costs the same whatever the number of tagged entries: invalidation writes one record per tag', async () => {
    const cache = await fx.create();
    await Promise.all(Array.from({ length: 300 }, (_, i) => cache.set(`tg:many:${i}`, i, { tags: ['bulk'] })));
    const before = await fx.db.pool.query(`SELECT count(*)::int AS n FROM "${fx.db.schema}".cache_tag_clock`);
    await cache.invalidateTags(['bulk']);
    const after = await fx.db.pool.query(`SELECT count(*)::int AS n FROM "${fx.db.schema}".cache_tag_clock`);
    expect(after.rows[0].n - before.rows[0].n).toBeLessThanOrEqual(1);
    // The rows are still there (lazy), yet none is served.
    const rows = await fx.db.pool.query(`SELECT count(*)::int AS n FROM "${fx.db.schema}".cache_entries WHERE 'bulk' = ANY(tags)`);
    expect(rows.rows[0].n).toBe(300);
    const fresh = await fx.create();
    expect(await fresh.get('tg:many:123')).toBeUndefined();
  });

  it('does not store a loader result when its tag was invalidated while the loader ran (the loader race)', async () => {
    const cache = await fx.create();
    let source = 'old';
    const loader = slowQuery(() => source, 300);
    const pending = cache.getOrSet('tg:race', loader, { tags: ['race'] });
    await sleep(50);
    source = 'new';
    await cache.invalidateTags(['race']);
    expect(await pending).toBe('old'); // the caller that started before the change gets what it loaded
    expect(await cache.getOrSet('tg:race', loader, { tags: ['race'] })).toBe('new');
    expect(loader.calls).toBe(2);
  });

  it('also catches the loader race when another instance invalidates', async () => {
    const a = await fx.create();
    const b = await fx.create();
    let source = 'old';
    const loader = slowQuery(() => source, 300);
    const pending = a.getOrSet('tg:race2', loader, { tags: ['race2'] });
    await sleep(50);
    source = 'new';
    await b.invalidateTags(['race2']);
    await pending;
    const cold = await fx.create();
    expect(await cold.getOrSet('tg:race2', loader, { tags: ['race2'] })).toBe('new');
    expect(await a.getOrSet('tg:race2', loader, { tags: ['race2'] })).toBe('new');
  });

  it.each([
    ['behind', -30_000],
    ['ahead', 30_000],
  ])('an instance whose clock is %s by 30 s cannot make a stale entry look fresh', async (_label, skewMs) => {
    const honest = await fx.create();
    const skewed = await fx.create({ now: () => Date.now() + skewMs });
    const key = `tg:skew:${skewMs}`;
    for (const [writer, invalidator] of [
      [honest, skewed],
      [skewed, honest],
    ] as const) {
      await writer.set(key, 'before', { tags: [`skew${skewMs}`] });
      await invalidator.invalidateTags([`skew${skewMs}`]);
      for (const reader of [honest, skewed, await fx.create()]) {
        expect(await reader.get(key)).toBeUndefined();
      }
      await writer.set(key, 'after', { tags: [`skew${skewMs}`] });
      expect(await (await fx.create()).get(key)).toBe('after');
    }
  });

  it('uses the PostgreSQL clock when there is no Redis', async () => {
    const a = await fx.create({ redis: undefined, namespace: 'pgonly' });
    const skewed = await fx.create({ redis: undefined, namespace: 'pgonly', now: () => Date.now() - 30_000 });
    await a.set('tg:pg', 'before', { tags: ['pgclock'] });
    await skewed.invalidateTags(['pgclock']);
    expect(await (await fx.create({ redis: undefined, namespace: 'pgonly' })).get('tg:pg')).toBeUndefined();
  });

  it('works on L1 alone with the local clock', async () => {
    const cache = new TieredCache({ namespace: 'local' });
    await cache.set('tg:local', 1, { tags: ['l'] });
    expect(await cache.get('tg:local')).toBe(1);
    await cache.invalidateTags(['l']);
    expect(await cache.get('tg:local')).toBeUndefined();
    await cache.set('tg:local', 2, { tags: ['l'] });
    expect(await cache.get('tg:local')).toBe(2);
    await cache.close();
  });
});
