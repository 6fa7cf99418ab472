import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TieredCache } from '../../libs/tiered-cache/src/core/tiered-cache.js';
import { Cached, TieredCacheModule } from '../../libs/tiered-cache/src/nest/index.js';
import type { BenchEnv } from '../lib/env.js';
import { sequential, type BenchTask } from '../lib/measure.js';
import { BENCH_TTL_MS, L1_MAX_ENTRIES } from '../lib/subjects.js';

/**
 * Case 1 through the Nest surface: a provider method decorated with `@Cached`, in a Nest
 * application context with `TieredCacheModule.forRoot` (same tiers as the engine row: L1 + L2).
 * The key function is the usual `(id) => \`article:${id}\``, so one call builds its key like an
 * application would.
 */
@Injectable()
class ArticleReader {
  loads = 0;
  constructor(private readonly source: Map<number, unknown>) {}

  @Cached({ key: (id: number) => `article:${id}` })
  async byId(id: number): Promise<unknown> {
    this.loads++;
    return this.source.get(id);
  }

  /** Default key: `ArticleReader.byIdDefaultKey:` + a stable hash of the arguments. */
  @Cached()
  async byIdDefaultKey(id: number): Promise<unknown> {
    this.loads++;
    return this.source.get(id);
  }
}

const SOURCE = Symbol('source');

export interface CachedMethodSubject {
  /** Empty when the Nest surface is not available. */
  tasks: BenchTask[];
  /** Line for the case's set-up description. */
  setup: string;
}

export async function cachedMethodSubject(env: BenchEnv, keys: readonly string[], values: readonly unknown[], batch: number): Promise<CachedMethodSubject> {
  const source = new Map(values.map((value, index) => [index, value]));

  @Module({
    imports: [
      TieredCacheModule.forRoot({
        namespace: 'case1_cached',
        memory: { maxEntries: L1_MAX_ENTRIES },
        redis: { url: env.redisUrl, keyPrefix: `${env.prefix}tc:` },
        defaults: { ttl: BENCH_TTL_MS },
        contextInterceptor: false,
      }),
    ],
    providers: [{ provide: SOURCE, useValue: source }, { provide: ArticleReader, useFactory: (rows: Map<number, unknown>) => new ArticleReader(rows), inject: [SOURCE] }],
  })
  class BenchModule {}

  const app: INestApplicationContext = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  env.onDispose(() => app.close());
  const reader = app.get(ArticleReader);
  const cache = app.get(TieredCache);
  // Warm through the method itself, so the entries are exactly what @Cached writes.
  for (let id = 0; id < keys.length; id++) {
    await reader.byId(id);
    await reader.byIdDefaultKey(id);
  }
  if (reader.loads !== 2 * keys.length || cache.stats().l1.entries < 2 * keys.length) {
    throw new Error(`@Cached warm-up: ${reader.loads} loads, ${cache.stats().l1.entries} L1 entries`);
  }
  reader.loads = 0;
  const count = keys.length;
  const check = () => (reader.loads === 0 ? undefined : `the method body ran ${reader.loads} times while hits were measured`);
  return {
    tasks: [
      { name: 'ours @Cached method', kind: 'ours', ops: batch, fn: sequential(batch, (index) => reader.byId(index % count)), check },
      {
        name: 'ours @Cached, default key',
        kind: 'ours',
        ops: batch,
        fn: sequential(batch, (index) => reader.byIdDefaultKey(index % count)),
        check,
      },
    ],
    setup:
      'Ours via Nest: provider methods in a `NestFactory.createApplicationContext` app with `TieredCacheModule.forRoot` (L1 + L2), called as `reader.byId(id)`: ' +
      '"@Cached method" has ``@Cached({ key: (id) => `article:${id}` })``; "@Cached, default key" has `@Cached()`, whose key is the method name and a stable hash of the arguments.',
  };
}
