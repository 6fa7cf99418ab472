import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { serialize } from 'node:v8';
import request from 'supertest';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { TieredCacheMetricsModule } from '../../libs/tiered-cache/src/metrics/index.js';
import { TieredCacheModule } from '../../libs/tiered-cache/src/nest/index.js';
import { createLibraryTestApp } from '../support/app/http-adapter.js';
import { createCacheFixture, sleep, type CacheFixture } from '../support/cache-fixture.js';
import { freePort } from '../support/redis-process.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { startApp } from './ops-support.js';
import { parseExposition, type Exposition } from './prometheus-text.js';

const FAMILIES = {
  tiered_cache_requests_total: 'counter',
  tiered_cache_operation_seconds: 'histogram',
  tiered_cache_loader_calls_total: 'counter',
  tiered_cache_coalesced_total: 'counter',
  tiered_cache_stale_served_total: 'counter',
  tiered_cache_invalidations_total: 'counter',
  tiered_cache_l1_entries: 'gauge',
  tiered_cache_l1_bytes: 'gauge',
  tiered_cache_circuit_open: 'gauge',
  tiered_cache_payloads_rejected_total: 'counter',
  process_cpu_user_seconds_total: 'counter',
  nodejs_heap_size_used_bytes: 'gauge',
};

