import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { signToken } from '../../src/auth/index.js';
import { bootApp, TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { createTestDatabase, type TestDatabase } from '../support/app/test-database.js';
import { createTestRedis, uniqueName, type TestRedis } from '../support/isolation.js';
import { TEST_REDIS_URL } from '../support/services.js';

/** The reference app: ALERT_* settings reach the alerts module, and the alert inputs reach /metrics. */
describe('reference app alerts (ALERT_* settings)', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let app: INestApplication;
  const env = () => ({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, CACHE_NAMESPACE: uniqueName('alerts_app'), CACHE_KEY_PREFIX: redis.prefix, CACHE_CLEANUP_INTERVAL: '1h' });

  beforeAll(async () => {
    database = await createTestDatabase('alerts_app');
    redis = createTestRedis('alerts_app');
    app = await bootApp({ ...env(), ALERT_HIT_RATIO_MIN: '85%', ALERT_CIRCUIT_OPEN_FOR: '30s' });
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await redis?.drop();
  });

  it('serves GET /admin/cache/alerts to admins with the configured thresholds', async () => {
    const server = app.getHttpServer();
    await request(server).get('/admin/cache/alerts').expect(401);
    await request(server).get('/admin/cache/alerts').set('Authorization', `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'bob', role: 'user' })}`).expect(403);
    const res = await request(server).get('/admin/cache/alerts').set('Authorization', `Bearer ${await signToken(TEST_JWT_SECRET, { sub: 'alice', role: 'admin' })}`).expect(200);
    expect(res.body).toMatchObject({ evaluationIntervalMs: 15_000, thresholds: { hitRatioMin: 0.85, circuitOpenFor: '30s', busDownFor: '1m' }, firing: 0 });
    expect(res.body.evaluatedAt).toEqual(expect.any(String));
  });

  it('exposes the alert inputs on /metrics: loader runs and the LISTEN listener', async () => {
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^tiered_cache_loader_runs_total\{result="error"\} \d+$/m);
    expect(metrics.text).toMatch(/^tiered_cache_listener_connected 1$/m);
  });

  it('refuses to start with a malformed threshold, naming the variable', async () => {
    await expect(bootApp({ ...env(), ALERT_HIT_RATIO_MIN: '70' })).rejects.toThrow('ALERT_HIT_RATIO_MIN');
  });
});
