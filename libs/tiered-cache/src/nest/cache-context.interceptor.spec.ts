import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, UseInterceptors, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheContextInterceptor } from './cache-context.interceptor.js';
import { ArticlesService } from './testing/articles.service.js';
import { HeaderAuthGuard, type HeaderRequest } from './testing/header-auth.guard.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';
import type { TieredCacheModuleExtras, TieredCacheModuleOptions } from './tiered-cache-module.options.js';
import { TieredCacheModule } from './tiered-cache.module.js';

@Controller('drafts')
class DraftsController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  async list(): Promise<unknown> {
    // The call comes after an await, as it would after a database read.
    await new Promise((resolve) => setTimeout(resolve, 2));
    return this.articles.myDrafts();
  }
}

@Controller('manual-drafts')
@UseInterceptors(CacheContextInterceptor)
class ManualDraftsController {
  constructor(private readonly articles: ArticlesService) {}

  @Get()
  async list(): Promise<unknown> {
    return this.articles.myDrafts();
  }
}

const NAMESPACE_TOKEN = Symbol('namespace');

@Module({ providers: [{ provide: NAMESPACE_TOKEN, useValue: 'from-config' }], exports: [NAMESPACE_TOKEN] })
class FakeConfigModule {}

describe('CacheContextInterceptor', () => {
  let tiers: NestTestTiers;
  let app: INestApplication | undefined;
  beforeAll(async () => {
    tiers = await createNestTestTiers('context');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => tiers.dispose());

  async function start(cacheModule: ReturnType<typeof TieredCacheModule.forRoot>, controllers: Array<new (...args: never[]) => unknown>) {
    const moduleRef = await Test.createTestingModule({
      imports: [cacheModule],
      controllers,
      providers: [ArticlesService, { provide: APP_GUARD, useClass: HeaderAuthGuard }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return { server: app.getHttpServer(), articles: moduleRef.get(ArticlesService) };
  }

  const forRoot = (extra: Partial<TieredCacheModuleOptions> & TieredCacheModuleExtras = {}) =>
    TieredCacheModule.forRoot({ ...tiers.options(), ...extra });

  it('runs each handler in the context of the principal the guard found; users never share', async () => {
    const { server, articles } = await start(forRoot(), [DraftsController]);
    const get = (user: string) => request(server).get('/drafts').set('x-user', user).expect(200);
    expect((await get('alice')).body).toEqual({ run: 1 });
    expect((await get('bob')).body).toEqual({ run: 2 });
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => get(i % 2 === 0 ? 'alice' : 'bob')));
    expect(concurrent.map((res) => res.body.run)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 1 : 2)));
    expect((await get('42')).body).toEqual({ run: 3 });
    expect(articles.calls.myDrafts).toBe(3);
  });

  it('refuses a scoped call for a request without a principal', async () => {
    const { server, articles } = await start(forRoot(), [DraftsController]);
    await request(server).get('/drafts').expect(500);
    expect(articles.calls.myDrafts).toBeUndefined();
  });

  it('reads the principal with a custom resolver configured through forRootAsync', async () => {
    const module = TieredCacheModule.forRootAsync({
      imports: [FakeConfigModule],
      inject: [NAMESPACE_TOKEN],
      useFactory: (namespace: string) => ({
        ...tiers.options({ namespace: `${namespace}_${Date.now()}` }),
        principal: async (req: unknown) => ({ userId: (req as HeaderRequest).headers['x-api-key'] }),
      }),
    });
    const { server, articles } = await start(module, [DraftsController]);
    expect((await request(server).get('/drafts').set('x-api-key', 'k1').expect(200)).body).toEqual({ run: 1 });
    expect((await request(server).get('/drafts').set('x-api-key', 'k2').expect(200)).body).toEqual({ run: 2 });
    expect((await request(server).get('/drafts').set('x-api-key', 'k1').expect(200)).body).toEqual({ run: 1 });
    await request(server).get('/drafts').set('x-user', 'alice').expect(500);
    expect(articles.calls.myDrafts).toBe(2);
  });

  it('can be left off globally and applied per controller', async () => {
    const { server } = await start(forRoot({ contextInterceptor: false }), [DraftsController, ManualDraftsController]);
    await request(server).get('/drafts').set('x-user', 'alice').expect(500);
    expect((await request(server).get('/manual-drafts').set('x-user', 'alice').expect(200)).body).toEqual({ run: 1 });
  });
});
