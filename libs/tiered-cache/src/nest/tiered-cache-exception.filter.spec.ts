import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, NotFoundException, Query, type INestApplication, type LoggerService } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { createLibraryTestApp } from '../../../../test/support/app/http-adapter.js';
import { CacheResponse } from './cache-response.decorator.js';
import { Cached } from './cached.decorator.js';
import { HeaderAuthGuard } from './testing/header-auth.guard.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';
import { TieredCacheExceptionFilter } from './tiered-cache-exception.filter.js';
import { TieredCacheModule } from './tiered-cache.module.js';

type SearchRequest = { query?: Record<string, string | undefined> };

@Injectable()
class SlowSource {
  @Cached({ key: () => 'slow', hardTimeout: 50 })
  async load(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return 'late';
  }
}

@Controller('filtered')
class FilteredController {
  constructor(private readonly slow: SlowSource) {}

  @Get('search')
  @CacheResponse({ scope: 'shared', key: (req) => `search:${(req as SearchRequest).query?.q}` })
  search(@Query('q') q: string) {
    return { q };
  }

  @Get('tagged')
  @CacheResponse({ scope: 'shared', tags: (req) => [`tag:${(req as SearchRequest).query?.tag}`] })
  tagged() {
    return { ok: true };
  }

  @Get('mine')
  @CacheResponse({ scope: 'user' })
  mine() {
    return { mine: true };
  }

  @Get('slow')
  slowly() {
    return this.slow.load();
  }

  @Get('big')
  @CacheResponse({ scope: 'shared' })
  big() {
    return { blob: 'x'.repeat(10_000) };
  }

  @Get('buggy-key')
  @CacheResponse({ scope: 'shared', key: () => 42 as unknown as string })
  buggyKey() {
    return { ok: true };
  }

  @Get('not-found')
  @CacheResponse({ scope: 'shared' })
  notFound(): never {
    throw new NotFoundException('no such thing');
  }

  @Get('plain-error')
  plainError(): never {
    throw new Error('not the cache');
  }
}

describe('TieredCacheExceptionFilter (APP_FILTER)', () => {
  let tiers: NestTestTiers;
  let app: INestApplication;
  const get = (path: string) => request(app.getHttpServer()).get(path);
  const logged: Array<{ message: unknown; context: unknown }> = [];
  const logger: LoggerService = {
    error: (message, _stack, context) => logged.push({ message, context }),
    log: () => undefined,
    warn: () => undefined,
  };

  beforeAll(async () => {
    tiers = await createNestTestTiers('http_errors');
    const moduleRef = await Test.createTestingModule({
      imports: [TieredCacheModule.forRoot(tiers.options({ maxPayloadBytes: 4_096 }))],
      controllers: [FilteredController],
      providers: [SlowSource, { provide: APP_GUARD, useClass: HeaderAuthGuard }, { provide: APP_FILTER, useClass: TieredCacheExceptionFilter }],
    }).compile();
    app = createLibraryTestApp(moduleRef, { logger });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await tiers.dispose();
  });

  it('answers 400 naming the reason, not the key, for a key made of bad input (InvalidKeyError)', async () => {
    const res = await get('/filtered/search?q=a%00b').expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'The request makes an invalid cache key (must not contain U+0000)' });
    await get('/filtered/search?q=fine').expect(200, { q: 'fine' });
  });

  it('answers 400 for a tag made of bad input (InvalidTagError)', async () => {
    const res = await get(`/filtered/tagged?tag=${'t'.repeat(300)}`).expect(400);
    expect(res.body.message).toBe('The request makes an invalid cache tag (must be at most 200 characters)');
  });

  it('answers 401 for an entry cached per user when the request names none (MissingScopeError)', async () => {
    const res = await get('/filtered/mine').expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'This response is cached per user, and the request names no user' });
    await get('/filtered/mine').set('x-user', 'ann').expect(200, { mine: true });
  });

  it('answers 504 when the loader runs past its hard timeout (LoaderTimeoutError)', async () => {
    const res = await get('/filtered/slow').expect(504);
    expect(res.body).toEqual({ statusCode: 504, error: 'Gateway Timeout', message: 'The data source did not answer in time' });
  });

  it('answers 500 with a message of its own for a response over maxPayloadBytes (PayloadTooLargeError)', async () => {
    const res = await get('/filtered/big').expect(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'The response is larger than the cache may store' });
  });

  it("answers 500 without details for a key function's own bug (a key that is not a string)", async () => {
    const res = await get('/filtered/buggy-key').expect(500);
    expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  });

  it('logs what a 5xx answer withholds, and no client fault', async () => {
    logged.length = 0;
    await get('/filtered/search?q=a%00b').expect(400);
    await get('/filtered/mine').expect(401);
    expect(logged).toEqual([]);
    await get('/filtered/big').expect(500);
    expect(logged).toEqual([{ context: 'TieredCache', message: expect.stringContaining('over maxPayloadBytes (4096)') }]);
  });

  it('leaves other errors to Nest', async () => {
    await get('/filtered/not-found').expect(404);
    const res = await get('/filtered/plain-error').expect(500);
    expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
  });
});
