import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Page } from 'playwright-core';
import { PostgresTrendsStore, TieredCacheAdminModule, trendsSchemaSql, type MinuteRow } from '../../libs/tiered-cache/src/admin/index.js';
import type { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { TieredCacheDashboardModule } from '../../libs/tiered-cache/src/dashboard/index.js';
import { opsSchemaSql } from '../../libs/tiered-cache/src/maintenance/index.js';
import { quoteSchema } from '../../libs/tiered-cache/src/tiers/postgres/postgres.schema.js';
import { emptyTrendCounters } from '../../libs/tiered-cache/src/trends/trends.counters.js';
import { startApp } from '../ops/ops-support.js';
import { createCacheFixture, type CacheFixture } from '../support/cache-fixture.js';
import { eventually } from '../support/eventually.js';
import { holdHeavySuiteLock } from '../support/heavy-suite.lock.js';
import { bearerGuard } from './support/bearer-guard.js';
import { launchBrowser, type Browser } from './support/browser.js';

const ADMIN_TOKEN = 'trends-admin-token';
const SHOTS = join('test-artifacts', 'dashboard');
const NAMESPACE = 'trendsui';
const HOUR = 3_600_000;
const MINUTE = 60_000;

const BearerGuard = bearerGuard(ADMIN_TOKEN);

/**
 * The dashboard's Trends tab in Chromium, against two in-process app instances on one Redis and
 * PostgreSQL: the range picker asks for each range, the charts draw the fleet's points (earlier
 * days written as hour rows, as the cleanup leaves them), and the key-group table sorts.
 */
describe('dashboard trends tab in a browser', () => {
  let fx: CacheFixture;
  const apps: INestApplication[] = [];
  const caches: TieredCache[] = [];
  let browser: Browser;
  let page: Page;
  let url: string;
  let release: () => Promise<void>;

  beforeAll(async () => {
    release = await holdHeavySuiteLock();
    fx = await createCacheFixture('trends_ui');
    await fx.db.pool.query(opsSchemaSql(fx.db.schema));
    await fx.db.pool.query(trendsSchemaSql(fx.db.schema));
    for (const id of ['web-a', 'web-b']) {
      const cache = await fx.create({ namespace: NAMESPACE, instanceId: id });
      caches.push(cache);
      apps.push(
        await startApp(
          {
            imports: [
              TieredCacheAdminModule.forRoot({ fleet: { interval: 50, goneAfter: 500 }, trends: { flushInterval: 50 }, history: false }),
              TieredCacheDashboardModule.forRoot({ refreshInterval: 0 }),
            ],
            providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
          },
          cache,
        ),
      );
    }
    // History an older instance left: an hour row a day for the past week, minutes of the last hour.
    const s = quoteSchema(fx.db.schema);
    const now = Date.now();
    const thisHour = Math.floor(now / HOUR) * HOUR;
    for (let hour = 1; hour < 7 * 24; hour += 3) {
      const reads = 4_000 + Math.round(2_000 * Math.sin(hour / 4));
      await fx.db.pool.query(`INSERT INTO ${s}.cache_stats_hour (namespace, bucket, instances, reads, hits, l1_hits, l2_hits) VALUES ($1, $2, 2, $3, $4, $5, $6)`, [
        NAMESPACE,
        new Date(thisHour - hour * HOUR),
        reads,
        Math.round(reads * 0.8),
        Math.round(reads * 0.6),
        Math.round(reads * 0.2),
      ]);
    }
    const minutes: MinuteRow[] = [];
    for (let minute = 2; minute < 60; minute++) {
      const reads = 60 + Math.round(30 * Math.cos(minute / 5));
      minutes.push({ ...emptyTrendCounters(), bucket: Math.floor((now - minute * MINUTE) / MINUTE) * MINUTE, reads, hits: Math.round(reads * 0.75), l1Hits: Math.round(reads * 0.5), l2Hits: Math.round(reads * 0.25) });
    }
    await new PostgresTrendsStore({ pool: fx.db.pool, schema: fx.db.schema, s, namespace: NAMESPACE }).writeMinutes('web-old', minutes);

    // Live traffic on both instances: users hit often, reports are slow and rarely hit.
    for (let round = 0; round < 5; round++) {
      for (const [index, cache] of caches.entries()) {
        await cache.getOrSet(`user:${round % 2}`, async () => ({ name: 'n'.repeat(200) }), { tags: ['users'] });
        await cache.get(`user:${round % 2}`);
        await cache.getOrSet(`report:${round}:${index}`, async () => new Promise((resolve) => setTimeout(() => resolve('r'.repeat(2_000)), 20)), { tags: ['reports'] });
      }
    }
    url = await apps[0]!.getUrl();
    browser = await launchBrowser();
    page = await browser.newPage();
    await mkdir(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((app) => app.close()));
    await fx?.dispose();
    await release?.();
  });

  const refresh = async () => {
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('#app:not(.refreshing)').waitFor();
  };
  const groupNames = () => page.locator('[data-card="groups"] tr[data-group]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-group')));

  it('charts each range and sorts the key groups', async () => {
    // Both instances' live minutes are in PostgreSQL, and both heartbeats carry their groups.
    await eventually(
      async () => (await fetch(`${url}/admin/cache/groups`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((response) => response.json())) as { instances: number },
      (body) => body.instances === 2,
    );
    await page.goto(`${url}/admin/dashboard#trends`);
    await page.getByLabel('Admin token (JWT)').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Trends' }).click();
    await page.locator('#app:not(.refreshing)').waitFor();

    const panel = page.locator('#panel-trends');
    await expect(panel.locator('.range-button[aria-pressed="true"]').innerText()).resolves.toBe('1h');
    await expect(panel.locator('.card-description').first().innerText()).resolves.toContain('One point a minute');
    expect(await panel.locator('.chart-svg').count()).toBe(2);
    // The bars of the throughput chart: one per minute with reads.
    expect(await panel.locator('.chart-card').nth(1).locator('rect').count()).toBeGreaterThan(50);

    for (let tries = 0; (await groupNames()).length < 2 && tries < 40; tries++) await refresh();
    expect(await groupNames()).toEqual(['user', 'report']);
    await page.getByRole('button', { name: 'Sort by Load time' }).click();
    await page.locator('[data-card="groups"] .sort-button.active[data-sort="loadMs"]').waitFor();
    expect(await groupNames()).toEqual(['report', 'user']);
    await page.getByRole('button', { name: 'Sort by Hit ratio' }).click();
    await page.locator('[data-card="groups"] .sort-button.active[data-sort="hitRatio"]').waitFor();
    expect(await groupNames()).toEqual(['user', 'report']);
    await page.screenshot({ path: join(SHOTS, 'trends-1h.png') });
    await page.screenshot({ path: join(SHOTS, 'trends-1h-full.png'), fullPage: true });

    await page.locator('#groups-by').selectOption('tag');
    await page.locator('[data-card="groups"] tr[data-group="users"]').waitFor();
    expect((await groupNames()).sort()).toEqual(['reports', 'users']);

    await panel.locator('.range-button[data-range="7d"]').click();
    await panel.locator('.card-description', { hasText: 'One point an hour' }).waitFor();
    await expect(panel.locator('.range-button[aria-pressed="true"]').innerText()).resolves.toBe('7d');
    // 56 hour rows of the past week, and this hour from the live minutes.
    expect(await panel.locator('.chart-card').nth(1).locator('rect').count()).toBeGreaterThanOrEqual(56);
    await page.screenshot({ path: join(SHOTS, 'trends-7d.png') });
    expect(browser.problems).toEqual([]);
  });
});
