import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { opsSchemaSql } from '../../libs/tiered-cache/src/maintenance/index.js';
import { policiesSchemaSql } from '../../libs/tiered-cache/src/policies/index.js';
import { countingLoader, createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

/** The policies admin API on real PostgreSQL and Redis: validation naming fields, audit, effect on the cache. */
describe('admin API: runtime policies', () => {
  let fx: CacheFixture;
  let cache: TieredCache;
  let app: INestApplication;
  const api = () => request(app.getHttpServer());
  const post = (body: object) => api().post('/admin/cache/policies').set(TEST_USER_HEADER, 'alice:admin').send(body);

  beforeAll(async () => {
    fx = await createCacheFixture('policies_api');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    await fx.db.pool.query(policiesSchemaSql(fx.db.schema));
    cache = await fx.create({ namespace: 'polapi' });
    app = await startApp({ imports: [TieredCacheAdminModule.forRoot({ history: false, fleet: false, policies: { usage: { minAgeMs: 0 } } })], providers: [testAuthGuardProvider] }, cache);
  });
  afterAll(async () => {
    await app?.close();
    await fx?.dispose();
  });

  it.each([
    [{ match: {}, ttl: '1s' }, 'match.prefix'],
    [{ match: { prefix: 'a:', tag: 'b' }, ttl: '1s' }, 'match'],
    [{ match: { prefix: 'a:' }, ttl: 'soon' }, 'ttl'],
    [{ match: { prefix: 'a:' }, grace: -5 }, 'grace'],
    [{ match: { prefix: 'a:' }, tiers: ['l1', 'l9'] }, 'tiers'],
    [{ match: { prefix: 'a:' }, disabled: 'yes' }, 'disabled'],
    [{ match: { tag: 'bad tag' }, ttl: '1s' }, 'match.tag'],
    [{ match: { prefix: 'a:' } }, 'policy'],
    [{ match: { prefix: 'a:' }, ttl: '1s', color: 'red' }, 'color'],
    [{ ttl: '1s' }, 'match'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const messages = response.body.message as string[];
    expect(messages.some((message) => message.startsWith(`${field} `) || message === `property ${field} should not exist`)).toBe(true);
    expect((await api().get('/admin/cache/policies').set(TEST_USER_HEADER, 'alice:admin')).body.policies).toEqual([]);
  });

  it('creates, lists, updates and deletes a policy, in force at once, each edit audited', async () => {
    const created = await post({ match: { prefix: 'rep:' }, disabled: true, note: 'read once' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^\d+$/), match: { prefix: 'rep:' }, disabled: true, updatedBy: 'alice' });
    const id = created.body.id as string;
    const loader = countingLoader(() => 'v');
    await cache.getOrSet('rep:1', loader);
    await cache.getOrSet('rep:1', loader);
    expect(loader.calls).toBe(2);

    expect((await post({ match: { prefix: 'rep:' }, ttl: '1s' })).status).toBe(409);
    const listed = await api().get('/admin/cache/policies').set(TEST_USER_HEADER, 'alice:admin');
    expect(listed.body).toMatchObject({ policies: [{ id, match: { prefix: 'rep:' } }], status: { inForce: 1, instanceId: cache.instanceId } });

    const updated = await api().put(`/admin/cache/policies/${id}`).set(TEST_USER_HEADER, 'bob:admin').send({ match: { prefix: 'rep:' }, ttl: '2s' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, ttl: '2s', updatedBy: 'bob' });
    expect(updated.body.disabled).toBeUndefined();
    await cache.getOrSet('rep:1', loader);
    await cache.getOrSet('rep:1', loader);
    expect(loader.calls).toBe(3);

    expect((await api().put('/admin/cache/policies/999999').set(TEST_USER_HEADER, 'bob:admin').send({ match: { prefix: 'z' }, ttl: 1 })).status).toBe(404);
    expect((await api().delete('/admin/cache/policies/abc').set(TEST_USER_HEADER, 'bob:admin')).body.message).toEqual(['id must be a policy id (a positive integer)']);
    expect((await api().delete(`/admin/cache/policies/${id}`).set(TEST_USER_HEADER, 'bob:admin')).body).toEqual({ deleted: id });
    expect(cache.policies().size).toBe(0);

    const { rows } = await fx.db.pool.query<{ who: string; action: string; result: { ok: boolean; status?: number } }>(
      `SELECT who, action, result FROM "${fx.db.schema}".cache_audit_log WHERE action LIKE 'policies.%' ORDER BY id`,
    );
    const trail = rows.map((row) => [row.who, row.action, row.result.ok ? 'ok' : row.result.status]);
    expect(trail).toEqual(expect.arrayContaining([['alice', 'policies.create', 'ok'], ['alice', 'policies.create', 409], ['bob', 'policies.update', 'ok'], ['bob', 'policies.delete', 'ok']]));
    expect(trail.filter(([, , outcome]) => outcome === 400).length).toBeGreaterThanOrEqual(10);
  });

  it('suggests a policy in the report from what it measured, and the suggested body applies as it stands', async () => {
    for (let i = 0; i < 25; i++) await cache.getOrSet(`once:${i}`, () => i);
    const report = await api().get('/admin/cache/report').set(TEST_USER_HEADER, 'alice:admin');
    expect(report.status).toBe(200);
    const suggestion = (report.body.suggestions as Array<{ reason: string; prefix: string; policy: object }>).find((item) => item.prefix === 'once:');
    expect(suggestion).toMatchObject({ reason: 'read-once', policy: { match: { prefix: 'once:' }, disabled: true } });
    const listed = await api().get('/admin/cache/policies/suggestions').set(TEST_USER_HEADER, 'alice:admin');
    expect(listed.body.suggestions).toEqual(report.body.suggestions);

    expect((await post(suggestion!.policy)).status).toBe(201);
    const loader = countingLoader(() => 'v');
    await cache.getOrSet('once:1', loader);
    await cache.getOrSet('once:1', loader);
    expect(loader.calls).toBe(2);
    expect((await api().get('/admin/cache/policies/suggestions').set(TEST_USER_HEADER, 'alice:admin')).body.suggestions).toEqual([]);
  });

  it('refuses a caller without the admin role', async () => {
    expect((await api().get('/admin/cache/policies').set(TEST_USER_HEADER, 'eve:user')).status).toBe(403);
    expect((await api().post('/admin/cache/policies').send({ match: { prefix: 'x' }, ttl: 1 })).status).toBe(401);
  });
});
