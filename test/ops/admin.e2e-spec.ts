import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { CacheWarmer, CacheWarmerRegistry, opsSchemaSql, TieredCacheMaintenanceModule } from '../../libs/tiered-cache/src/maintenance/index.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { sleep, startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

@Injectable()
class ProductWarmer {
  constructor(@Inject(TieredCache) private readonly cache: TieredCache) {}

  @CacheWarmer('products')
  async warmProducts(): Promise<number> {
    for (let id = 1; id <= 3; id++) await this.cache.set(`warm:product:${id}`, { id }, { tags: ['products'] });
    return 3;
  }
}

const CONFIRMATION_TTL_MS = 400;

describe('cache admin REST API', () => {
  let fx: CacheFixture;
  let cache: TieredCache;
  let app: INestApplication;
  let server: ReturnType<INestApplication['getHttpServer']>;

  const as = (who: string | undefined) => {
    const withUser = <T extends request.Test>(test: T): T => (who ? test.set(TEST_USER_HEADER, who) : test);
    return {
      get: (path: string) => withUser(request(server).get(path)),
      post: (path: string, body?: object) => withUser(request(server).post(path)).send(body ?? {}),
      delete: (path: string) => withUser(request(server).delete(path)),
    };
  };
  const admin = as('alice:admin');
  const l3Rows = async (namespace = cache.namespace) =>
    Number((await fx.db.pool.query(`SELECT count(*) AS n FROM cache_entries WHERE namespace = $1`, [namespace])).rows[0].n);

  beforeAll(async () => {
    fx = await createCacheFixture('admin');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    cache = await fx.create({ namespace: 'adm' });
    app = await startApp(
      {
        imports: [
          ScheduleModule.forRoot(),
          TieredCacheMaintenanceModule.forRoot({ cleanupInterval: false, warmOnStart: false, maxRows: 10_000 }),
          TieredCacheAdminModule.forRoot({ confirmationTtl: CONFIRMATION_TTL_MS }),
        ],
        providers: [testAuthGuardProvider, ProductWarmer],
      },
      cache,
    );
    server = app.getHttpServer();
    app.get(CacheWarmerRegistry).register('settings', async (c) => {
      await c.set('warm:settings', { theme: 'dark' });
      return { loaded: 1 };
    });
  });
  afterAll(async () => {
    await app?.close();
    await fx.dispose();
  });

  const ENDPOINTS: Array<[method: 'get' | 'post' | 'delete', path: string, body?: object]> = [
    ['get', '/admin/cache/stats'],
    ['get', '/admin/cache/entries'],
    ['get', '/admin/cache/entries/some-key'],
    ['delete', '/admin/cache/entries/some-key'],
    ['post', '/admin/cache/invalidate', { tags: ['x'] }],
    ['post', '/admin/cache/cleanup'],
    ['get', '/admin/cache/cleanup-log'],
    ['get', '/admin/cache/report'],
    ['post', '/admin/cache/warm'],
    ['post', '/admin/cache/clear'],
    ['get', '/admin/cache/audit'],
    ['get', '/admin/cache/features'],
  ];

  describe('authorization', () => {
    it.each(ENDPOINTS)('%s %s answers 401 without a user', async (...[method, path, body]) => {
      const res = await (method === 'post' ? as(undefined).post(path, body) : as(undefined)[method](path));
      expect(res.status).toBe(401);
    });

    it.each(ENDPOINTS)('%s %s answers 403 for a non-admin', async (...[method, path, body]) => {
      const res = await (method === 'post' ? as('bob:user').post(path, body) : as('bob:user')[method](path));
      expect(res.status).toBe(403);
    });

    it('audits refusals with the principal', async () => {
      await as('mallory:user').post('/admin/cache/invalidate', { tags: ['x'] }).expect(403);
      const { rows } = await fx.db.pool.query(`SELECT who, action, params, result FROM cache_audit_log WHERE who = 'mallory'`);
      expect(rows).toEqual([{ who: 'mallory', action: 'denied', params: { method: 'POST', path: '/admin/cache/invalidate' }, result: { status: 403 } }]);
    });

    it('uses a custom authorize function instead of the role when given', async () => {
      const custom = await startApp(
        { imports: [TieredCacheAdminModule.forRoot({ authorize: (user) => user.sub === 'root' })], providers: [testAuthGuardProvider] },
        cache,
      );
      try {
        await request(custom.getHttpServer()).get('/admin/cache/stats').set(TEST_USER_HEADER, 'root:user').expect(200);
        await request(custom.getHttpServer()).get('/admin/cache/stats').set(TEST_USER_HEADER, 'alice:admin').expect(403);
      } finally {
        await custom.close();
      }
    });
  });

  it('GET /features says the alerts module is not registered, so the dashboard never asks for alerts', async () => {
    await admin.get('/admin/cache/features').expect(200, { alerts: false });
  });

  it('GET /stats reports tiers with counters, latency percentiles and circuits, and L1/L3 sizes', async () => {
    await cache.set('st:a', 1);
    expect(await cache.get('st:a')).toBe(1); // L1 hit
    expect(await cache.get('st:a', { tiers: ['l2'] })).toBe(1); // L2 hit, timed
    expect(await cache.get('st:a', { tiers: ['l3'] })).toBe(1); // L3 hit, timed
    expect(await cache.get('st:missing')).toBeUndefined();
    const { body } = await admin.get('/admin/cache/stats').expect(200);
    expect(body.namespace).toBe('adm');
    expect(body.tiers.l1).toMatchObject({ circuit: 'n/a', latencyMs: null });
    expect(body.tiers.l1.hits).toBeGreaterThanOrEqual(1);
    for (const tier of ['l2', 'l3']) {
      expect(body.tiers[tier]).toMatchObject({ circuit: 'closed', errors: 0 });
      expect(body.tiers[tier].hits).toBeGreaterThanOrEqual(1);
      expect(body.tiers[tier].misses).toBeGreaterThanOrEqual(1);
      expect(typeof body.tiers[tier].hitRatio).toBe('number');
      expect(body.tiers[tier].latencyMs.get.samples).toBeGreaterThanOrEqual(2);
      expect(body.tiers[tier].latencyMs.get.p99).toBeGreaterThanOrEqual(body.tiers[tier].latencyMs.get.p50);
      expect(body.tiers[tier].latencyMs.set.samples).toBeGreaterThanOrEqual(1);
    }
    expect(typeof body.hitRatio).toBe('number');
    expect(body).toHaveProperty('loaderCalls');
    expect(body).toHaveProperty('coalescedCalls');
    expect(body).toHaveProperty('staleServed');
    expect(body.l1.entries).toBeGreaterThanOrEqual(1);
    expect(body.l3.rows).toBeGreaterThanOrEqual(1);
    expect(body.l3.bytes).toBeGreaterThan(0);
    expect(body.bus).toBe('connected');
  });

  describe('entries', () => {
    beforeAll(async () => {
      await cache.set('lk:100%', 'a', { tags: ['like'] });
      await cache.set('lk:1000', 'bb', { tags: ['like'] });
      await cache.set('lk_x', 'ccc', { tags: ['like', 'under'] });
      await cache.set('lkAx', 'dddd', { tags: ['like'] });
      await cache.set('dir/with/slashes', 'e', { tags: ['slash'] });
    });

    it('lists L3 metadata filtered by tag, sorted by size, limited', async () => {
      const { body } = await admin.get('/admin/cache/entries?tag=like&sort=size&limit=3').expect(200);
      expect(body.count).toBe(3);
      expect(body.entries.map((e: { key: string }) => e.key)).toEqual(['lkAx', 'lk_x', 'lk:1000']);
      expect(body.entries[0]).toMatchObject({ tags: ['like'], hitCount: 0, state: 'fresh' });
      expect(body.entries[0].sizeBytes).toBeGreaterThan(body.entries[1].sizeBytes);
      for (const field of ['createdAt', 'lastAccessedAt', 'staleAt', 'expiresAt']) expect(Date.parse(body.entries[0][field])).not.toBeNaN();
    });

    it('matches key prefixes literally: % and _ are not wildcards', async () => {
      const percent = await admin.get(`/admin/cache/entries?prefix=${encodeURIComponent('lk:100%')}`).expect(200);
      expect(percent.body.entries.map((e: { key: string }) => e.key)).toEqual(['lk:100%']);
      const underscore = await admin.get('/admin/cache/entries?prefix=lk_').expect(200);
      expect(underscore.body.entries.map((e: { key: string }) => e.key)).toEqual(['lk_x']);
      const tagged = await admin.get('/admin/cache/entries?tag=under').expect(200);
      expect(tagged.body.entries.map((e: { key: string }) => e.key)).toEqual(['lk_x']);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['sort=oldest', 'sort'],
      [`tag=${encodeURIComponent('bad tag!')}`, 'tag'],
      [`prefix=${'p'.repeat(1_025)}`, 'prefix'],
      ['unknown=1', 'unknown'],
    ])('answers 400 naming the field for ?%s', async (query, field) => {
      const res = await admin.get(`/admin/cache/entries?${query}`).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
    });

    it('shows where a key is, per tier, with remaining TTLs', async () => {
      await cache.set('insp:k', { v: 1 }, { ttl: '10m', grace: '1m', tags: ['insp'] });
      const { body } = await admin.get('/admin/cache/entries/insp%3Ak').expect(200);
      expect(body).toMatchObject({ key: 'insp:k', storageKey: 'insp:k', present: true });
      for (const tier of ['l1', 'l2', 'l3']) {
        expect(body.tiers[tier]).toMatchObject({ state: 'fresh', tags: ['insp'] });
        expect(body.tiers[tier].expiresInMs).toBeGreaterThan(0);
      }
      expect(body.tiers.l1.expiresInMs).toBeLessThanOrEqual(60_000); // L1 lifetime cap
      expect(body.tiers.l3.staleInMs).toBeGreaterThan(9 * 60_000);
      expect(body.tiers.l3.expiresInMs).toBeGreaterThan(body.tiers.l3.staleInMs);
      expect(body.tiers.l3).toHaveProperty('hitCount', 0);

      const slashed = await admin.get(`/admin/cache/entries/${encodeURIComponent('dir/with/slashes')}`).expect(200);
      expect(slashed.body.present).toBe(true);
      const missing = await admin.get('/admin/cache/entries/nope').expect(200);
      expect(missing.body).toMatchObject({ present: false, tiers: { l1: { state: 'absent' }, l2: { state: 'absent' }, l3: { state: 'absent' } } });
      const tooLong = await admin.get(`/admin/cache/entries/${'k'.repeat(1_025)}`).expect(400);
      expect(JSON.stringify(tooLong.body.message)).toContain('key');
    });

    it('DELETE removes a key from every tier', async () => {
      await cache.set('del:k', 1);
      const res = await admin.delete('/admin/cache/entries/del%3Ak').expect(200);
      expect(res.body).toEqual({ key: 'del:k', storageKey: 'del:k', deleted: true });
      const { body } = await admin.get('/admin/cache/entries/del%3Ak').expect(200);
      expect(body.present).toBe(false);
    });
  });

  describe('POST /invalidate', () => {
    it('invalidates the tags, says how many, and counts them as admin invalidations', async () => {
      await cache.set('inv:a', 'A', { tags: ['inv:1'] });
      await cache.set('inv:b', 'B', { tags: ['inv:2'] });
      await cache.set('inv:c', 'C', { tags: ['inv:3'] });
      const before = cache.stats().invalidations.admin ?? 0;
      const { body } = await admin.post('/admin/cache/invalidate', { tags: ['inv:1', 'inv:2', 'inv:1'] }).expect(200);
      expect(body).toEqual({ invalidated: 2, tags: ['inv:1', 'inv:2'] });
      expect(await cache.get('inv:a')).toBeUndefined();
      expect(await cache.get('inv:b')).toBeUndefined();
      expect(await cache.get('inv:c')).toBe('C');
      expect(cache.stats().invalidations.admin).toBe(before + 1);
      const inspected = await admin.get('/admin/cache/entries/inv%3Aa').expect(200);
      expect(inspected.body.tiers.l3.state).toBe('invalidated');
    });

    it.each([
      [{}, 'tags'],
      [{ tags: [] }, 'tags'],
      [{ tags: 'inv:1' }, 'tags'],
      [{ tags: ['ok', 'has space'] }, 'tags'],
      [{ tags: ['x'.repeat(201)] }, 'tags'],
      [{ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }, 'tags'],
      [{ tags: ['ok'], extra: true }, 'extra'],
    ])('answers 400 naming the field for %j', async (payload, field) => {
      const res = await admin.post('/admin/cache/invalidate', payload).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
    });

    it('accepts exactly 100 tags', async () => {
      const { body } = await admin.post('/admin/cache/invalidate', { tags: Array.from({ length: 100 }, (_, i) => `bulk:${i}`) }).expect(200);
      expect(body.invalidated).toBe(100);
    });
  });

  describe('report, cleanup and its log', () => {
    // Deletes in the tests above left tombstones: expired rows too, removed by the same cleanup.
    let expiredRows = 0;
    beforeAll(async () => {
      await cache.set('rep:live', 'kept');
      // 150 expired rows of another namespace: more than 20% of the table.
      await fx.db.pool.query(
        `INSERT INTO cache_entries (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
         SELECT 'other', 'old:' || i, '\\x00', '{}', 1, now() - interval '2 hours', now() - interval '1 hour', 1 FROM generate_series(1, 150) i`,
      );
      expiredRows = Number((await fx.db.pool.query(`SELECT count(*) AS n FROM cache_entries WHERE expires_at <= now()`)).rows[0].n);
      expect(expiredRows).toBeGreaterThanOrEqual(150);
    });

    it('GET /report flags many expired rows, with a recommendation', async () => {
      const { body } = await admin.get('/admin/cache/report').expect(200);
      expect(['healthy', 'warning', 'critical']).toContain(body.status);
      expect(body.status).toBe('warning');
      const expired = body.findings.find((f: { check: string }) => f.check === 'expired-rows');
      expect(expired).toMatchObject({ severity: 'warning' });
      expect(expired.recommendation).toMatch(/cleanup/i);
      expect(body.metrics.l3.expiredRows).toBe(expiredRows);
      expect(body.metrics.caps).toEqual({ maxRows: 10_000 });
    });

    it('POST /cleanup deletes expired rows now and returns the counts; the report clears', async () => {
      const { body } = await admin.post('/admin/cache/cleanup').expect(200);
      expect(body).toMatchObject({ status: 'ok', trigger: 'manual', expiredDeleted: expiredRows, evictedRows: 0 });
      expect(body.rowsAfter).toBeGreaterThan(0);
      expect(await cache.get('rep:live', { tiers: ['l3'] })).toBe('kept');
      const report = await admin.get('/admin/cache/report').expect(200);
      expect(report.body.findings.map((f: { check: string }) => f.check)).not.toContain('expired-rows');
    });

    it('GET /cleanup-log returns the runs of the last days with totals', async () => {
      const { body } = await admin.get('/admin/cache/cleanup-log?days=1').expect(200);
      expect(body.days).toBe(1);
      expect(body.runs[0]).toMatchObject({ trigger: 'manual', status: 'ok', expiredDeleted: expiredRows, instanceId: cache.instanceId });
      expect(body.totals.expiredDeleted).toBeGreaterThanOrEqual(150);
      await admin.get('/admin/cache/cleanup-log?days=0').expect(400);
      const tooMany = await admin.get('/admin/cache/cleanup-log?days=366').expect(400);
      expect(JSON.stringify(tooMany.body.message)).toContain('days');
    });
  });

  describe('POST /warm', () => {
    it('runs every registered warmer (decorated or registered) and reports what each loaded', async () => {
      const { body } = await admin.post('/admin/cache/warm').expect(200);
      expect(body.trigger).toBe('manual');
      expect(body.loaded).toBe(4);
      expect(body.warmers).toEqual([
        expect.objectContaining({ name: 'products', ok: true, loaded: 3 }),
        expect.objectContaining({ name: 'settings', ok: true, loaded: 1 }),
      ]);
      expect(await cache.get('warm:product:2')).toEqual({ id: 2 });
    });

    it('runs only the named warmers, and answers 400 for an unknown name', async () => {
      const { body } = await admin.post('/admin/cache/warm', { names: ['settings'] }).expect(200);
      expect(body.warmers.map((w: { name: string }) => w.name)).toEqual(['settings']);
      const res = await admin.post('/admin/cache/warm', { names: ['nope'] }).expect(400);
      expect(JSON.stringify(res.body.message)).toContain('names');
    });
  });

  describe('POST /clear (two steps)', () => {
    beforeAll(async () => {
      await cache.set('clr:a', 'A');
    });

    it('first returns a confirmation token and clears nothing', async () => {
      const { body } = await admin.post('/admin/cache/clear').expect(200);
      expect(body).toMatchObject({ status: 'confirmation-required', scope: 'namespace' });
      expect(typeof body.token).toBe('string');
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now() - 1_000);
      expect(await cache.get('clr:a')).toBe('A');
    });

    it('answers 409 for a wrong token, and clears nothing', async () => {
      await admin.post('/admin/cache/clear').expect(200);
      const res = await admin.post('/admin/cache/clear', { token: 'not-a-token' }).expect(409);
      expect(res.body.message).toMatch(/nothing was cleared/);
      expect(await cache.get('clr:a')).toBe('A');
      expect(await l3Rows()).toBeGreaterThan(0);
    });

    it('answers 409 for an expired token, and clears nothing', async () => {
      const { body } = await admin.post('/admin/cache/clear').expect(200);
      await sleep(CONFIRMATION_TTL_MS + 300);
      await admin.post('/admin/cache/clear', { token: body.token }).expect(409);
      expect(await cache.get('clr:a')).toBe('A');
    });

    it('answers 409 when another admin or another scope uses the token', async () => {
      const { body } = await admin.post('/admin/cache/clear').expect(200);
      await as('carol:admin').post('/admin/cache/clear', { token: body.token }).expect(409);
      await admin.post('/admin/cache/clear', { token: body.token, scope: 'all' }).expect(409);
      expect(await cache.get('clr:a')).toBe('A');
    });

    it('clears the namespace with a valid token, once', async () => {
      await fx.db.pool.query(
        `INSERT INTO cache_entries (namespace, key, value, tags, created_stamp, stale_at, expires_at, byte_size)
         VALUES ('neighbour', 'n:1', '\\x00', '{}', 1, now() + interval '1 hour', now() + interval '1 hour', 1)`,
      );
      const { body } = await admin.post('/admin/cache/clear').expect(200);
      const done = await admin.post('/admin/cache/clear', { token: body.token }).expect(200);
      expect(done.body).toMatchObject({ status: 'cleared', scope: 'namespace', namespace: 'adm' });
      expect(await cache.get('clr:a')).toBeUndefined();
      expect(await l3Rows()).toBe(0);
      expect(await l3Rows('neighbour')).toBe(1);
      await admin.post('/admin/cache/clear', { token: body.token }).expect(409); // single use
    });

    it('clears every namespace with scope "all"', async () => {
      await cache.set('clr:b', 'B');
      const { body } = await admin.post('/admin/cache/clear', { scope: 'all' }).expect(200);
      expect(body.scope).toBe('all');
      const done = await admin.post('/admin/cache/clear', { scope: 'all', token: body.token }).expect(200);
      expect(done.body).toMatchObject({ status: 'cleared', allNamespaces: true });
      expect(done.body.l3RowsDeleted).toBeGreaterThanOrEqual(1);
      expect(await l3Rows('neighbour')).toBe(0);
      expect(await cache.get('clr:b')).toBeUndefined();
    });

    it('answers 400 for an unknown scope', async () => {
      const res = await admin.post('/admin/cache/clear', { scope: 'everything' }).expect(400);
      expect(JSON.stringify(res.body.message)).toContain('scope');
    });
  });

  describe('GET /audit', () => {
    it('lists audited actions newest first: who, action, params (token redacted), result', async () => {
      const { body } = await admin.get('/admin/cache/audit?limit=50').expect(200);
      expect(body.count).toBe(body.entries.length);
      const actions = body.entries.map((e: { action: string }) => e.action);
      for (const action of ['clear', 'warm', 'cleanup', 'invalidate', 'entries.delete', 'denied']) expect(actions).toContain(action);
      expect(actions).not.toContain('stats'); // reads are not audited by default
      const confirmedClear = body.entries.find(
        (e: { action: string; result: { status?: string } }) => e.action === 'clear' && e.result.status === 'cleared',
      );
      expect(confirmedClear.who).toBe('alice');
      expect(confirmedClear.params.body.token).toBe('[redacted]');
      const rejected = body.entries.find((e: { action: string; result: { status?: number } }) => e.action === 'clear' && e.result.status === 409);
      expect(rejected.result.ok).toBe(false);
      const issued = body.entries.find(
        (e: { action: string; result: { status?: string } }) => e.action === 'clear' && e.result.status === 'confirmation-required',
      );
      expect(issued.result.token).toBe('[redacted]');
      const invalidation = body.entries.find((e: { action: string; result: { invalidated?: number } }) => e.action === 'invalidate' && e.result.invalidated === 2);
      expect(invalidation.params.body.tags).toEqual(['inv:1', 'inv:2', 'inv:1']);
      const badInput = body.entries.find((e: { action: string; result: { status?: number } }) => e.action === 'invalidate' && e.result.status === 400);
      expect(badInput).toBeDefined();
      for (let i = 1; i < body.entries.length; i++) expect(Date.parse(body.entries[i - 1].at)).toBeGreaterThanOrEqual(Date.parse(body.entries[i].at));
    });

    it('honours limit and its bounds', async () => {
      const { body } = await admin.get('/admin/cache/audit?limit=2').expect(200);
      expect(body.entries).toHaveLength(2);
      await admin.get('/admin/cache/audit?limit=0').expect(400);
      await admin.get('/admin/cache/audit?limit=1001').expect(400);
    });
  });

  it('appears in the OpenAPI document with bearer auth', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().build());
    const paths = Object.keys(document.paths);
    for (const path of ['/admin/cache/stats', '/admin/cache/entries', '/admin/cache/entries/{key}', '/admin/cache/invalidate', '/admin/cache/clear', '/admin/cache/audit']) {
      expect(paths).toContain(path);
    }
    expect(document.paths['/admin/cache/invalidate']!.post!.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/admin/cache/entries']!.get!.parameters!.map((p) => ('name' in p ? p.name : undefined))).toEqual(
      expect.arrayContaining(['tag', 'prefix', 'limit', 'sort']),
    );
  });
});
