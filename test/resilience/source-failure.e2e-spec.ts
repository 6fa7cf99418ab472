import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { LoaderTimeoutError } from '../../libs/tiered-cache/src/core/errors.js';
import { createCacheFixture, sleep, type CacheFixture } from '../support/cache-fixture.js';
import { until } from '../support/eventually.js';

/**
 * Fail-safe and loader timeouts against a real source: a PostgreSQL table read through its own
 * pool, broken by renaming it (every query fails with 42P01, as when a source database is down or
 * a migration went wrong) and slowed with `pg_sleep`. The engine runs in-process with all three
 * real tiers, as two instances. The reference app sets no `grace` on its queries (their TTLs are
 * minutes and an invalidated entry is never served stale), so this is tested on the library.
 */
describe('source failure: fail-safe and loader timeouts against a real source table', () => {
  let fx: CacheFixture;
  let source: pg.Pool;
  let table: string;
  let calls = 0;

  /** The loader: one row of the source table, slowed by `delay` seconds when asked. */
  const readSource = (delay = 0) => async () => {
    calls++;
    const { rows } = await source.query<{ name: string }>(`SELECT name, pg_sleep($1) FROM ${table} WHERE id = 1`, [delay]);
    return rows[0]!.name;
  };
  const setSource = (name: string) => source.query(`UPDATE ${table} SET name = $1 WHERE id = 1`, [name]);
  const breakSource = () => source.query(`ALTER TABLE ${table} RENAME TO source_items_down`);
  const restoreSource = () => source.query(`ALTER TABLE ${table}_down RENAME TO source_items`);

  beforeAll(async () => {
    fx = await createCacheFixture('srcfail');
    source = fx.db.pool;
    table = `${fx.db.schema}.source_items`;
    await source.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
    await source.query(`INSERT INTO ${table} VALUES (1, 'v1')`);
  });

  afterAll(async () => fx.dispose());

  it('serves stale within grace on every instance (L2/L3 carry it to a cold one), throttles the retries, surfaces the source error after grace, and recovers', async () => {
    const options = { ttl: 500, grace: 2_500 };
    const a = await fx.create({ failSafeThrottle: 600 });
    const b = await fx.create({ failSafeThrottle: 600 });
    calls = 0;
    expect(await a.getOrSet('src:item', readSource(), options)).toBe('v1');
    const loadedAt = Date.now();
    await breakSource();
    await sleep(600); // past the TTL, within grace

    expect(await a.getOrSet('src:item', readSource(), options)).toBe('v1');
    expect(await b.getOrSet('src:item', readSource(), options)).toBe('v1'); // B never loaded it: stale from L2
    expect([a.stats().staleServed, b.stats().staleServed]).toEqual([1, 1]);
    expect(calls).toBe(3); // the first load, then one failed attempt per instance

    for (let i = 0; i < 20; i++) expect(await a.getOrSet('src:item', readSource(), options)).toBe('v1');
    expect(calls).toBe(3); // within the throttle: no new attempt
    await sleep(700);
    expect(await a.getOrSet('src:item', readSource(), options)).toBe('v1');
    expect(calls).toBe(4); // past the throttle: one new attempt, failed, stale again

    await sleep(Math.max(0, loadedAt + 500 + 2_500 + 100 - Date.now())); // past TTL + grace
    const failure = await a.getOrSet('src:item', readSource(), options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(pg.DatabaseError);
    expect((failure as pg.DatabaseError).code).toBe('42P01'); // the source's own error, unchanged
    await expect(b.getOrSet('src:item', readSource(), options)).rejects.toBeInstanceOf(pg.DatabaseError);

    await restoreSource();
    await setSource('v2');
    expect(await a.getOrSet('src:item', readSource(), options)).toBe('v2');
    expect(await b.getOrSet('src:item', readSource(), options)).toBe('v2');
  }, 20_000);

  it('past the soft timeout returns the stale value at once and the slow query refreshes the entry', async () => {
    const cache = await fx.create();
    await setSource('soft-1');
    const options = { ttl: 300, grace: '10s', softTimeout: 50 };
    expect(await cache.getOrSet('src:soft', readSource(), options)).toBe('soft-1');
    await setSource('soft-2');
    await sleep(350);
    const started = performance.now();
    expect(await cache.getOrSet('src:soft', readSource(1.5), options)).toBe('soft-1');
    expect(performance.now() - started).toBeLessThan(1_000); // did not wait for the 1.5 s query
    await until(async () => (await cache.get('src:soft')) === 'soft-2', 5_000);
  }, 10_000);

  it('past the hard timeout throws LoaderTimeoutError, and the query that finishes later still fills the cache', async () => {
    const cache = await fx.create();
    await setSource('hard');
    const started = performance.now();
    await expect(cache.getOrSet('src:hard', readSource(1.5), { hardTimeout: 100 })).rejects.toBeInstanceOf(LoaderTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_000); // did not wait for the 1.5 s query
    await until(async () => (await cache.get('src:hard')) === 'hard', 5_000);
  }, 10_000);
});
