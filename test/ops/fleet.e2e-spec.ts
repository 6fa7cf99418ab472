import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FleetHeartbeatService, heartbeatKey, TieredCacheAdminModule, type FleetInstances, type FleetSummary } from '../../libs/tiered-cache/src/admin/index.js';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { eventually, until } from '../support/eventually.js';
import { startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

const FLEET = { interval: 50, goneAfter: 200, forgetAfter: '10s' };
const NAMESPACE = 'fleet';

/** Three app instances on one Redis and database, each with its own cache (own L1, own instance id). */
describe('fleet view: GET /admin/cache/instances and /fleet across instances', () => {
  let fx: CacheFixture;
  const caches: TieredCache[] = [];
  const apps: INestApplication[] = [];
  const open = new Set<number>();

  const get = <T>(index: number, path: string) =>
    request(apps[index]!.getHttpServer())
      .get(path)
      .set(TEST_USER_HEADER, 'alice:admin')
      .then((response) => {
        expect(response.status).toBe(200);
        return response.body as T;
      });
  const instances = (index: number) => get<FleetInstances>(index, '/admin/cache/instances');

  beforeAll(async () => {
    fx = await createCacheFixture('fleet');
    for (let index = 0; index < 3; index++) {
      const cache = await fx.create({ namespace: NAMESPACE, instanceId: `app-${index}`, postgres: undefined });
      caches.push(cache);
      apps.push(await startApp({ imports: [TieredCacheAdminModule.forRoot({ fleet: FLEET, history: false })], providers: [testAuthGuardProvider] }, cache));
      open.add(index);
    }
  });
  afterAll(async () => {
    await Promise.all([...open].map((index) => apps[index]!.close()));
    await fx.dispose();
  });

  it('lists every instance on any one of them, with version, times, breakers, bus, L1 size and hit ratios', async () => {
    await caches[1]!.getOrSet('seen-by-1', async () => 'v');
    await caches[1]!.getOrSet('seen-by-1', async () => 'v');
    const body = await eventually(
      () => instances(2),
      // Both reads must be in the heartbeat, not only the first (a beat may fall between them).
      (view) => view.counts.up === 3 && view.instances.find((row) => row.instanceId === 'app-1')!.hitRatios.overall === 0.5,
    );
    expect(body).toMatchObject({ namespace: NAMESPACE, source: 'redis', intervalMs: 50, goneAfterMs: 200, counts: { total: 3, up: 3, gone: 0 } });
    expect(body.instances.map((row) => [row.instanceId, row.status, row.self])).toEqual([
      ['app-0', 'up', false],
      ['app-1', 'up', false],
      ['app-2', 'up', true],
    ]);
    const one = body.instances[1]!;
    expect(one.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(one.startedAt)).toBeLessThanOrEqual(Date.parse(one.lastSeenAt));
    expect(one).toMatchObject({ breakers: { l2: 'closed' }, bus: 'connected', l1: { entries: 1 }, hitRatios: { overall: 0.5, l1: 0.5 } });
    expect(one.l1.bytes).toBeGreaterThan(0);
    for (const index of [0, 1]) expect((await instances(index)).counts.up).toBe(3);
  });

  it('sums the counters of the instances in GET /fleet and breaks them down per instance', async () => {
    await caches[0]!.getOrSet('seen-by-0', async () => 'v');
    const summary = await eventually(
      () => get<FleetSummary>(0, '/admin/cache/fleet'),
      (body) => body.total.loaderCalls === 2 && body.total.l1.entries === 2,
    );
    expect(summary.breakdown.map((row) => row.instanceId)).toEqual(['app-0', 'app-1', 'app-2']);
    expect(summary.total.loaderCalls).toBe(summary.breakdown.reduce((sum, row) => sum + row.stats.loaderCalls, 0));
    expect(summary.total.reads).toBe(summary.breakdown.reduce((sum, row) => sum + row.reads, 0));
    expect(summary.total.l1.entries).toBe(2);
  });

  it('marks a stopped instance gone after goneAfter, keeps listing it, and its heartbeat stops', async () => {
    await apps[2]!.close();
    open.delete(2);
    const key = heartbeatKey(fx.redis.prefix, NAMESPACE, 'app-2');
    const last = await fx.redis.client.get(key);
    const took = await until(async () => (await instances(0)).instances.find((row) => row.instanceId === 'app-2')?.status === 'gone', 3_000);
    expect(took).toBeLessThan(2_000);
    const view = await instances(1);
    expect(view.counts).toEqual({ total: 3, up: 2, gone: 1 });
    expect(view.instances.at(-1)).toMatchObject({ instanceId: 'app-2', status: 'gone' });
    expect(view.instances.at(-1)!.silentForMs).toBeGreaterThan(FLEET.goneAfter);
    expect(await fx.redis.client.get(key)).toBe(last);
    expect(await fx.redis.client.pttl(key)).toBeGreaterThan(5_000);
    // A gone instance's counters no longer count in the fleet total.
    const summary = await get<FleetSummary>(0, '/admin/cache/fleet');
    expect(summary.total.loaderCalls).toBe(2);
  });

  it('applies a delete, an invalidation and a clear asked on one instance on the others too (the bus)', async () => {
    const b = caches[1]!;
    const inL1 = (cache: TieredCache, key: string) => cache.l1!.peek(cache.storageKey(key), Date.now()) !== undefined;
    const admin = request(apps[0]!.getHttpServer());
    await b.set('k-delete', 1);
    await b.set('k-tagged', 2, { tags: ['fleet-tag'] });
    await b.set('k-clear', 3);
    expect([inL1(b, 'k-delete'), inL1(b, 'k-tagged'), inL1(b, 'k-clear')]).toEqual([true, true, true]);

    expect((await admin.delete('/admin/cache/entries/k-delete').set(TEST_USER_HEADER, 'alice:admin')).status).toBe(200);
    await until(() => !inL1(b, 'k-delete'));
    expect((await admin.post('/admin/cache/invalidate').set(TEST_USER_HEADER, 'alice:admin').send({ tags: ['fleet-tag'] })).status).toBe(200);
    await until(async () => (await b.get('k-tagged')) === undefined);
    const issued = await admin.post('/admin/cache/clear').set(TEST_USER_HEADER, 'alice:admin').send({});
    expect((await admin.post('/admin/cache/clear').set(TEST_USER_HEADER, 'alice:admin').send({ token: issued.body.token })).status).toBe(200);
    await until(() => !inL1(b, 'k-clear'));
  });
});

describe('fleet options at start-up', () => {
  let fx: CacheFixture;
  beforeAll(async () => {
    fx = await createCacheFixture('fleet_options');
  });
  afterAll(async () => fx.dispose());

  it('refuses a bad value, naming the option', async () => {
    const cache = await fx.create({ postgres: undefined });
    await expect(startApp({ imports: [TieredCacheAdminModule.forRoot({ fleet: { interval: '1s', goneAfter: '500ms' } })], providers: [testAuthGuardProvider] }, cache)).rejects.toThrow(
      "Invalid option 'fleet.goneAfter'",
    );
  });

  it('with fleet: false writes no heartbeat and answers 501', async () => {
    const cache = await fx.create({ postgres: undefined });
    const app = await startApp({ imports: [TieredCacheAdminModule.forRoot({ fleet: false, history: false })], providers: [testAuthGuardProvider] }, cache);
    try {
      expect(app.get(FleetHeartbeatService).running).toBe(false);
      const response = await request(app.getHttpServer()).get('/admin/cache/instances').set(TEST_USER_HEADER, 'alice:admin');
      expect(response.status).toBe(501);
      expect(await fx.redis.client.keys(`${fx.redis.prefix}fleet:*`)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
