import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Page } from 'playwright-core';
import { TieredCacheAdminModule } from '../../libs/tiered-cache/src/admin/index.js';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { TieredCacheDashboardModule } from '../../libs/tiered-cache/src/dashboard/index.js';
import { startApp } from '../ops/ops-support.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { bearerGuard } from './support/bearer-guard.js';
import { launchBrowser, type Browser } from './support/browser.js';

const ADMIN_TOKEN = 'fleet-admin-token';

const BearerGuard = bearerGuard(ADMIN_TOKEN);

/**
 * The dashboard's Fleet tab in Chromium, against two in-process app instances on one Redis:
 * both are listed, and the one stopped turns gone. The delete, invalidate and clear texts say
 * they apply on every instance.
 */
describe('dashboard fleet tab in a browser', () => {
  let fx: CacheFixture;
  const apps: INestApplication[] = [];
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    fx = await createCacheFixture('fleet_ui');
    for (const id of ['web-a', 'web-b']) {
      const cache: TieredCache = await fx.create({ namespace: 'fleetui', instanceId: id, postgres: undefined });
      apps.push(
        await startApp(
          {
            imports: [TieredCacheAdminModule.forRoot({ fleet: { interval: 50, goneAfter: 250 }, history: false }), TieredCacheDashboardModule.forRoot({ refreshInterval: 0 })],
            providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
          },
          cache,
        ),
      );
    }
    url = await apps[0]!.getUrl();
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await apps[0]?.close();
    await fx?.dispose();
  });

  const row = (id: string) => page.locator(`tr[data-instance="${id}"]`);
  const refresh = async () => {
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('#app:not(.refreshing)').waitFor();
  };

  it('lists both instances, then shows the stopped one as gone', async () => {
    await page.goto(`${url}/admin/dashboard#fleet`);
    await page.getByLabel('Admin token (JWT)').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Fleet' }).click();
    const card = page.locator('[data-card="fleet"]');
    await expect(card.innerText()).resolves.toContain('applied on every instance');
    for (let tries = 0; (await page.locator('tr[data-instance]').count()) < 2 && tries < 40; tries++) await refresh();
    await expect(row('web-a').getAttribute('data-status')).resolves.toBe('up');
    await expect(row('web-b').getAttribute('data-status')).resolves.toBe('up');
    await expect(row('web-a').innerText()).resolves.toContain('this one');
    await expect(row('web-b').innerText()).resolves.toMatch(/connected/);
    await expect(page.locator('[data-metric="fleet.up"] .figure-value').innerText()).resolves.toBe('2');

    await apps[1]!.close();
    for (let tries = 0; (await row('web-b').getAttribute('data-status')) !== 'gone' && tries < 40; tries++) await refresh();
    await expect(row('web-b').getAttribute('data-status')).resolves.toBe('gone');
    await expect(row('web-b').locator('.badge.bad').innerText()).resolves.toBe('gone');
    await expect(page.locator('[data-metric="fleet.gone"] .figure-value').innerText()).resolves.toBe('1');
    expect(browser.problems).toEqual([]);
  });

  it('says that a clear is applied on every instance before it is confirmed', async () => {
    await page.getByRole('tab', { name: 'Maintenance' }).click();
    await page.getByRole('button', { name: 'Clear the cache…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm the clear' });
    await expect(confirm.innerText()).resolves.toContain('It is applied on every instance.');
    await confirm.getByRole('button', { name: 'Yes, clear this namespace' }).click();
    await expect(page.locator('[data-metric="clear.result"]').innerText()).resolves.toContain('applied on every instance');
  });
});
