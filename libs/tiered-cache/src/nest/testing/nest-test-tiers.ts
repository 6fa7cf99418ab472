import { Test, type TestingModule } from '@nestjs/testing';
import type { ModuleMetadata } from '@nestjs/common';
import { TieredCache } from '../../core/tiered-cache.js';
import { createTestRedis, createTestSchema, uniqueName, type TestRedis, type TestSchema } from '../../../../../test/support/isolation.js';
import type { TieredCacheModuleExtras, TieredCacheModuleOptions } from '../tiered-cache-module.options.js';
import { TieredCacheModule } from '../tiered-cache.module.js';

/**
 * Real Redis and PostgreSQL, isolated for one spec file: a Redis key prefix and a schema of its
 * own. Every application built on them gets its own cache namespace, so tests never share entries;
 * two caches built with the same namespace behave like two instances of one application.
 */
export interface NestTestTiers {
  readonly redis: TestRedis;
  readonly db: TestSchema;
  /** Options on the shared storage (all three tiers) with a fresh namespace, unless overridden. */
  options(overrides?: Partial<TieredCacheModuleOptions>): TieredCacheModuleOptions;
  /** A started testing module with `TieredCacheModule.forRoot(options)` and `metadata`. */
  start(metadata: ModuleMetadata, options?: TieredCacheModuleOptions & TieredCacheModuleExtras): Promise<TestingModule>;
  /** Closes what `start` and `peer` opened, and removes the Redis keys and the schema. */
  dispose(): Promise<void>;
  /** A plain cache on the same storage and namespace with no L1: it sees only what reached L2/L3. */
  peer(namespace: string): Promise<TieredCache>;
}

export async function createNestTestTiers(label: string): Promise<NestTestTiers> {
  const redis = createTestRedis(label);
  const db = await createTestSchema(label);
  const modules: TestingModule[] = [];
  const peers: TieredCache[] = [];
  const options = (overrides: Partial<TieredCacheModuleOptions> = {}): TieredCacheModuleOptions => ({
    namespace: uniqueName('ns'),
    redis: { client: redis.client, keyPrefix: redis.prefix },
    postgres: { pool: db.pool, schema: db.schema },
    readyTimeoutMs: 2_000,
    ...overrides,
  });
  return {
    redis,
    db,
    options,
    async start(metadata, moduleOptions = options()) {
      const moduleRef = await Test.createTestingModule({
        ...metadata,
        imports: [TieredCacheModule.forRoot(moduleOptions), ...(metadata.imports ?? [])],
      }).compile();
      modules.push(moduleRef);
      await moduleRef.init();
      return moduleRef;
    },
    async peer(namespace) {
      const cache = new TieredCache({ ...options({ namespace }), memory: false });
      peers.push(cache);
      await cache.ready(2_000);
      return cache;
    },
    async dispose() {
      await Promise.all(modules.map((moduleRef) => moduleRef.close()));
      await Promise.all(peers.map((cache) => cache.close()));
      await redis.drop();
      await db.drop();
    },
  };
}