describe('GET /metrics (Prometheus)', () => {
  let fx: CacheFixture;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    fx = await createCacheFixture('metrics');
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });
  afterAll(async () => fx.dispose());

  describe('with TieredCacheModule and a token', () => {
    let app: INestApplication;
    let cache: TieredCache;
    const scrape = async (): Promise<Exposition> => {
      const res = await request(app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer s3cret').expect(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      return parseExposition(res.text);
    };

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          TieredCacheModule.forRoot({ namespace: 'met', redis: { url: TEST_REDIS_URL, keyPrefix: fx.redis.prefix }, postgres: { pool: fx.db.pool, schema: fx.db.schema } }),
          TieredCacheMetricsModule.forRoot({ token: 's3cret', defaultLabels: { service: 'test' } }),
        ],
      }).compile();
      app = createLibraryTestApp(moduleRef, { logger: ['error'] });
      await app.listen(0, '127.0.0.1');
      cache = app.get(TieredCache);
    });
    afterAll(async () => app.close());

    it('answers 401 without the token or with a wrong one', async () => {
      await request(app.getHttpServer()).get('/metrics').expect(401);
      await request(app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
      await request(app.getHttpServer()).get('/metrics').set('Authorization', 's3cret').expect(401);
    });

    it('parses as Prometheus exposition with every cache family and the default Node metrics', async () => {
      const metrics = await scrape();
      for (const [family, type] of Object.entries(FAMILIES)) expect([family, metrics.types.get(family)]).toEqual([family, type]);
      expect(metrics.samples.every((sample) => sample.labels.service === 'test')).toBe(true);
      expect(metrics.value('tiered_cache_circuit_open', { service: 'test', tier: 'l2' })).toBe(0);
      expect(metrics.value('tiered_cache_circuit_open', { service: 'test', tier: 'l3' })).toBe(0);
    });

    it('moves the counters when the cache is used', async () => {
      const before = await scrape();
      const v = (m: Exposition, name: string, labels: Record<string, string> = {}) => m.value(name, { service: 'test', ...labels }) ?? 0;

      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = async () => {
        await gate;
        return 'loaded';
      };
      const first = cache.getOrSet('met:k', slow);
      const second = cache.getOrSet('met:k', slow); // coalesced into the first
      release();
      expect(await Promise.all([first, second])).toEqual(['loaded', 'loaded']);
      expect(await cache.getOrSet('met:k', slow)).toBe('loaded'); // L1 hit
      expect(await cache.get('met:k', { tiers: ['l2'] })).toBe('loaded'); // L2 hit
      await cache.invalidateTags(['met:tag']);
      await cache.getOrSet('met:stale', () => 'v1', { ttl: 30, grace: '1m' });
      await sleep(60);
      expect(await cache.getOrSet('met:stale', () => Promise.reject(new Error('source down')), { ttl: 30, grace: '1m' })).toBe('v1');

      const after = await scrape();
      expect(v(after, 'tiered_cache_loader_calls_total') - v(before, 'tiered_cache_loader_calls_total')).toBe(3);
      expect(v(after, 'tiered_cache_coalesced_total') - v(before, 'tiered_cache_coalesced_total')).toBe(1);
      expect(v(after, 'tiered_cache_stale_served_total') - v(before, 'tiered_cache_stale_served_total')).toBe(1);
      expect(v(after, 'tiered_cache_invalidations_total', { source: 'app' }) - v(before, 'tiered_cache_invalidations_total', { source: 'app' })).toBe(1);
      expect(v(after, 'tiered_cache_requests_total', { tier: 'l1', result: 'hit' })).toBeGreaterThan(v(before, 'tiered_cache_requests_total', { tier: 'l1', result: 'hit' }));
      expect(v(after, 'tiered_cache_requests_total', { tier: 'l2', result: 'hit' })).toBeGreaterThan(v(before, 'tiered_cache_requests_total', { tier: 'l2', result: 'hit' }));
      expect(v(after, 'tiered_cache_requests_total', { tier: 'l3', result: 'miss' })).toBeGreaterThan(v(before, 'tiered_cache_requests_total', { tier: 'l3', result: 'miss' }));
      for (const tier of ['l2', 'l3']) {
        const labels = { tier, operation: 'get', result: 'ok' };
        expect(v(after, 'tiered_cache_operation_seconds_count', labels)).toBeGreaterThan(v(before, 'tiered_cache_operation_seconds_count', labels));
        expect(v(after, 'tiered_cache_operation_seconds_sum', labels)).toBeGreaterThan(0);
      }
      expect(v(after, 'tiered_cache_operation_seconds_count', { tier: 'l3', operation: 'set', result: 'ok' })).toBeGreaterThan(0);
      expect(v(after, 'tiered_cache_l1_entries')).toBeGreaterThanOrEqual(1);
      expect(v(after, 'tiered_cache_l1_bytes')).toBeGreaterThan(0);
    });
  });

  it('is open when no token option is set, METRICS_TOKEN in the environment or not (the library reads none)', async () => {
    const previous = process.env.METRICS_TOKEN;
    process.env.METRICS_TOKEN = 'from-the-environment';
    try {
      const app = await startApp({ imports: [TieredCacheMetricsModule.forRoot({ defaultMetrics: false })] }, await fx.create({ bus: false }));
      apps.push(app);
      await request(app.getHttpServer()).get('/metrics').expect(200);
    } finally {
      if (previous === undefined) delete process.env.METRICS_TOKEN;
      else process.env.METRICS_TOKEN = previous;
    }
  });

  it('reports an open circuit', async () => {
    const port = await freePort(); // no Redis there
    const cache = await fx.create({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: fx.redis.prefix }, bus: false, breaker: { failureThreshold: 1, openFor: '1m' } });
    const app = await startApp({ imports: [TieredCacheMetricsModule.forRoot({ defaultMetrics: false })] }, cache);
    apps.push(app);
    await cache.getOrSet('met:open', () => 'x');
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    const metrics = parseExposition(res.text);
    expect(metrics.types.has('process_cpu_user_seconds_total')).toBe(false);
    expect(metrics.value('tiered_cache_circuit_open', { tier: 'l2' })).toBe(1);
    expect(metrics.value('tiered_cache_requests_total', { tier: 'l2', result: 'error' })).toBeGreaterThanOrEqual(1);
  });

  it('counts stored payloads refused by the integrity check, per tier', async () => {
    const cache = await fx.create({ integrity: { keys: [{ id: 'k', secret: 'a-secret-of-at-least-thirty-two-bytes' }] }, bus: false });
    const app = await startApp({ imports: [TieredCacheMetricsModule.forRoot({ defaultMetrics: false })] }, cache);
    apps.push(app);
    await fx.redis.client.hset(`${fx.redis.prefix}e:default:met:forged`, { p: serialize('forged'), c: String(Date.now() * 1000), s: '9999999999999', e: '9999999999999', g: '' });
    expect(await cache.get('met:forged')).toBeUndefined();
    const metrics = parseExposition((await request(app.getHttpServer()).get('/metrics').expect(200)).text);
    expect(metrics.value('tiered_cache_payloads_rejected_total', { tier: 'l2' })).toBe(1);
    expect(metrics.value('tiered_cache_payloads_rejected_total', { tier: 'l3' })).toBe(0);
  });

  it('the strict reader rejects text that is not exposition', () => {
    expect(() => parseExposition('tiered_cache_x 1\n')).toThrow(/without a TYPE/);
    expect(() => parseExposition('# TYPE a counter\na{b="c} 1\n')).toThrow();
    expect(() => parseExposition('# TYPE a counter\na one\n')).toThrow(/bad value/);
    expect(() => parseExposition('# TYPE a counter\na 1')).toThrow(/line feed/);
  });
});
