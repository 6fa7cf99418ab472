import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import request from 'supertest';
import { TieredCacheAdminModule, trendsSchemaSql, type KeyGroupReport, type TrendSeries } from '../../libs/tiered-cache/src/admin/index.js';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { CacheCleanupService, opsSchemaSql, TieredCacheMaintenanceModule } from '../../libs/tiered-cache/src/maintenance/index.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { eventually } from '../support/eventually.js';
import { startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

const ADMIN = { fleet: { interval: 50, goneAfter: 500, forgetAfter: '10s' }, trends: { flushInterval: 50 }, history: false } as const;

/** Two app instances on one Redis and PostgreSQL: their minutes and key groups are summed. */
describe('GET /admin/cache/trends and /groups', () => {
  let fx: CacheFixture;
  const apps: INestApplication[] = [];
  const caches: TieredCache[] = [];
  const get = (index: number, path: string) => request(apps[index]!.getHttpServer()).get(path).set(TEST_USER_HEADER, 'alice:admin');

  beforeAll(async () => {
    fx = await createCacheFixture('trends_api');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    await fx.db.pool.query(trendsSchemaSql(fx.db.schema));
    for (let index = 0; index < 2; index++) {
      const cache = await fx.create({ namespace: 'trendsapi', instanceId: `tr-${index}` });
      caches.push(cache);
      apps.push(
        await startApp(
          { imports: [ScheduleModule.forRoot(), TieredCacheAdminModule.forRoot(ADMIN), TieredCacheMaintenanceModule.forRoot({ cleanupInterval: false, warmOnStart: false })], providers: [testAuthGuardProvider] },
          cache,
        ),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await fx.dispose();
  });

  it('answers 400 naming range, by, sort or order when it is not one of theirs', async () => {
    for (const [path, field] of [
      ['/admin/cache/trends?range=2h', 'range'],
      ['/admin/cache/trends?range=', 'range'],
      ['/admin/cache/groups?by=user', 'by'],
      ['/admin/cache/groups?sort=name', 'sort'],
      ['/admin/cache/groups?order=up', 'order'],
    ] as const) {
      const response = await get(0, path);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
  });

  it('answers 401 without a user', async () => {
    expect((await request(apps[0]!.getHttpServer()).get('/admin/cache/trends')).status).toBe(401);
  });

  it('sums both instances per minute, and their key groups', async () => {
    await caches[0]!.getOrSet('user:1', async () => 'one', { tags: ['users'] }); // miss
    await caches[0]!.getOrSet('user:1', async () => 'one', { tags: ['users'] }); // L1 hit
    await caches[1]!.getOrSet('user:1', async () => 'one', { tags: ['users'] }); // L2 hit
    await caches[1]!.get('order:7'); // miss
    // The two instances' rows may land in different minutes if a minute ends meanwhile: sum them all.
    const series = await eventually(
      async () => (await get(1, '/admin/cache/trends?range=1h')).body as TrendSeries,
      (body) => body.points.reduce((sum, point) => sum + point.reads, 0) === 4,
    );
    expect(series).toMatchObject({ range: '1h', resolution: 'minute', stepMs: 60_000 });
    const total = (field: 'hits' | 'l1Hits' | 'l2Hits' | 'loads') => series.points.reduce((sum, point) => sum + point[field], 0);
    expect([total('hits'), total('l1Hits'), total('l2Hits'), total('loads')]).toEqual([2, 1, 1, 1]);
    expect(Math.max(...series.points.map((point) => point.instances))).toBeLessThanOrEqual(2);
    expect((await get(0, '/admin/cache/trends?range=30d')).body).toMatchObject({ resolution: 'hour', stepMs: 3_600_000 });

    const prefixes = await eventually(
      async () => (await get(0, '/admin/cache/groups?by=prefix&sort=hitRatio&order=desc')).body as KeyGroupReport,
      (body) => body.instances === 2 && body.groups.find((row) => row.group === 'user')?.reads === 3,
    );
    expect(prefixes.groups.map((row) => [row.group, row.reads, row.hits, row.hitRatio])).toEqual([
      ['user', 3, 2, 0.6667],
      ['order', 1, 0, 0],
    ]);
    const tags = (await get(0, '/admin/cache/groups?by=tag&sort=bytes')).body as KeyGroupReport;
    // Instance 1 never wrote user:1, so it does not know its tags: only instance 0's reads count.
    expect(tags.groups).toEqual([expect.objectContaining({ group: 'users', reads: 2, hits: 1, loads: 1, writes: 1 })]);
  });

  it('rolls up and prunes in the cleanup run', async () => {
    const result = await apps[0]!.get(CacheCleanupService).run('manual');
    expect(result.status).toBe('ok');
    expect(result.trends).toEqual({ hoursRolledUp: expect.any(Number), minutesPruned: 0, hoursPruned: 0 });
    expect(result.trendsError).toBeUndefined();
  });
});
