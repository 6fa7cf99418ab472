import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { createTestSchema, type TestSchema } from '../../../../../test/support/isolation.js';
import { freePort } from '../../../../../test/support/redis-process.js';
import { TieredCache } from '../../core/tiered-cache.js';
import { MissingCacheTablesError } from './postgres.setup.js';

/** A library user's start-up against a database without (or with older) cache tables. */
describe('L3 tables at start-up', () => {
  const schemas: TestSchema[] = [];
  const caches: TieredCache[] = [];
  afterEach(async () => {
    while (caches.length > 0) await caches.pop()!.close();
  });
  afterAll(async () => {
    for (const schema of schemas) await schema.drop();
  });

  const emptySchema = async () => {
    const db = await createTestSchema('l3_setup', { withCacheTables: false });
    schemas.push(db);
    return db;
  };
  const cacheOn = (db: TestSchema, createTables?: boolean) => {
    const cache = new TieredCache({ postgres: { pool: db.pool, schema: db.schema, createTables } });
    caches.push(cache);
    return cache;
  };

  it('fails start-up naming the schema, what is missing and both fixes, when the tables are missing', async () => {
    const db = await emptySchema();
    const failure = await cacheOn(db).ready(5_000).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(MissingCacheTablesError);
    expect((failure as MissingCacheTablesError).missing).toEqual(['cache_entries', 'cache_tag_clock', 'cache_pending_deletes', 'cache_namespace_clock', 'cache_tag_clock.pending_stamp']);
    expect((failure as Error).message).toMatch(new RegExp(`schema "${db.schema}" are missing or outdated .*cacheSchemaSql\\(schema\\).*postgres\\.createTables: true`));
  });

  it('names a schema older than this library', async () => {
    const db = await createTestSchema('l3_setup_old');
    schemas.push(db);
    await db.pool.query(`ALTER TABLE "${db.schema}".cache_tag_clock DROP COLUMN pending_stamp`);
    await expect(cacheOn(db).ready(5_000)).rejects.toMatchObject({ missing: ['cache_tag_clock.pending_stamp'] });
  });

  it('creates the tables with createTables, also from several instances starting at once, and then works', async () => {
    const db = await emptySchema();
    const [a, b, c] = [cacheOn(db, true), cacheOn(db, true), cacheOn(db, true)];
    await Promise.all([a.ready(5_000), b.ready(5_000), c.ready(5_000)]);
    await a.set('created', 'yes');
    const reader = new TieredCache({ memory: false, postgres: { pool: db.pool, schema: db.schema } });
    caches.push(reader);
    expect(await reader.ready(5_000)).toBe(true);
    expect(await reader.get('created')).toBe('yes');
  });

  it('does not fail start-up when PostgreSQL is unreachable: the tier is then only down', async () => {
    const port = await freePort();
    const cache = new TieredCache({ postgres: { connectionString: `postgres://postgres@127.0.0.1:${port}/test` } });
    caches.push(cache);
    await expect(cache.ready(1_000)).resolves.toBe(true);
    expect(await cache.getOrSet('k', () => 'from the source')).toBe('from the source');
  });
});
