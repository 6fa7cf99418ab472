import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CacheWarmerRegistry } from '@tiered-cache/nestjs/maintenance';
import type { Page } from 'playwright-core';
import { signToken } from '../../src/auth/index.js';
import { TEST_JWT_SECRET } from '../support/app/boot-app.js';
import { HORIZONTAL_OVERFLOW } from './support/bearer-guard.js';
import { launchBrowser, LAPTOP, PHONE, type Browser } from './support/browser.js';
import { eventually } from '../support/eventually.js';
import { startDashboardApp, type DashboardApp } from './support/dashboard-app.js';

/**
 * The cache dashboard in Debian's Chromium, against the real app (PostgreSQL, Redis, seeded small
 * dataset) listening on a loopback port. The stats history samples every 500 ms for 30 s here,
 * so the charts fill within the run. Screenshots of every tab at laptop and phone sizes go to
 * test-artifacts/dashboard/.
 */
const SHOTS = join('test-artifacts', 'dashboard');
const LIST_KEY = 'expert-sessions:list:all';
/** Run in the page (as strings: the test code is compiled without the DOM library). */
const STORED_TOKEN = "sessionStorage.getItem('tiered-cache-dashboard:token')";
const storeToken = (token: string) => `sessionStorage.setItem('tiered-cache-dashboard:token', ${JSON.stringify(token)})`;

