import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import {
  CacheCleaner,
  CacheCleanupService,
  CacheWarmer,
  CacheWarmerRegistry,
  opsSchemaSql,
  resolveOpsStore,
  TieredCacheMaintenanceModule,
  type OpsStore,
} from '../../libs/tiered-cache/src/maintenance/index.js';
import { TieredCacheModule } from '../../libs/tiered-cache/src/nest/index.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { eventually, sleep, TestCacheModule } from './ops-support.js';

const LOCK_NAME = 'tiered-cache:cleanup';

describe('maintenance: L3 cleanup and warmers', () => {
  let fx: CacheFixture;
  let cache: TieredCache;
  let store: OpsStore;
  const apps: INestApplication[] = [];

  const count = async (sql: string, params: unknown[] = []) => Number((await fx.db.pool.query(sql, params)).rows[0].n);
  const insertRows = (namespace: string, prefix: string, n: number, expired: boolean, bytes = 10) =>
    fx.db.pool.query(
      `INSERT INTO cache_entries (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size, last_accessed_at)
       SELECT $1, $2 || i, '\\x00', '{}', 1, now() + $3::interval, now() + $3::interval, $4, now() - i * interval '1 second'
       FROM generate_series(1, $5) i`,
      [namespace, prefix, expired ? '-1 minute' : '1 hour', bytes, n],
    );

  beforeAll(async () => {
    fx = await createCacheFixture('maint');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    cache = await fx.create({ namespace: 'mt' });
    store = resolveOpsStore(cache)!;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
    await fx.db.pool.query('TRUNCATE cache_entries, cache_cleanup_log, cache_tag_clock');
  });
  afterAll(async () => fx.dispose());

  describe('scheduled cleanup', () => {
    it('runs on the cleanupInterval schedule: removes expired rows in batches, keeps live ones, logs each run', async () => {
      await insertRows('mt', 'expired:', 250, true);
      await insertRows('other', 'expired:', 30, true);
      await insertRows('mt', 'live:', 20, false);
      await cache.set('cached:live', 'still here', { ttl: '1h' });

      const moduleRef = await Test.createTestingModule({
        imports: [
          TieredCacheModule.forRoot({ namespace: 'mt', redis: { url: TEST_REDIS_URL, keyPrefix: fx.redis.prefix }, postgres: { pool: fx.db.pool, schema: fx.db.schema } }),
          ScheduleModule.forRoot(),
          TieredCacheMaintenanceModule.forRoot({ cleanupInterval: '200ms', batchSize: 100 }),
        ],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: ['error'] });
      apps.push(app);
      await app.init();
      const service = app.get(CacheCleanupService);
      expect(service.intervalMs).toBe(200);
      expect(app.get(SchedulerRegistry).getIntervals()).toContain('tiered-cache-cleanup:mt');

      await eventually(() => count(`SELECT count(*) AS n FROM cache_cleanup_log WHERE status = 'ok'`), (n) => n >= 1);
      expect(await count(`SELECT count(*) AS n FROM cache_entries WHERE expires_at <= now()`)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM cache_entries WHERE key LIKE 'live:%'`)).toBe(20);
      expect(await app.get(TieredCache).get('cached:live', { tiers: ['l3'] })).toBe('still here');
      const first = (await fx.db.pool.query(`SELECT * FROM cache_cleanup_log ORDER BY started_at LIMIT 1`)).rows[0];
      expect(first).toMatchObject({ trigger: 'schedule', status: 'ok', expired_deleted: '280', rows_after: '21' });
      expect(first.finished_at >= first.started_at).toBe(true);

      // It keeps running: rows that expire later go at a later tick.
      await insertRows('mt', 'later:', 5, true);
      await eventually(() => count(`SELECT count(*) AS n FROM cache_entries WHERE key LIKE 'later:%'`), (n) => n === 0);

      await app.close();
      apps.pop();
      expect(() => app.get(SchedulerRegistry).getInterval('tiered-cache-cleanup:mt')).toThrow();
    });

    it('defaults to 1h whatever CACHE_CLEANUP_INTERVAL says (the library reads no environment), and schedules nothing with cleanupInterval: false', async () => {
      const previous = process.env.CACHE_CLEANUP_INTERVAL;
      process.env.CACHE_CLEANUP_INTERVAL = '200ms';
      try {
        await expectHourlyThenOff();
      } finally {
        if (previous === undefined) delete process.env.CACHE_CLEANUP_INTERVAL;
        else process.env.CACHE_CLEANUP_INTERVAL = previous;
      }
    });

    async function expectHourlyThenOff(): Promise<void> {
      const make = async (options: { cleanupInterval?: false }) => {
        const moduleRef = await Test.createTestingModule({
          imports: [TestCacheModule.with(cache), ScheduleModule.forRoot(), TieredCacheMaintenanceModule.forRoot(options)],
        }).compile();
        const app = moduleRef.createNestApplication({ logger: ['error'] });
        apps.push(app);
        await app.init();
        return app;
      };
      const hourly = await make({});
      expect(hourly.get(CacheCleanupService).intervalMs).toBe(3_600_000);
      expect(hourly.get(SchedulerRegistry).getIntervals()).toEqual(['tiered-cache-cleanup:mt']);
      await hourly.close();
      apps.pop();
      const off = await make({ cleanupInterval: false });
      expect(off.get(CacheCleanupService).intervalMs).toBeUndefined();
      expect(off.get(SchedulerRegistry).getIntervals()).toEqual([]);
    }
  });

  describe('one instance at a time (advisory lock)', () => {
    it('skips while another session holds the lock, runs once it is released', async () => {
      await insertRows('mt', 'expired:', 10, true);
      const holder = await fx.db.pool.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(hashtext($1), hashtext($2))', [LOCK_NAME, fx.db.schema]);
        const cleaner = new CacheCleaner(store, 'instance-b');
        const skipped = await cleaner.run('manual');
        expect(skipped).toMatchObject({ status: 'skipped', reason: 'another instance holds the cleanup lock', expiredDeleted: 0 });
        expect(await count(`SELECT count(*) AS n FROM cache_entries WHERE expires_at <= now()`)).toBe(10);
        expect(await count(`SELECT count(*) AS n FROM cache_cleanup_log`)).toBe(0);
        await holder.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [LOCK_NAME, fx.db.schema]);
        expect(await cleaner.run('manual')).toMatchObject({ status: 'ok', expiredDeleted: 10 });
      } finally {
        holder.release();
      }
    });

    it('never lets two scheduled instances run at the same time', async () => {
      const second = await fx.create({ namespace: 'mt' });
      const startInstance = async (instance: TieredCache) => {
        const moduleRef = await Test.createTestingModule({
          imports: [
            TestCacheModule.with(instance),
            ScheduleModule.forRoot(),
            // Slow runs (up to 5 statements of 10 rows, 15 ms apart) on a faster schedule: without the lock they would overlap.
            TieredCacheMaintenanceModule.forRoot({ cleanupInterval: 40, batchSize: 10, batchPause: 15, maxBatchesPerRun: 5, warmOnStart: false }),
          ],
        }).compile();
        const app = moduleRef.createNestApplication({ logger: ['error'] });
        apps.push(app);
        await app.init();
      };
      let feeding = true;
      const feeder = (async () => {
        for (let i = 0; feeding; i++) {
          await insertRows('mt', `feed${i}:`, 20, true);
          await sleep(100);
        }
      })();
      await startInstance(cache);
      await startInstance(second);
      await eventually(
        async () => (await fx.db.pool.query(`SELECT DISTINCT instance_id FROM cache_cleanup_log WHERE status = 'ok'`)).rows.length,
        (instances) => instances === 2,
        15_000,
      );
      await sleep(500);
      feeding = false;
      await feeder;
      while (apps.length > 0) await apps.pop()!.close();

      const { rows } = await fx.db.pool.query<{ started_at: Date; finished_at: Date; instance_id: string; expired_deleted: string }>(
        `SELECT started_at, finished_at, instance_id, expired_deleted FROM cache_cleanup_log WHERE status = 'ok' ORDER BY started_at`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.some((row) => Number(row.expired_deleted) > 0)).toBe(true);
      for (let i = 1; i < rows.length; i++) {
        // Each run's start (taken inside the lock) is not before the previous run's end (taken before its unlock).
        expect(rows[i]!.started_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.finished_at.getTime());
      }
    });
  });

  describe('size caps', () => {
    it('evicts least-recently-used rows until the table is within the row cap, then the byte cap', async () => {
      await insertRows('mt', 'r', 50, false, 100); // r1 most recently used, r50 least
      const byRows = await new CacheCleaner(store, 'i', { maxRows: 30, batchSize: 7 }).run('manual');
      expect(byRows).toMatchObject({ status: 'ok', evictedRows: 20, freedBytes: 2_000, rowsAfter: 30, bytesAfter: 3_000 });
      expect(await count(`SELECT count(*) AS n FROM cache_entries WHERE key IN ('r1', 'r30')`)).toBe(2);
      expect(await count(`SELECT count(*) AS n FROM cache_entries WHERE key = 'r31'`)).toBe(0);

      const byBytes = await new CacheCleaner(store, 'i', { maxBytes: 1_050, batchSize: 7 }).run('manual');
      expect(byBytes).toMatchObject({ status: 'ok', evictedRows: 20, rowsAfter: 10, bytesAfter: 1_000 });
      const left = (await fx.db.pool.query(`SELECT key FROM cache_entries ORDER BY last_accessed_at DESC`)).rows.map((row) => row.key);
      expect(left).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']);
    });

    it('stops at maxBatchesPerRun and says so; the next run continues', async () => {
      await insertRows('mt', 'x', 25, true);
      const cleaner = new CacheCleaner(store, 'i', { batchSize: 10, maxBatchesPerRun: 2 });
      expect(await cleaner.run('manual')).toMatchObject({ expiredDeleted: 20, truncated: true });
      expect(await cleaner.run('manual')).toMatchObject({ expiredDeleted: 5, truncated: false });
    });
  });

  describe('tag-clock purge', () => {
    it('drops only tag records no live entry can need, and keeps invalidated entries invalid', async () => {
      const l3 = { tiers: ['l3'] as const };
      // "needed": a live L3 entry was created before its invalidation.
      await cache.set('tc:needed', 'old', { ...l3, tags: ['needed'], ttl: '1h' });
      await cache.invalidateTags(['needed']);
      // "after": its only entry was created after the invalidation.
      await cache.invalidateTags(['after']);
      await cache.set('tc:after', 'new', { ...l3, tags: ['after'], ttl: '1h' });
      // "orphan": invalidated, no entry at all. "recent": invalidated just now.
      await cache.invalidateTags(['orphan']);
      await cache.invalidateTags(['recent']);
      await fx.db.pool.query(`UPDATE cache_tag_clock SET invalidated_at = now() - interval '2 days' WHERE tag <> 'recent'`);

      const result = await new CacheCleaner(store, 'i', { tagClockRetention: '1d' }).run('manual');
      expect(result).toMatchObject({ status: 'ok', tagsPurged: 2 });
      const tags = (await fx.db.pool.query(`SELECT tag FROM cache_tag_clock ORDER BY tag`)).rows.map((row) => row.tag);
      expect(tags).toEqual(['needed', 'recent']);
      expect(await cache.get('tc:needed', l3)).toBeUndefined();
      expect(await cache.get('tc:after', l3)).toBe('new');
    });
  });

  describe('warmers', () => {
    it('run after start-up without delaying it; a failing warmer does not stop the others', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let finished = false;

      @Injectable()
      class SlowWarmers {
        constructor(@Inject(TieredCache) private readonly tc: TieredCache) {}

        @CacheWarmer()
        async broken(): Promise<void> {
          throw new Error('source unavailable');
        }

        @CacheWarmer('catalog')
        async catalog(): Promise<string[]> {
          await gate;
          await this.tc.set('warm:catalog', ['a', 'b']);
          finished = true;
          return ['a', 'b'];
        }
      }

      const moduleRef = await Test.createTestingModule({
        imports: [TestCacheModule.with(cache), ScheduleModule.forRoot(), TieredCacheMaintenanceModule.forRoot({ cleanupInterval: false })],
        providers: [SlowWarmers],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: ['error'] });
      apps.push(app);
      await app.init();
      expect(finished).toBe(false); // start-up did not wait for the warmer
      const registry = app.get(CacheWarmerRegistry);
      expect(registry.names().sort()).toEqual(['SlowWarmers.broken', 'catalog']);

      const { running } = await eventually(() => ({ running: registry.running }), (value) => value.running !== undefined);
      release();
      const run = await running!;
      expect(run.trigger).toBe('startup');
      expect(run.warmers).toEqual([
        expect.objectContaining({ name: 'SlowWarmers.broken', ok: false, error: 'source unavailable' }),
        expect.objectContaining({ name: 'catalog', ok: true, loaded: 2 }),
      ]);
      expect(await cache.get('warm:catalog')).toEqual(['a', 'b']);
      expect(() => registry.register('catalog', () => 0)).toThrow(/already registered/);
    });
  });
});
