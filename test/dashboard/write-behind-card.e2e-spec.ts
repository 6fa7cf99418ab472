import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { TieredCacheDashboardModule } from '../../libs/tiered-cache/src/dashboard/index.js';
import { RedisStreamQueue, type WriteBehindMonitor } from '../../libs/tiered-cache/src/write-behind/index.js';
import { createTestRedis, type TestRedis } from '../support/isolation.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { startApp } from '../ops/ops-support.js';
import { bearerGuard } from './support/bearer-guard.js';
import { launchBrowser, type Browser } from './support/browser.js';

const ADMIN_TOKEN = 'write-behind-admin-token';
const LAG_MAX_SECONDS = 1;

const BearerGuard = bearerGuard(ADMIN_TOKEN);

/** The overview's write-behind card in Chromium, on a real queue in Redis: its backlog, then `lagging` past the bound. */
describe('dashboard write-behind card in a browser', () => {
  let app: INestApplication;
  let redis: TestRedis;
  let client: Redis;
  let queue: RedisStreamQueue<{ n: number }>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    redis = createTestRedis('wbcard');
    client = new Redis(TEST_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    queue = new RedisStreamQueue<{ n: number }>({ client, stream: `${redis.prefix}queue` });
    const monitor: WriteBehindMonitor = {
      status: async () => {
        const backlog = await queue.backlog();
        return { queue: queue.stream, backlog: backlog.size, lagSeconds: backlog.lagSeconds, lagMaxSeconds: LAG_MAX_SECONDS };
      },
    };
    app = await startApp(
      {
        imports: [TieredCacheAdminModule.forRoot({ history: false, writeBehind: monitor }), TieredCacheDashboardModule.forRoot({ refreshInterval: 0 })],
        providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
      },
      new TieredCache({ namespace: 'wb_ui' }),
    );
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    client?.disconnect();
    await redis?.drop();
  });

  it('shows the backlog, and marks the queue lagging once its oldest write is older than the bound', async () => {
    for (let n = 1; n <= 3; n++) await queue.append(`row:${n}`, { n });
    await page.goto(`${await app.getUrl()}/admin/dashboard#overview`);
    await page.getByLabel('Admin token (JWT)').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-metric="writeBehind.backlog"]').waitFor();
    await expect(page.locator('[data-metric="writeBehind.backlog"] .figure-value').innerText()).resolves.toBe('3');
    await expect(page.locator('[data-metric="writeBehind.flushed"] .figure-hint').innerText()).resolves.toBe('no flusher on this instance');

    // Polled: the oldest entry ages past the bound on the Redis clock.
    const deadline = Date.now() + 15_000;
    for (;;) {
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await page.locator('#app.dashboard:not(.refreshing)').waitFor();
      const state = await page.locator('[data-metric="writeBehind.state"] .badge').innerText();
      if (state === 'lagging' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await expect(page.locator('[data-metric="writeBehind.state"] .badge').innerText()).resolves.toBe('lagging');
  });
});
