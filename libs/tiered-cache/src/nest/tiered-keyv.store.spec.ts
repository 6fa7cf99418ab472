import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CACHE_MANAGER, CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { Controller, Get, UseInterceptors, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import request from 'supertest';
import { TieredCache } from '../core/tiered-cache.js';
import { ArticlesService } from './testing/articles.service.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';
import { TieredCacheModule } from './tiered-cache.module.js';
import { TieredKeyvStore } from './tiered-keyv.store.js';

@Controller('clock')
@UseInterceptors(CacheInterceptor)
class ClockController {
  ticks = 0;

  @Get()
  tick(): { tick: number } {
    return { tick: ++this.ticks };
  }
}

/** What Keyv writes for a value: its own envelope, serialized. */
function keyvPayload(raw: unknown): unknown {
  return (JSON.parse(raw as string) as { value: unknown } | null)?.value;
}

describe('TieredKeyvStore under @nestjs/cache-manager', () => {
  let tiers: NestTestTiers;
  let app: INestApplication | undefined;
  beforeAll(async () => {
    tiers = await createNestTestTiers('keyv');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => tiers.dispose());

  async function start() {
    const options = tiers.options();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TieredCacheModule.forRoot(options),
        CacheModule.registerAsync({
          inject: [TieredCache],
          useFactory: (cache: TieredCache) => ({ stores: [new TieredKeyvStore(cache)], ttl: 60_000 }),
        }),
      ],
      controllers: [ClockController],
      providers: [ArticlesService],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return {
      manager: moduleRef.get<Cache>(CACHE_MANAGER),
      articles: moduleRef.get(ArticlesService),
      server: app.getHttpServer(),
      peer: await tiers.peer(options.namespace!),
    };
  }

  it('sets, gets and deletes through CACHE_MANAGER, in the shared tiers', async () => {
    const { manager, peer } = await start();
    await manager.set('greeting', { text: 'hello', at: 1 });
    expect(await manager.get('greeting')).toEqual({ text: 'hello', at: 1 });
    expect(keyvPayload(await peer.get('~kv::greeting'))).toEqual({ text: 'hello', at: 1 });

    await manager.del('greeting');
    expect(await manager.get('greeting')).toBeUndefined();
    expect(await peer.get('~kv::greeting')).toBeUndefined();
  });

  it("passes Keyv's TTL to the tiers", async () => {
    const { manager, peer } = await start();
    await manager.set('short', 'lived', 150);
    expect(await peer.get('~kv::short')).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await peer.get('~kv::short')).toBeUndefined();
    expect(await manager.get('short')).toBeUndefined();
  });

  it("clears Keyv's entries only, not the rest of the cache", async () => {
    const { manager, articles } = await start();
    await articles.byId('1');
    await manager.set('a', 1);
    await manager.set('b', 2);
    await manager.clear();
    expect(await manager.get('a')).toBeUndefined();
    expect(await manager.get('b')).toBeUndefined();
    await articles.byId('1');
    expect(articles.calls.byId).toBe(1);
    await manager.set('a', 3);
    expect(await manager.get('a')).toBe(3);
  });

  it('serves CacheInterceptor responses from the tiers', async () => {
    const { server, peer } = await start();
    const first = await request(server).get('/clock').expect(200);
    const second = await request(server).get('/clock').expect(200);
    expect(first.body).toEqual({ tick: 1 });
    expect(second.body).toEqual({ tick: 1 });
    expect(keyvPayload(await peer.get('~kv::/clock'))).toEqual({ tick: 1 });
  });

  it('answers a GET right after the first response from the cache: the interceptor does not await its set', async () => {
    const { server } = await start();
    const controller = app!.get(ClockController);
    const before = controller.ticks;
    for (let i = 0; i < 50; i++) {
      await request(server).get(`/clock?page=${i}`).expect(200);
      await request(server).get(`/clock?page=${i}`).expect(200);
    }
    expect(controller.ticks - before).toBe(50);
  });

  it('a CACHE_MANAGER.set on one instance reaches what another instance serves from L1', async () => {
    const { manager } = await start();
    // Another instance on the same storage and namespace, with an L1 of its own.
    const other = new TieredCache(tiers.options({ namespace: app!.get(TieredCache).namespace }));
    try {
      await other.ready(2_000);
      const read = async () => keyvPayload((await other.get('~kv::shared')) ?? 'null');
      await manager.set('shared', 'v1');
      expect(await read()).toBe('v1'); // now in the other's L1
      await manager.set('shared', 'v2');
      const deadline = Date.now() + 2_000;
      while ((await read()) !== 'v2' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await read()).toBe('v2');
    } finally {
      await other.close();
    }
  });
});
