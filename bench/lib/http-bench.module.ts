/**
 * Bench-only routes next to the reference app's own, for case 8. Imports `src/`, so load it only
 * after `loadReferenceApp()` (`app-alias.ts`). Every route here runs behind the app's global JWT
 * guard and validation pipe, like `GET /expert-sessions/:id`, except `GET /bench/bare`.
 */
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { Controller, Get, Module, Param, UseInterceptors, type DynamicModule } from '@nestjs/common';
import { createKeyv } from '@keyv/redis';
import { memoryStore } from './subjects.js';
import { CacheResponse, TieredCache } from '@tiered-cache/nestjs';
import { TieredKeyvStore } from '@tiered-cache/nestjs/keyv';
import { Public } from '../../src/auth/index.js';
import { expertSessionTag, IdParamDto, productTag } from '../../src/domain/index.js';
import type { ExpertSessionWithStatsDto } from '../../src/expert-sessions/expert-session.dto.js';
import { ExpertSessionsModule } from '../../src/expert-sessions/expert-sessions.module.js';
import { ExpertSessionsService } from '../../src/expert-sessions/expert-sessions.service.js';

/** The TTL `@Cached` gives `getWithStats`, given to `CacheInterceptor` too. */
const TTL_MS = 5 * 60_000;

/**
 * `ExpertSessionsService.getWithStats` without the cache: the method from the class prototype,
 * i.e. the undecorated code (the library wraps the instance's methods, not the prototype's).
 */
function uncachedGetWithStats(sessions: ExpertSessionsService, id: number): Promise<ExpertSessionWithStatsDto> {
  return ExpertSessionsService.prototype.getWithStats.call(sessions, id);
}

/** What the constant routes return: the session's JSON, set by the case once the app is up. */
export const benchConstant: { value: ExpertSessionWithStatsDto | undefined } = { value: undefined };

@Controller('bench')
class BenchRoutesController {
  constructor(private readonly sessions: ExpertSessionsService) {}

  /** The app's endpoint, uncached: same guard, pipe and parameters; the query runs every time. */
  @Get('uncached/expert-sessions/:id')
  uncached(@Param() { id }: IdParamDto): Promise<ExpertSessionWithStatsDto> {
    return uncachedGetWithStats(this.sessions, id);
  }

  /** Same guard, pipe and parameters as the app's endpoint; returns a constant (an async handler, like the app's). */
  @Get('constant/expert-sessions/:id')
  async constant(@Param() _params: IdParamDto): Promise<ExpertSessionWithStatsDto | undefined> {
    return benchConstant.value;
  }

  /** The framework's limit: public (no guard), no parameters, a constant. */
  @Public()
  @Get('bare')
  bare(): ExpertSessionWithStatsDto | undefined {
    return benchConstant.value;
  }
}

/** The uncached handler behind our `@CacheResponse` (key: the URL), with the tags `@Cached` gives it. */
@Controller('bench/cache-response')
export class CacheResponseController {
  constructor(private readonly sessions: ExpertSessionsService) {}

  @Get('expert-sessions/:id')
  @CacheResponse({
    scope: 'shared',
    ttl: TTL_MS,
    tags: (_req, body) => [expertSessionTag((body as ExpertSessionWithStatsDto).id), productTag((body as ExpertSessionWithStatsDto).productId)],
  })
  get(@Param() { id }: IdParamDto): Promise<ExpertSessionWithStatsDto> {
    return uncachedGetWithStats(this.sessions, id);
  }
}

/** The uncached handler behind `@nestjs/cache-manager`'s `CacheInterceptor` (key: the URL). */
@Controller('bench/cache-interceptor')
class RedisInterceptorController {
  constructor(private readonly sessions: ExpertSessionsService) {}

  @Get('expert-sessions/:id')
  @UseInterceptors(CacheInterceptor)
  get(@Param() { id }: IdParamDto): Promise<ExpertSessionWithStatsDto> {
    return uncachedGetWithStats(this.sessions, id);
  }
}

@Controller('bench/cache-interceptor-memory')
export class MemoryRedisInterceptorController {
  constructor(private readonly sessions: ExpertSessionsService) {}

  @Get('expert-sessions/:id')
  @UseInterceptors(CacheInterceptor)
  get(@Param() { id }: IdParamDto): Promise<ExpertSessionWithStatsDto> {
    return uncachedGetWithStats(this.sessions, id);
  }
}

/** `CacheInterceptor` on our engine, through the library's Keyv adapter. */
@Controller('bench/cache-interceptor-tiered')
class TieredInterceptorController {
  constructor(private readonly sessions: ExpertSessionsService) {}

  @Get('expert-sessions/:id')
  @UseInterceptors(CacheInterceptor)
  get(@Param() { id }: IdParamDto): Promise<ExpertSessionWithStatsDto> {
    return uncachedGetWithStats(this.sessions, id);
  }
}

export interface BenchHttpOptions {
  redisUrl: string;
  /** Prefix of every Redis key the interceptors' stores write (the run's). */
  keyPrefix: string;
}

/**
 * The bench's routes, and three `CacheInterceptor` set-ups, each its own module so that each has
 * its own `CACHE_MANAGER`: Redis only (`@keyv/redis`), memory + Redis (the two-store set-up of
 * Nest's caching documentation), and our engine through `TieredKeyvStore` (as
 * `docs/cache-manager-adapter.md` wires it: the app's `TieredCache`, all its tiers).
 */
/** The memory + Redis `CacheInterceptor` set-up, once built: the in-process measure uses its `CACHE_MANAGER`. */
export const memoryRedisInterceptor: { module?: DynamicModule } = {};

export function benchHttpModules(options: BenchHttpOptions): DynamicModule[] {
  @Module({})
  class RedisInterceptorModule {}
  @Module({})
  class MemoryRedisInterceptorModule {}
  @Module({})
  class TieredInterceptorModule {}
  @Module({})
  class BenchRoutesModule {}
  return [
    { module: BenchRoutesModule, imports: [ExpertSessionsModule], controllers: [BenchRoutesController, CacheResponseController] },
    {
      module: RedisInterceptorModule,
      imports: [ExpertSessionsModule, CacheModule.register({ stores: [createKeyv(options.redisUrl, { namespace: `${options.keyPrefix}ci_redis` })], ttl: TTL_MS })],
      controllers: [RedisInterceptorController],
    },
    (memoryRedisInterceptor.module = {
      module: MemoryRedisInterceptorModule,
      imports: [
        ExpertSessionsModule,
        CacheModule.register({ stores: [memoryStore(), createKeyv(options.redisUrl, { namespace: `${options.keyPrefix}ci_memory_redis` })], ttl: TTL_MS }),
      ],
      controllers: [MemoryRedisInterceptorController],
    }),
    {
      module: TieredInterceptorModule,
      imports: [
        ExpertSessionsModule,
        CacheModule.registerAsync({ inject: [TieredCache], useFactory: (cache: TieredCache) => ({ stores: [new TieredKeyvStore(cache)], ttl: TTL_MS }) }),
      ],
      controllers: [TieredInterceptorController],
    },
  ];
}
