import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import { CacheAlertsService, TieredCacheAlertsModule, type AlertsReport, type AlertWebhookPayload } from '../../libs/tiered-cache/src/alerts/index.js';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { eventually, startApp, TEST_USER_HEADER, testAuthGuardProvider } from './ops-support.js';

describe('GET /admin/cache/alerts (TieredCacheAlertsModule)', () => {
  const apps: INestApplication[] = [];
  let receiver: Server;
  let hookUrl: string;
  const received: AlertWebhookPayload[] = [];
  let failNext = 1;

  beforeAll(async () => {
    // A real webhook receiver: the first POST gets a 500, so the retry is exercised end to end.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.statusCode = 500;
        } else received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertWebhookPayload);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
  });
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  const boot = async (alerts: Parameters<typeof TieredCacheAlertsModule.forRoot>[0], withAdmin = true) => {
    const cache = new TieredCache({ namespace: `alerts_${apps.length}` });
    const app = await startApp(
      {
        imports: [...(withAdmin ? [TieredCacheAdminModule.forRoot({ history: false })] : []), TieredCacheAlertsModule.forRoot(alerts)],
        providers: [testAuthGuardProvider],
      },
      cache,
    );
    apps.push(app);
    return { app, cache, alerts: app.get(CacheAlertsService) };
  };

  it('lists a low hit ratio as firing with since-when, then resolved, and posts both to the webhook', async () => {
    const { app, cache, alerts } = await boot({
      // Evaluated by hand below; the timer would only add samples.
      evaluationInterval: '1h',
      thresholds: { hitRatioMin: 0.99, hitRatioWindow: '1m', hitRatioFor: 0 },
      webhook: { url: hookUrl, backoff: 10 },
    });
    const t0 = Date.now();
    alerts.evaluate(t0);
    for (let i = 0; i < 5; i++) await cache.get(`missing:${i}`);
    expect(alerts.evaluate(t0 + 1000).map((t) => [t.kind, t.alert.id])).toEqual([['firing', 'TieredCacheHitRatioLow']]);

    const firing = await request(app.getHttpServer()).get('/admin/cache/alerts').set(TEST_USER_HEADER, 'ops:admin').expect(200);
    const body = firing.body as AlertsReport;
    expect(body).toMatchObject({ firing: 1, pending: 0, evaluationIntervalMs: 3_600_000 });
    expect(body.alerts).toEqual([
      expect.objectContaining({ name: 'TieredCacheHitRatioLow', state: 'firing', value: 0, activeSince: new Date(t0 + 1000).toISOString(), firingSince: new Date(t0 + 1000).toISOString(), resolvedAt: null }),
    ]);

    await cache.set('hot', 1);
    for (let i = 0; i < 1000; i++) await cache.get('hot');
    expect(alerts.evaluate(t0 + 2000).map((t) => t.kind)).toEqual(['resolved']);
    const resolved = (await request(app.getHttpServer()).get('/admin/cache/alerts').set(TEST_USER_HEADER, 'ops:admin').expect(200)).body as AlertsReport;
    expect(resolved).toMatchObject({ firing: 0, alerts: [{ state: 'resolved', resolvedAt: new Date(t0 + 2000).toISOString() }] });

    // In order, though the fire needed a retry: the notifier sends one transition at a time.
    expect(await eventually(() => received.map((p) => p.status), (statuses) => statuses.length >= 2)).toEqual(['firing', 'resolved']);
    expect(received[0]).toMatchObject({ namespace: cache.namespace, instanceId: cache.instanceId, alert: { id: 'TieredCacheHitRatioLow', state: 'firing' } });
    expect(failNext).toBe(0);
  });

  it('uses the admin authorization: 401 without a user, 403 without the role; refused without the admin module', async () => {
    const { app } = await boot({});
    await request(app.getHttpServer()).get('/admin/cache/alerts').expect(401);
    await request(app.getHttpServer()).get('/admin/cache/alerts').set(TEST_USER_HEADER, 'bob:user').expect(403);
    // The dashboard asks this before it polls the alerts.
    await request(app.getHttpServer()).get('/admin/cache/features').set(TEST_USER_HEADER, 'ops:admin').expect(200, { alerts: true });
    const bare = await boot({}, false);
    const res = await request(bare.app.getHttpServer()).get('/admin/cache/alerts').set(TEST_USER_HEADER, 'ops:admin').expect(403);
    expect(res.body.message).toContain('TieredCacheAdminModule');
  });

  it.each([
    [{ thresholds: { hitRatioMin: 70 } }, 'thresholds.hitRatioMin must be a number from 0 to 1'],
    [{ evaluationInterval: 'often' }, 'evaluationInterval'],
    [{ webhook: { url: 'localhost:9093' } }, 'webhook.url must be an'],
  ])('refuses to start with %j, naming the setting', async (options, message) => {
    await expect(boot(options as never)).rejects.toThrow(message);
  });
});
