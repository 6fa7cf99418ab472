import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  type INestApplication,
  type PipeTransform,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { InvalidOptionError } from '../core/errors.js';
import { TieredCache } from '../core/tiered-cache.js';
import { CacheResponse } from './cache-response.decorator.js';
import { HeaderAuthGuard, type HeaderRequest } from './testing/header-auth.guard.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';
import { TieredCacheModule } from './tiered-cache.module.js';

const runs: Record<string, number> = {};
const run = (name: string) => (runs[name] = (runs[name] ?? 0) + 1);

/** Counts how often validation ran: a hit must answer before the pipes. */
@Injectable()
class CountingIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    run('pipe');
    return Number(value);
  }
}

@Controller('items')
class ItemsController {
  @Get('shared/:id')
  @CacheResponse({ scope: 'shared', ttl: '1m', tags: (req) => [`item:${req.params?.id}`] })
  async shared(@Param('id', CountingIdPipe) id: number, @Query('view') view?: string) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { id, view: view ?? null, run: run('shared') };
  }

  @Get('mine')
  @CacheResponse({ scope: 'user' })
  async mine(@Req() req: HeaderRequest) {
    return { user: req.user?.sub, run: run('mine') };
  }

  @Get('by-owner')
  @CacheResponse({ scope: 'shared', tags: (_req, body) => [`owner:${(body as { owner: string }).owner}`] })
  async byOwner() {
    return { owner: 'ann', run: run('byOwner') };
  }

  @Get('missing')
  @CacheResponse({ scope: 'shared' })
  async missing(): Promise<never> {
    run('missing');
    throw new NotFoundException('no such item');
  }

  @Post('shared/:id')
  @CacheResponse({ scope: 'shared' })
  async write() {
    return { run: run('write') };
  }
}

@Controller('catalog')
@CacheResponse({ scope: 'shared', ttl: '1m' })
class CatalogController {
  @Get()
  async list() {
    return { run: run('catalog') };
  }

  @Get('special')
  @CacheResponse({ scope: 'shared', key: () => 'catalog-special' })
  async special() {
    return { run: run('special') };
  }
}

// The interceptor sets X-Cache through Nest's HTTP adapter, so it runs on both platforms.
describe.each(['express', 'fastify'] as const)('@CacheResponse on %s', (platform) => {
  let tiers: NestTestTiers;
  let app: INestApplication;
  let cache: TieredCache;
  let namespace: string;
  const get = (path: string) => request(app.getHttpServer()).get(path);

  beforeAll(async () => {
    for (const name of Object.keys(runs)) delete runs[name];
    tiers = await createNestTestTiers(`cache_response_${platform}`);
    const options = tiers.options();
    namespace = options.namespace!;
    const moduleRef = await Test.createTestingModule({
      imports: [TieredCacheModule.forRoot(options)],
      controllers: [ItemsController, CatalogController],
      providers: [{ provide: APP_GUARD, useClass: HeaderAuthGuard }],
    }).compile();
    app = moduleRef.createNestApplication(platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
    await app.init();
    if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
    cache = app.get(TieredCache);
  });
  afterAll(async () => {
    await app.close();
    await tiers.dispose();
  });

  it('answers a repeated GET from the cache, before the pipes and the handler, one entry per URL', async () => {
    const miss = await get('/items/shared/5').expect(200).expect('x-cache', 'MISS');
    expect(miss.body).toEqual({ id: 5, view: null, run: 1 });
    const pipeRuns = runs.pipe;
    const hit = await get('/items/shared/5').expect(200).expect('x-cache', 'HIT');
    expect(hit.body).toEqual({ id: 5, view: null, run: 1 });
    expect(runs.pipe).toBe(pipeRuns);
    expect((await get('/items/shared/5?view=full').expect(200)).body).toEqual({ id: 5, view: 'full', run: 2 });
    // Shared through L2/L3: another instance without L1 finds the body under the URL's key.
    const peer = await tiers.peer(namespace);
    expect(await peer.get('~http:/items/shared/5')).toEqual({ id: 5, view: null, run: 1 });
  });

  it('runs the handler once for concurrent requests on a cold URL', async () => {
    const before = runs.shared ?? 0;
    const bodies = await Promise.all(Array.from({ length: 20 }, () => get('/items/shared/6').expect(200)));
    expect(new Set(bodies.map((res) => res.body.run))).toEqual(new Set([before + 1]));
    expect(runs.shared).toBe(before + 1);
  });

  it('drops entries by tag, from the request or from the body', async () => {
    const first = (await get('/items/shared/7').expect(200)).body.run;
    await cache.invalidateTags(['item:7']);
    expect((await get('/items/shared/7').expect(200)).body.run).toBe(first + 1);

    expect((await get('/items/by-owner').expect(200)).body.run).toBe(1);
    expect((await get('/items/by-owner').expect(200)).body.run).toBe(1);
    await cache.invalidateTags(['owner:ann']);
    expect((await get('/items/by-owner').expect(200)).body.run).toBe(2);
  });

  it('keeps one entry per user, and refuses a scoped route without a principal', async () => {
    expect((await get('/items/mine').set('x-user', 'alice').expect(200)).body).toEqual({ user: 'alice', run: 1 });
    expect((await get('/items/mine').set('x-user', 'bob').expect(200)).body).toEqual({ user: 'bob', run: 2 });
    expect((await get('/items/mine').set('x-user', 'alice').expect(200)).body).toEqual({ user: 'alice', run: 1 });
    await get('/items/mine').expect(500);
    expect(runs.mine).toBe(2);
  });

  it('caches no error: the handler runs again and the status is kept', async () => {
    await get('/items/missing').expect(404);
    expect((await get('/items/missing').expect(404)).body.message).toBe('no such item');
    expect(runs.missing).toBe(2);
  });

  it('lets other methods through', async () => {
    await request(app.getHttpServer()).post('/items/shared/5').expect(201);
    await request(app.getHttpServer()).post('/items/shared/5').expect(201);
    expect(runs.write).toBe(2);
  });

  it('applies controller-wide, where a handler of its own options wins, without waiting on itself', async () => {
    expect((await get('/catalog').expect(200)).body.run).toBe(1);
    expect((await get('/catalog').expect(200)).body.run).toBe(1);
    expect((await get('/catalog/special').expect(200)).body.run).toBe(1);
    expect((await get('/catalog/special').expect(200)).body.run).toBe(1);
    expect(await cache.get('catalog-special')).toEqual({ run: 1 });
    expect(await cache.get('~http:/catalog/special')).toBeUndefined();
  });

  it('refuses a missing scope or a malformed duration where the class is defined', () => {
    expect(() => CacheResponse({} as never)).toThrow(InvalidOptionError);
    expect(() => CacheResponse({ scope: 'everyone' as never })).toThrow(/'shared', 'user' or 'tenant'/);
    expect(() => CacheResponse({ scope: 'shared', ttl: 'soon' })).toThrow(/@CacheResponse\(\)\.ttl/);
  });
});
