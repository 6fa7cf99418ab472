import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { fleetSchemaSql, TieredCacheAdminModule, type FleetInstances } from '../../libs/tiered-cache/src/admin/index.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { eventually, until } from '../support/eventually.js';
import { startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

const FLEET = { interval: 50, goneAfter: 250, forgetAfter: '10s' };

/** Without Redis, heartbeats go to PostgreSQL (`cache_fleet_instances`); two app instances on one database. */
describe('fleet view without Redis: heartbeats in PostgreSQL', () => {
  let fx: CacheFixture;
  const apps: INestApplication[] = [];
  const open = new Set<number>();
  const instances = (index: number) =>
    request(apps[index]!.getHttpServer())
      .get('/admin/cache/instances')
      .set(TEST_USER_HEADER, 'alice:admin')
      .then((response) => {
        expect(response.status).toBe(200);
        return response.body as FleetInstances;
      });

  beforeAll(async () => {
    fx = await createCacheFixture('fleet_pg');
    await fx.db.pool.query(fleetSchemaSql(fx.db.schema));
    for (let index = 0; index < 2; index++) {
      const cache = await fx.create({ namespace: 'fleetpg', instanceId: `pg-${index}`, redis: undefined });
      apps.push(await startApp({ imports: [TieredCacheAdminModule.forRoot({ fleet: FLEET, history: false })], providers: [testAuthGuardProvider] }, cache));
      open.add(index);
    }
  });
  afterAll(async () => {
    await Promise.all([...open].map((index) => apps[index]!.close()));
    await fx.dispose();
  });

  it('lists both instances on either, then the stopped one as gone', async () => {
    const view = await eventually(() => instances(1), (body) => body.counts.up === 2);
    expect(view).toMatchObject({ source: 'postgres', counts: { total: 2, up: 2, gone: 0 } });
    expect(view.instances.map((row) => [row.instanceId, row.self, row.bus])).toEqual([
      ['pg-0', false, 'disabled'],
      ['pg-1', true, 'disabled'],
    ]);
    expect(view.instances[0]!.breakers).toEqual({ l3: 'closed' });

    await apps[1]!.close();
    open.delete(1);
    await until(async () => (await instances(0)).instances.find((row) => row.instanceId === 'pg-1')?.status === 'gone', 3_000);
    expect((await instances(0)).counts).toEqual({ total: 2, up: 1, gone: 1 });
    const { rows } = await fx.db.pool.query(`SELECT instance_id FROM "${fx.db.schema}".cache_fleet_instances WHERE namespace = 'fleetpg' ORDER BY 1`);
    expect(rows.map((row: { instance_id: string }) => row.instance_id)).toEqual(['pg-0', 'pg-1']);
  });

  it('without the table lists only itself and says why', async () => {
    await fx.db.pool.query(`DROP TABLE "${fx.db.schema}".cache_fleet_instances`);
    const view = await instances(0);
    expect(view.source).toBe('local');
    expect(view.error).toMatch(/cache_fleet_instances/);
    expect(view.instances.map((row) => row.instanceId)).toEqual(['pg-0']);
  });
});
