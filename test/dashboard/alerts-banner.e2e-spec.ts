import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Page } from 'playwright-core';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import { CacheAlertsService, TieredCacheAlertsModule } from '../../libs/tiered-cache/src/alerts/index.js';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { TieredCacheDashboardModule } from '../../libs/tiered-cache/src/dashboard/index.js';
import { startApp } from '../ops/ops-support.js';
import { bearerGuard } from './support/bearer-guard.js';
import { launchBrowser, type Browser } from './support/browser.js';

const ADMIN_TOKEN = 'alerts-admin-token';

const BearerGuard = bearerGuard(ADMIN_TOKEN);

/** The dashboard's alerts banner in Chromium: hidden while nothing fires, naming the alert once one does. */
describe('dashboard alerts banner in a browser', () => {
  let app: INestApplication;
  let cache: TieredCache;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cache = new TieredCache({ namespace: 'alerts_ui' });
    app = await startApp(
      {
        imports: [
          TieredCacheAdminModule.forRoot({ history: false }),
          TieredCacheDashboardModule.forRoot({ refreshInterval: 0 }),
          TieredCacheAlertsModule.forRoot({ evaluationInterval: '1h', thresholds: { hitRatioMin: 0.99, hitRatioWindow: '1m', hitRatioFor: 0 } }),
        ],
        providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
      },
      cache,
    );
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the firing alert above the tabs, critical or not', async () => {
    await page.goto(`${await app.getUrl()}/admin/dashboard#overview`);
    await page.getByLabel('Admin token (JWT)').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#app.dashboard:not(.refreshing)').waitFor();
    await expect(page.locator('.alerts-banner').isHidden()).resolves.toBe(true);

    const alerts = app.get(CacheAlertsService);
    const t0 = Date.now();
    alerts.evaluate(t0);
    for (let i = 0; i < 3; i++) await cache.get(`missing:${i}`);
    alerts.evaluate(t0 + 1000);

    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('.alerts-banner:not([hidden])').waitFor();
    const banner = page.locator('.alerts-banner');
    await expect(banner.innerText()).resolves.toContain('1 alert firing');
    await expect(banner.locator('[data-alert="TieredCacheHitRatioLow"]').innerText()).resolves.toContain('Cache hit ratio below threshold');
    await expect(banner.getAttribute('class')).resolves.not.toContain('critical');
  });
});
