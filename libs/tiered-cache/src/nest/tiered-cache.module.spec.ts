import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../../../../test/support/services.js';
import { TieredCache } from '../core/tiered-cache.js';
import type { PostgresTier } from '../tiers/postgres/postgres.tier.js';
import type { RedisTier } from '../tiers/redis/redis.tier.js';
import { ArticlesService } from './testing/articles.service.js';
import { createNestTestTiers, type NestTestTiers } from './testing/nest-test-tiers.js';
import { TieredCacheModule } from './tiered-cache.module.js';

@Injectable()
class FeatureService {
  constructor(readonly cache: TieredCache) {}
}

/** Does not import TieredCacheModule: it relies on the module being global. */
@Module({ providers: [FeatureService] })
class FeatureModule {}

describe('TieredCacheModule', () => {
  let tiers: NestTestTiers;
  beforeAll(async () => {
    tiers = await createNestTestTiers('module');
  });
  afterAll(async () => tiers.dispose());

  it('provides TieredCache by its class, globally, as the instance decorated methods use', async () => {
    const moduleRef = await tiers.start({ imports: [FeatureModule], providers: [ArticlesService] });
    const cache = moduleRef.get(TieredCache);
    expect(moduleRef.get(FeatureService).cache).toBe(cache);
    await moduleRef.get(ArticlesService).byId('1');
    expect(cache.stats().loaderCalls).toBe(1);
    expect(await cache.get('article:1')).toMatchObject({ title: 'One' });
  });

  it('is not global with isGlobal: false', async () => {
    const compiling = Test.createTestingModule({
      imports: [TieredCacheModule.forRoot({ ...tiers.options(), isGlobal: false }), FeatureModule],
    }).compile();
    await expect(compiling).rejects.toThrow(/TieredCache/);
  });

  it('closes the cache, and the connections it opened, on app.close()', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TieredCacheModule.forRoot({
          ...tiers.options(),
          redis: { url: TEST_REDIS_URL, keyPrefix: tiers.redis.prefix },
          postgres: { connectionString: TEST_DATABASE_URL, schema: tiers.db.schema },
        }),
      ],
    }).compile();
    await moduleRef.init();
    const cache = moduleRef.get(TieredCache);
    const l2 = cache.tiers().find((t) => t.name === 'l2')!.tier as RedisTier;
    const l3 = cache.tiers().find((t) => t.name === 'l3')!.tier as PostgresTier;
    await cache.set('module:k', 1);
    expect(l2.client.status).toBe('ready');
    expect(l3.pool.ended).toBe(false);

    await moduleRef.close();
    expect(l3.pool.ended).toBe(true);
    expect(l2.client.status).toBe('end');
  });

  it('starts without Redis, serving from the other tiers', async () => {
    const started = Date.now();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TieredCacheModule.forRoot({
          ...tiers.options(),
          redis: { url: 'redis://127.0.0.1:1', keyPrefix: tiers.redis.prefix },
          readyTimeoutMs: 300,
        }),
      ],
      providers: [ArticlesService],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    try {
      expect(Date.now() - started).toBeLessThan(3_000);
      const articles = moduleRef.get(ArticlesService);
      expect(await articles.byId('2')).toMatchObject({ title: 'Two' });
      expect(await articles.search({ q: 1 })).toEqual(await articles.search({ q: 1 }));
      expect(articles.calls.search).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });
});
