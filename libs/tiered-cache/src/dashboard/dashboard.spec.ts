import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DashboardAssets, escapeHtml } from './dashboard-assets.js';
import { TieredCacheDashboardModule } from './dashboard.module.js';

// On Fastify as docs/fastify.md sets it up: `ignoreTrailingSlash`, so that `/admin/dashboard/` answers too.
describe.each(['express', 'fastify'] as const)('TieredCacheDashboardModule on %s', (platform) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(module: ReturnType<typeof TieredCacheDashboardModule.forRoot>, prefix?: string): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const adapter = platform === 'fastify' ? new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } }) : new ExpressAdapter();
    app = moduleRef.createNestApplication(adapter, { logger: false });
    if (prefix) app.setGlobalPrefix(prefix);
    await app.init();
    if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
    return app;
  }

  const attribute = (html: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];

  it('serves the page at admin/dashboard, pointing at admin/cache', async () => {
    const server = (await start(TieredCacheDashboardModule.forRoot({}))).getHttpServer();
    for (const path of ['/admin/dashboard', '/admin/dashboard/']) {
      const { text } = await request(server).get(path).expect(200).expect('content-type', /text\/html/);
      expect([attribute(text, '<base href'), attribute(text, 'data-api'), attribute(text, 'data-refresh-ms')]).toEqual(['/admin/dashboard/', '/admin/cache', '30000']);
    }
  });

  it('follows the global prefix, a custom path and API path, and escapes the title', async () => {
    const module = TieredCacheDashboardModule.forRoot({ path: '/ops/cache-ui/', apiPath: 'ops/cache-api', refreshInterval: 0, title: 'Cache <prod> & "eu"' });
    const server = (await start(module, 'api')).getHttpServer();
    const { text } = await request(server).get('/api/ops/cache-ui?x=1').expect(200);
    expect(attribute(text, '<base href')).toBe('/api/ops/cache-ui/');
    expect(attribute(text, 'data-api')).toBe('/api/ops/cache-api');
    expect(attribute(text, 'data-refresh-ms')).toBe('0');
    expect(text).toContain('<title>Cache &#60;prod&#62; &#38; &#34;eu&#34;</title>');
    await request(server).get('/api/ops/cache-ui/assets/app.mjs').expect(200).expect('content-type', /text\/javascript/);
  });

  it('uses an absolute API path as it is', async () => {
    const server = (await start(TieredCacheDashboardModule.forRoot({ apiPath: '/cache-admin/' }), 'api')).getHttpServer();
    const { text } = await request(server).get('/api/admin/dashboard').expect(200);
    expect(attribute(text, 'data-api')).toBe('/cache-admin');
  });
});

describe('DashboardAssets', () => {
  const assets = new DashboardAssets();

  it('holds the page modules, styles and icon, and nothing else', () => {
    expect(assets.names()).toEqual(
      expect.arrayContaining(['api.mjs', 'app.mjs', 'charts.mjs', 'dashboard.css', 'dom.mjs', 'entries.mjs', 'favicon.svg', 'format.mjs', 'maintenance.mjs', 'overview.mjs', 'ui.mjs']),
    );
    expect(assets.names().every((name) => /\.(mjs|css|svg)$/.test(name))).toBe(true);
    for (const name of ['index.html', '../dashboard.module.ts', '.app.mjs', 'APP.MJS', 'app.mjs/']) expect(assets.asset(name)).toBeUndefined();
  });

  it('fills every placeholder of the page, escaped', () => {
    const page = assets.page({ base: '/a/', api: '/b"c', refreshMs: 5, title: '<t>' });
    expect(page).not.toMatch(/\{\{\w+\}\}/);
    expect(page).toContain('data-api="/b&#34;c"');
    expect(escapeHtml(`<&>"'`)).toBe('&#60;&#38;&#62;&#34;&#39;');
  });
});
