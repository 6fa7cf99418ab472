import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import request from 'supertest';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import { CacheAlertsService, TieredCacheAlertsModule } from '../../libs/tiered-cache/src/alerts/index.js';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { opsSchemaSql, TieredCacheMaintenanceModule } from '../../libs/tiered-cache/src/maintenance/index.js';
import { TieredCacheMetricsModule } from '../../libs/tiered-cache/src/metrics/index.js';
import { createCacheFixture, sleep, type CacheFixture } from '../support/cache-fixture.js';
import { eventually, startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

/** The L3 alerts on a real PostgreSQL: sizes read by the maintenance store, and the expired-rows alert starting a cleanup. */
describe('L3 alerts (TieredCacheL3ExpiredRows, TieredCacheL3OverCap)', () => {
  let fx: CacheFixture;
  let cache: TieredCache;
  let app: INestApplication;

  beforeAll(async () => {
    fx = await createCacheFixture('alerts_l3');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    cache = await fx.create({ namespace: 'al3' });
    app = await startApp(
      {
        imports: [
          ScheduleModule.forRoot(),
          TieredCacheMaintenanceModule.forRoot({ cleanupInterval: false, warmOnStart: false, maxRows: 3 }),
          TieredCacheAdminModule.forRoot({ history: false }),
          TieredCacheMetricsModule.forRoot({ defaultMetrics: false }),
          TieredCacheAlertsModule.forRoot({ evaluationInterval: '1h', thresholds: { l3ExpiredRowsMax: 2, l3ExpiredRowsFor: 0, l3OverCapFor: 0 } }),
        ],
        providers: [testAuthGuardProvider],
      },
      cache,
    );
  });
  afterAll(async () => {
    await app?.close();
    await fx?.dispose();
  });

  it('exposes the L3 size on /metrics, fires both alerts, and the expired-rows alert runs a cleanup', async () => {
    for (let i = 0; i < 5; i++) await cache.set(`gone:${i}`, i, { ttl: 20, grace: 0 });
    // Expired, and past the size probe's one second of sharing (start-up read the empty table).
    await sleep(1_100);
    const metrics = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^tiered_cache_l3_rows 5$/m);
    expect(metrics).toMatch(/^tiered_cache_l3_expired_rows 5$/m);
    expect(metrics).toMatch(/^tiered_cache_l3_max_rows 3$/m);
    expect(metrics).not.toContain('tiered_cache_l3_max_bytes ');

    const alerts = app.get(CacheAlertsService);
    const fired = await alerts.tick();
    expect(fired.map((t) => [t.kind, t.alert.name]).sort()).toEqual([
      ['firing', 'TieredCacheL3ExpiredRows'],
      ['firing', 'TieredCacheL3OverCap'],
    ]);

    const log = await eventually(
      async () => (await fx.db.pool.query<{ trigger: string; expired_deleted: number }>(`SELECT trigger, expired_deleted::int AS expired_deleted FROM cache_cleanup_log`)).rows,
      (rows) => rows.length > 0,
    );
    expect(log).toEqual([{ trigger: 'alert', expired_deleted: 5 }]);
    const listed = await request(app.getHttpServer()).get('/admin/cache/alerts').set(TEST_USER_HEADER, 'ops:admin').expect(200);
    expect(listed.body.firing).toBe(2);
  });
});