describe('cache dashboard in a browser', () => {
  let fx: DashboardApp;
  let browser: Browser;
  let page: Page;
  let admin: string;
  let student: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    fx = await startDashboardApp({
      history: { interval: 500, retention: '30s' },
      // Strict enough for the small run to produce findings, so the report shows some.
      report: { lowHitRatio: 0.99, minReads: 10, minGroupEntries: 2, minAgeMs: 0 },
    });
    admin = await fx.token('admin');
    student = await fx.token('user');
    fx.app.get(CacheWarmerRegistry).register('expert-sessions', async () => {
      await fx.call('GET', '/expert-sessions', student);
      return 1;
    });
    browser = await launchBrowser();
    page = await browser.newPage(LAPTOP);
  }, 300_000); // may first wait for another machine-loading suite (test/support/heavy-suite.lock.ts)

  afterAll(async () => {
    await browser?.close();
    await fx?.close();
  });

  const metric = (target: Page, name: string) => target.locator(`[data-metric="${name}"] .figure-value`);
  const number = async (target: Page, name: string) => Number((await metric(target, name).innerText()).replace(/[^0-9.]/g, ''));
  const tab = (target: Page, name: string) => target.getByRole('tab', { name });
  /** Waits until no card is loading and no refresh runs. */
  const settled = async (target: Page) => {
    await target.locator('#app:not(.refreshing)').waitFor();
    await target.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
  };
  const refresh = async (target: Page) => {
    await target.getByRole('button', { name: 'Refresh now' }).click();
    await settled(target);
  };

  async function signIn(target: Page, token: string): Promise<void> {
    await target.goto(`${fx.url}/admin/dashboard`);
    await target.getByLabel('Admin token (JWT)').fill(token);
    await target.getByRole('button', { name: 'Sign in' }).click();
  }

  describe('HTTP', () => {
    it('serves the page and its assets without a token, with a strict content security policy', async () => {
      const page = await fetch(`${fx.url}/admin/dashboard`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('<base href="/admin/dashboard/">');
      expect(html).toContain('data-api="/admin/cache"');
      expect(html).toContain('data-refresh-ms="30000"');
      for (const [file, type] of [
        ['app.mjs', 'text/javascript'],
        ['charts.mjs', 'text/javascript'],
        ['dashboard.css', 'text/css'],
        ['favicon.svg', 'image/svg+xml'],
      ]) {
        const asset = await fetch(`${fx.url}/admin/dashboard/assets/${file}`);
        expect([file, asset.status, asset.headers.get('content-type')?.split(';')[0]]).toEqual([file, 200, type]);
      }
    });

    it('serves nothing else from disk', async () => {
      for (const name of ['index.html', 'missing.mjs', '..%2Fdashboard.controller.ts', '..%2F..%2F..%2F..%2F..%2Fpackage.json', '.hidden.mjs']) {
        const response = await fetch(`${fx.url}/admin/dashboard/assets/${name}`);
        expect([name, response.status]).toEqual([name, 404]);
      }
    });

    it('serves GET /admin/cache/timeseries to admins only, and documents it', async () => {
      expect((await fx.call('GET', '/admin/cache/timeseries', student)).status).toBe(403);
      const series = await eventually(
        () => fx.call('GET', '/admin/cache/timeseries', admin),
        (response) => response.body.samples.length >= 2,
      );
      expect(series.body).toMatchObject({ enabled: true, intervalMs: 500, retentionMs: 30_000, capacity: 60 });
      expect(series.body.samples[0]).toMatchObject({ at: expect.any(String), tiers: { l1: expect.any(Object), l2: expect.any(Object), l3: expect.any(Object) } });
      const { body: openapi } = await fx.call('GET', '/docs-json', admin);
      expect(openapi.paths['/admin/cache/timeseries'].get.tags).toEqual(['cache admin']);
      expect(openapi.paths['/admin/cache/warmers'].get).toBeDefined();
      expect(Object.keys(openapi.paths).filter((path) => path.startsWith('/admin/dashboard'))).toEqual([]);
    });
  });

  it('1. signs in with an admin token and shows the overview', async () => {
    await page.goto(`${fx.url}/admin/dashboard`);
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await signIn(page, `Bearer ${admin}`);
    await tab(page, 'Overview').waitFor();
    await expect(tab(page, 'Overview').getAttribute('aria-selected')).resolves.toBe('true');
    await metric(page, 'loaderCalls').waitFor();
    await expect(page.locator('.namespace').innerText()).resolves.toBe(fx.namespace);
    await expect(page.locator('[data-metric="l2.circuit"] .badge').innerText()).resolves.toBe('closed');
    await expect(page.locator('[data-metric="bus"] .badge').innerText()).resolves.toBe('connected');
    expect(await page.evaluate(STORED_TOKEN)).toBe(admin);
  });

  it('2. shows the figures change after cached requests', async () => {
    const loaderCalls = await number(page, 'loaderCalls');
    const l1Entries = await number(page, 'l1.entries');
    for (let i = 0; i < 3; i++) expect((await fx.call('GET', '/expert-sessions', student)).status).toBe(200);
    await refresh(page);
    // One miss went to the database; the two reads after it were L1 hits.
    expect(await number(page, 'loaderCalls')).toBe(loaderCalls + 1);
    expect(await number(page, 'l1.entries')).toBeGreaterThan(l1Entries);
    await expect(page.locator('[data-metric="l1.hitRatio"] .ratio-detail').innerText()).resolves.toMatch(/^[1-9]\d* hits/);
    expect(Number((await page.locator('[data-metric="hitRatio"]').innerText()).replace(/[^0-9.]/g, ''))).toBeGreaterThan(0);
    // The next sample carries those reads: the hit-ratio chart draws an L1 line.
    await eventually(
      async () => {
        await refresh(page);
        return page.locator('.chart-svg path.line.l1').first().getAttribute('d');
      },
      (d) => d !== null && d.startsWith('M') && d !== 'M0,0',
    );
  });

  it('3. invalidates a tag from the form, and the API sees it', async () => {
    await tab(page, 'Entries').click();
    const row = page.locator(`tr[data-key="${LIST_KEY}"]`);
    await eventually(
      async () => {
        await refresh(page);
        return row.count();
      },
      (rows) => rows === 1,
    );
    await page.getByLabel('Tag', { exact: true }).fill('expert_sessions');
    await page.getByRole('button', { name: 'Apply' }).click();
    await settled(page);
    await page.locator('[data-metric="entries.count"]', { hasText: 'with tag expert_sessions' }).waitFor();
    await expect(page.locator('tr[data-key]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')))).resolves.toEqual([LIST_KEY]);

    const before = (await fx.call('GET', '/admin/cache/stats', admin)).body;
    await page.getByLabel('Tags', { exact: true }).fill('expert_sessions');
    await page.getByRole('button', { name: 'Invalidate' }).click();
    await page.getByText('Invalidated 1 tag: expert_sessions').waitFor();

    const inspected = (await fx.call('GET', `/admin/cache/entries/${encodeURIComponent(LIST_KEY)}`, admin)).body;
    expect(inspected.present).toBe(false);
    expect(inspected.tiers.l2.state).toBe('invalidated');
    expect(inspected.tiers.l3.state).toBe('invalidated');
    await fx.call('GET', '/expert-sessions', student);
    const after = (await fx.call('GET', '/admin/cache/stats', admin)).body;
    expect(after.loaderCalls).toBe(before.loaderCalls + 1);
    expect(after.invalidations.admin).toBe((before.invalidations.admin ?? 0) + 1);
    const audit = (await fx.call('GET', '/admin/cache/audit?limit=5', admin)).body.entries;
    expect(audit[0]).toMatchObject({ who: 'alice', action: 'invalidate', params: { body: { tags: ['expert_sessions'] } } });
  });

  it('deletes an entry with its button, after a confirming second click', async () => {
    const row = page.locator(`tr[data-key="${LIST_KEY}"]`);
    await eventually(
      async () => {
        await page.getByRole('button', { name: 'Apply' }).click();
        await settled(page);
        return row.count();
      },
      (rows) => rows === 1,
    );
    const button = row.getByRole('button', { name: `Delete ${LIST_KEY}` });
    await button.click();
    await expect(button.innerText()).resolves.toBe('Confirm delete');
    expect((await fx.call('GET', `/admin/cache/entries/${encodeURIComponent(LIST_KEY)}`, admin)).body.present).toBe(true);
    await button.click();
    await page.getByText(`Deleted ${LIST_KEY} from every tier`).waitFor();
    await row.waitFor({ state: 'detached' });
    const inspected = (await fx.call('GET', `/admin/cache/entries/${encodeURIComponent(LIST_KEY)}`, admin)).body;
    expect(Object.values(inspected.tiers).map((tier) => (tier as { state: string }).state)).toEqual(['absent', 'absent', 'absent']);
  });

  it('4. runs cleanup and shows it in the cleanup log and the audit log', async () => {
    await tab(page, 'Maintenance').click();
    await page.getByRole('heading', { name: 'Health report' }).waitFor();
    await page.locator('[data-metric="report.status"]').waitFor();
    await page.getByRole('button', { name: 'Run cleanup now' }).click();
    await expect(page.locator('[data-metric="cleanup.result"]').innerText()).resolves.toMatch(/^Cleanup ok in .*expired rows deleted/);
    const log = page.locator('table.cleanup-log tbody tr');
    await log.first().waitFor();
    await expect(log.first().locator('td[data-label="Trigger"]').innerText()).resolves.toBe('manual');
    const runs = (await fx.call('GET', '/admin/cache/cleanup-log?days=1', admin)).body.runs;
    expect(runs[0]).toMatchObject({ trigger: 'manual', status: 'ok' });
    await refresh(page);
    await expect(page.locator('table.audit tbody tr').first().locator('td[data-label="Action"]').innerText()).resolves.toBe('cleanup');
  });

  it('runs a warmer from the maintenance tab', async () => {
    await page.getByRole('button', { name: 'Run warmer expert-sessions' }).click();
    await page.getByText(/^Loaded 1 in/).waitFor();
  });

  it('5. clears the cache in two steps; cancelling the first step clears nothing', async () => {
    for (const path of ['/expert-sessions', '/expert-sessions/1', '/expert-sessions?productId=1']) await fx.call('GET', path, student);
    const rows = async () => (await fx.call('GET', '/admin/cache/entries?limit=1000', admin)).body.count as number;
    await eventually(rows, (count) => count >= 3);

    await page.getByRole('button', { name: 'Clear the cache…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm the clear' });
    await expect(confirm.innerText()).resolves.toMatch(/Nothing has been cleared yet\. Confirm within \d+ s/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Cancelled; nothing was cleared.').waitFor();
    expect(await rows()).toBeGreaterThanOrEqual(3);

    await page.getByRole('button', { name: 'Clear the cache…' }).click();
    expect(await rows()).toBeGreaterThanOrEqual(3);
    await confirm.getByRole('button', { name: 'Yes, clear this namespace' }).click();
    await expect(page.locator('[data-metric="clear.result"]').innerText()).resolves.toBe(`Cleared namespace ${fx.namespace}, applied on every instance.`);
    expect(await rows()).toBe(0);
    expect((await fx.call('GET', '/admin/cache/stats', admin)).body.l1.entries).toBe(0);
    const audit = (await fx.call('GET', '/admin/cache/audit?limit=10', admin)).body.entries.filter((row: { action: string }) => row.action === 'clear');
    expect(audit.map((row: { result: { status: string } }) => row.result.status).slice(0, 3)).toEqual(['cleared', 'confirmation-required', 'confirmation-required']);
  });

  it('6. rejects a wrong token with a clear message and keeps nothing', async () => {
    const other = await browser.newPage(LAPTOP);
    try {
      const forged = await signToken('another-secret-another-secret-another-secret', { sub: 'mallory', role: 'admin' });
      await signIn(other, forged);
      const alert = other.locator('#signin-error');
      await eventually(() => alert.innerText(), (text) => text === 'The server rejected this token: Invalid token: signature does not match');
      await other.screenshot({ path: join(SHOTS, 'signin-rejected-laptop.png') });
      expect(await other.evaluate(STORED_TOKEN)).toBeNull();

      await other.getByLabel('Admin token (JWT)').fill('not-a-jwt');
      await other.getByRole('button', { name: 'Sign in' }).click();
      await eventually(() => alert.innerText(), (text) => text.startsWith('The server rejected this token: Invalid token'));

      await other.getByLabel('Admin token (JWT)').fill(student);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await eventually(() => alert.innerText(), (text) => text === 'This token is valid but may not use the cache admin API: The cache admin API requires role "admin"');
      await expect(other.getByRole('tab', { name: 'Overview' }).count()).resolves.toBe(0);
    } finally {
      await other.close();
    }
  });

  it('goes back to the sign-in form, saying why, when a stored token stops working', async () => {
    const other = await browser.newPage(LAPTOP);
    try {
      await signIn(other, admin);
      await tab(other, 'Overview').waitFor();
      const expired = await signToken(TEST_JWT_SECRET, { sub: 'alice', role: 'admin' }, '-1m');
      await other.evaluate(storeToken(expired));
      await other.reload();
      await eventually(() => other.locator('#signin-error').innerText(), (text) => text === 'The server rejected this token: Invalid token: expired');
      expect(await other.evaluate(STORED_TOKEN)).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('refreshes on its own every 30 s', async () => {
    // A fake clock is installed per browser context: a browser of its own keeps it away from the others.
    const own = await launchBrowser();
    const other = await own.newPage(LAPTOP);
    try {
      await other.clock.install();
      await signIn(other, admin);
      await metric(other, 'loaderCalls').waitFor();
      const before = await number(other, 'loaderCalls');
      await fx.call('GET', '/expert-sessions/2', student);
      await other.clock.runFor(29_000);
      expect(await number(other, 'loaderCalls')).toBe(before);
      await other.clock.runFor(1_500);
      await eventually(() => number(other, 'loaderCalls'), (value) => value === before + 1, 5_000);
      expect(own.problems).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('renders every tab at laptop and phone sizes without horizontal scrolling (screenshots)', async () => {
    // Some traffic for the figures and charts: reads of several users, a write, an invalidation.
    const users = await Promise.all([1, 2, 3, 4].map((id) => fx.token('user', `student-${id}`)));
    for (let round = 0; round < 24; round++) {
      await Promise.all(
        users.flatMap((token, index) => [
          fx.call('GET', '/expert-sessions', token),
          fx.call('GET', `/expert-sessions/${1 + ((round + index) % 5)}`, token),
          fx.call('GET', `/expert-sessions?productId=${1 + (round % 3)}`, token),
          fx.call('GET', '/chats', token),
        ]),
      );
      if (round % 4 === 3) await fx.call('POST', '/admin/cache/invalidate', admin, { tags: [`expert_session:${1 + (round % 5)}`] });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await fx.call('POST', '/admin/cache/warm', admin, {});

    for (const [size, viewport] of [
      ['laptop', LAPTOP],
      ['phone', PHONE],
    ] as const) {
      const shot = await browser.newPage(viewport);
      try {
        await shot.goto(`${fx.url}/admin/dashboard`);
        await shot.getByRole('button', { name: 'Sign in' }).waitFor();
        expect(['sign-in', size, await shot.evaluate(HORIZONTAL_OVERFLOW)]).toEqual(['sign-in', size, 0]);
        await shot.screenshot({ path: join(SHOTS, `signin-${size}.png`) });
        await signIn(shot, admin);
        for (const name of ['Overview', 'Entries', 'Maintenance']) {
          await tab(shot, name).click();
          await settled(shot);
          if (name === 'Maintenance') {
            await expect(shot.locator('[data-metric="report.status"] .badge').innerText()).resolves.toBe('warning');
            await shot.locator('.finding.warning', { hasText: 'hit-ratio' }).waitFor();
            await shot.locator('.finding.info', { hasText: 'low-reuse-tag' }).first().waitFor();
          }
          const overflow = await shot.evaluate(HORIZONTAL_OVERFLOW);
          expect([name, size, overflow]).toEqual([name, size, 0]);
          const file = `${name.toLowerCase()}-${size}`;
          await shot.screenshot({ path: join(SHOTS, `${file}.png`) });
          await shot.screenshot({ path: join(SHOTS, `${file}-full.png`), fullPage: true });
        }
      } finally {
        await shot.close();
      }
    }
    expect(browser.problems).toEqual([]);
  }, 90_000);
});
