import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TieredCache } from '@tiered-cache/nestjs';
import { signToken } from '../src/auth/index.js';
import { createTieredCacheOptions } from '../src/cache/cache-options.factory.js';
import { APP_CONFIG, type AppConfig } from '../src/config/index.js';
import { bootApp, TEST_JWT_SECRET } from './support/app/boot-app.js';
import { createTestDatabase, type TestDatabase } from './support/app/test-database.js';
import { createTestRedis, uniqueName, type TestRedis } from './support/isolation.js';
import { TEST_REDIS_URL } from './support/services.js';

/**
 * The cache options factory against the running app: the engine's L3 must use TypeORM's own pool
 * (and leave it open when the cache closes).
 */
async function expectCacheOnTypeOrmPool(app: INestApplication): Promise<void> {
  const dataSource = app.get(DataSource);
  const options = createTieredCacheOptions(app.get<AppConfig>(APP_CONFIG), dataSource);
  expect(options.postgres?.pool).toBe((dataSource.driver as unknown as { master: unknown }).master);
  const cache = new TieredCache(options);
  try {
    // With Redis configured the tag clock lives there: a write before it connects is skipped.
    await cache.ready();
    await cache.set('probe', { ok: true }, { tiers: ['l3'] });
    expect(await cache.get('probe', { tiers: ['l3'] })).toEqual({ ok: true });
    const rows: unknown[] = await dataSource.query('SELECT 1 FROM cache_entries WHERE namespace = $1', [options.namespace]);
    expect(rows).toHaveLength(1);
  } finally {
    await cache.close();
  }
  await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
}

