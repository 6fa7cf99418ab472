import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import request from 'supertest';
import { TieredCacheHealthModule } from '../../libs/tiered-cache/src/health/index.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { freePort, RedisProcess } from '../support/redis-process.js';
import { eventually, startApp, startHungServer } from './ops-support.js';

describe('health probes (terminus)', () => {
  let fx: CacheFixture;
  let app: INestApplication | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    fx = await createCacheFixture('health');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  afterAll(async () => fx.dispose());

  const sourceUp = () => fx.db.pool.query('SELECT 1');

  it('reports every component up: 200, status ok, tiers with their details', async () => {
    const cache = await fx.create();
    await cache.set('h:one', { a: 1 });
    app = await startApp({ imports: [TieredCacheHealthModule.forRoot({ sourceCheck: sourceUp, timeoutMs: 1_000 })] }, cache);

    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.l1).toMatchObject({ status: 'up', state: 'up', entries: 1 });
    expect(res.body.details.l1.bytes).toBeGreaterThan(0);
    expect(res.body.details.l2).toMatchObject({ status: 'up', state: 'up', circuit: 'closed' });
    expect(res.body.details.l3).toMatchObject({ status: 'up', state: 'up', circuit: 'closed' });
    expect(res.body.details.bus).toMatchObject({ status: 'up', state: 'up' });
    expect(res.body.details.memory_heap.status).toBe('up');

    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details).sort()).toEqual(['bus', 'database', 'l1', 'l2', 'l3', 'memory_heap']);
    const live = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('stays 200 with status degraded and names l2 and the bus when Redis is stopped, and recovers', async () => {
    const redis = await RedisProcess.start();
    cleanups.push(() => redis.stop());
    const cache = await fx.create({ redis: { url: redis.url, keyPrefix: fx.redis.prefix } });
    app = await startApp({ imports: [TieredCacheHealthModule.forRoot({ sourceCheck: sourceUp, timeoutMs: 500 })] }, cache);
    const server = app.getHttpServer();
    await request(server).get('/health').expect(200);

    await redis.stop();
    const res = await eventually(
      () => request(server).get('/health'),
      (r) => r.body.details?.bus?.state === 'down',
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.error).toEqual({});
    expect(res.body.details.l2).toMatchObject({ status: 'degraded', state: 'down' });
    expect(typeof res.body.details.l2.message).toBe('string');
    expect(res.body.details.bus).toMatchObject({ status: 'degraded', state: 'down' });
    expect(res.body.details.l3.state).toBe('up');
    expect(res.body.details.database.status).toBe('up');

    await redis.start();
    const back = await eventually(
      () => request(server).get('/health'),
      (r) => r.body.details?.l2?.state === 'up' && r.body.details?.bus?.state === 'up',
    );
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('ok');
  });

  it('turns a down tier into 503 when failureStatus is "down"', async () => {
    const port = await freePort(); // nothing listens there
    const cache = await fx.create({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: fx.redis.prefix }, bus: false });
    app = await startApp({ imports: [TieredCacheHealthModule.forRoot({ sourceCheck: sourceUp, timeoutMs: 500, failureStatus: 'down' })] }, cache);
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    expect(res.body.error.l2).toMatchObject({ status: 'down', state: 'down' });
  });

  it('answers 503 when the source PostgreSQL is unreachable, and liveness stays 200', async () => {
    const port = await freePort();
    const deadSource = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectionTimeoutMillis: 2_000 });
    cleanups.push(() => deadSource.end());
    const cache = await fx.create();
    app = await startApp(
      { imports: [TieredCacheHealthModule.forRoot({ sourceCheck: () => deadSource.query('SELECT 1'), timeoutMs: 1_000 })] },
      cache,
    );
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error.database.status).toBe('down');
    expect(res.body.details.l2.state).toBe('up');
    await request(app.getHttpServer()).get('/health/ready').expect(503);
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });

  it('shows l2 and the bus as disabled, not down, when no Redis is configured', async () => {
    const cache = await fx.create({ redis: undefined });
    app = await startApp({ imports: [TieredCacheHealthModule.forRoot({ sourceCheck: sourceUp })] }, cache);
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.l2).toEqual({ status: 'up', state: 'disabled' });
    expect(res.body.details.bus).toEqual({ status: 'up', state: 'disabled' });
    expect(res.body.details.l3.state).toBe('up');
  });

  it('still answers when Redis, the L3 database and the source database hang, naming the timeout', async () => {
    const hung = await startHungServer();
    const hungUrl = `postgres://postgres@127.0.0.1:${hung.port}/test`;
    // A client that queues commands while it waits for the (never answered) handshake.
    const hungRedis = new Redis(`redis://127.0.0.1:${hung.port}`, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    hungRedis.on('error', () => undefined);
    const hungSource = new pg.Pool({ connectionString: hungUrl });
    cleanups.push(
      async () => hungSource.end().catch(() => undefined),
      async () => hungRedis.disconnect(),
      () => hung.close(),
    );
    const cache = await fx.create({
      redis: { client: hungRedis, keyPrefix: fx.redis.prefix },
      postgres: { connectionString: hungUrl },
      bus: false,
    });
    app = await startApp(
      { imports: [TieredCacheHealthModule.forRoot({ sourceCheck: () => hungSource.query('SELECT 1'), timeoutMs: 300 })] },
      cache,
    );
    // The request would never end if any check waited on the hung server; the client gives up at 10 s.
    const res = await request(app.getHttpServer()).get('/health').timeout(10_000).expect(503);
    expect(res.body.error.database).toEqual({ status: 'down', message: 'database timed out after 300 ms' });
    expect(res.body.details.l2).toMatchObject({ status: 'degraded', state: 'down', message: 'l2 PING timed out after 300 ms' });
    expect(res.body.details.l3).toMatchObject({ status: 'degraded', state: 'down', message: 'l3 SELECT 1 timed out after 300 ms' });
    expect(res.body.details.l1.state).toBe('up');
  });
});