describe('app on PostgreSQL (fresh database per run)', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let app: INestApplication;
  const token = (role: 'user' | 'admin', secret = TEST_JWT_SECRET) => signToken(secret, { sub: 'alice', role });

  beforeAll(async () => {
    database = await createTestDatabase('app_e2e');
    redis = createTestRedis('app_e2e');
    app = await bootApp({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHE_NAMESPACE: uniqueName('app_e2e'),
      CACHE_KEY_PREFIX: redis.prefix,
      CACHE_CLEANUP_INTERVAL: '500ms',
    });
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await redis?.drop();
  });

  it('applies the migrations at start-up', async () => {
    const dataSource = app.get(DataSource);
    const rows: { name: string }[] = await dataSource.query('SELECT name FROM migrations');
    expect(rows.map((r) => r.name)).toContain('CacheTables1795305600000');
    const [{ table }] = await dataSource.query(`SELECT to_regclass('public.cache_entries')::text AS "table"`);
    expect(table).toBe('cache_entries');
  });

  it('builds cache options whose L3 runs on TypeORM\'s pool', async () => {
    await expectCacheOnTypeOrmPool(app);
  });

  it('serves /health/live without a token', async () => {
    const live = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(live.body.status).toBe('ok');
  });

  it('reports PostgreSQL and every cache tier on /health without a token', async () => {
    const health = await request(app.getHttpServer()).get('/health').expect(200);
    expect(health.body.status).toBe('ok');
    for (const key of ['database', 'l1', 'l2', 'l3', 'bus', 'listener']) expect(health.body.details[key]?.status).toBe('up');
  });

  it('serves the admin API to admins only, and records what they do', async () => {
    const server = app.getHttpServer();
    await request(server).get('/admin/cache/stats').expect(401);
    await request(server).get('/admin/cache/stats').set('Authorization', `Bearer ${await token('user')}`).expect(403);
    const admin = `Bearer ${await token('admin')}`;
    const stats = await request(server).get('/admin/cache/stats').set('Authorization', admin).expect(200);
    expect(stats.body.tiers.l3).toBeDefined();
    const invalidated = await request(server).post('/admin/cache/invalidate').set('Authorization', admin).send({ tags: ['expert_sessions'] });
    expect(invalidated.status).toBeLessThan(300);
    await request(server).post('/admin/cache/invalidate').set('Authorization', admin).send({ tags: ['bad tag!'] }).expect(400);
    const audit = await request(server).get('/admin/cache/audit?limit=10').set('Authorization', admin).expect(200);
    expect(JSON.stringify(audit.body)).toContain('alice');
  });

  it('runs the scheduled cleanup from CACHE_CLEANUP_INTERVAL and serves /metrics', async () => {
    const dataSource = app.get(DataSource);
    const deadline = Date.now() + 5_000;
    let runs = 0;
    while (runs === 0 && Date.now() < deadline) {
      [{ runs }] = await dataSource.query('SELECT count(*)::int AS runs FROM cache_cleanup_log');
      if (runs === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toBeGreaterThan(0);
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toContain('tiered_cache_requests_total');
  });

  it('publishes an OpenAPI document with bearer security, public routes excepted', async () => {
    const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(body.security).toEqual([{ bearer: [] }]);
    expect(body.paths['/health/live'].get.security).toEqual([]);
    expect(body.paths['/auth/me'].get.security).toBeUndefined();
    expect(Object.keys(body.paths).some((path) => path.startsWith('/probe'))).toBe(false);
  });

  it('answers 401 without a token', async () => {
    const res = await request(app.getHttpServer()).get('/auth/me').expect(401);
    expect(res.body.message).toMatch(/Missing bearer token/);
  });

  it('answers 401 with a malformed token', async () => {
    const res = await request(app.getHttpServer()).get('/auth/me').set('Authorization', 'Bearer not.a.jwt').expect(401);
    expect(res.body.message).toMatch(/Invalid token/);
  });

  it('answers 401 with a token signed by another secret', async () => {
    const forged = await token('admin', 'another-secret-another-secret-another-secret');
    const res = await request(app.getHttpServer()).get('/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    expect(res.body.message).toBe('Invalid token: signature does not match');
  });

  it('answers 401 with an expired token', async () => {
    const expired = await signToken(TEST_JWT_SECRET, { sub: 'alice', role: 'admin' }, '-1m');
    const res = await request(app.getHttpServer()).get('/auth/me').set('Authorization', `Bearer ${expired}`).expect(401);
    expect(res.body.message).toBe('Invalid token: expired');
  });

  it('puts the principal on req.user with a valid token', async () => {
    await request(app.getHttpServer())
      .get('/auth/me')
      .set('Authorization', `Bearer ${await token('user')}`)
      .expect(200, { sub: 'alice', role: 'user' });
  });

  it('answers 403 to a user token on an admin route, 200 to an admin token', async () => {
    const res = await request(app.getHttpServer())
      .get('/probe/admin')
      .set('Authorization', `Bearer ${await token('user')}`)
      .expect(403);
    expect(res.body.message).toMatch(/Requires role admin/);
    await request(app.getHttpServer())
      .get('/probe/admin')
      .set('Authorization', `Bearer ${await token('admin')}`)
      .expect(200, { sub: 'alice', role: 'admin' });
  });

  it('answers 400 naming the field for invalid or unknown input', async () => {
    const auth = `Bearer ${await token('user')}`;
    const bad = await request(app.getHttpServer()).post('/probe/echo').set('Authorization', auth).send({ name: 'x', limit: 500 }).expect(400);
    expect(bad.body.message).toEqual(expect.arrayContaining([expect.stringContaining('limit')]));
    const extra = await request(app.getHttpServer())
      .post('/probe/echo')
      .set('Authorization', auth)
      .send({ name: 'x', limit: 5, admin: true })
      .expect(400);
    expect(extra.body.message).toEqual(['property admin should not exist']);
  });
});

describe('app on embedded PGlite (no DATABASE_URL)', () => {
  let dir: string;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tiered-cache-pglite-'));
  });

  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('boots, applies the migrations and serves requests', async () => {
    app = await bootApp({ PGLITE_DIR: dir });
    const dataSource = app.get(DataSource);
    const [{ table }] = await dataSource.query(`SELECT to_regclass('public.cache_entries')::text AS "table"`);
    expect(table).toBe('cache_entries');
    await request(app.getHttpServer()).get('/health/live').expect(200);
    // PGlite has a single connection: the cache must share it rather than open its own.
    await expectCacheOnTypeOrmPool(app);
  }, 60_000);
});
