import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../../src/app.module.js';
import { configureApp } from '../../../src/app.setup.js';
import { signToken, type Role } from '../../../src/auth/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { createHttpAdapter } from '../../../src/http/http-adapter.factory.js';
import { SEED_SCALES, seedDatabase, type SeedScale } from '../../../src/domain/seed/index.js';
import { TEST_JWT_SECRET } from '../../support/app/boot-app.js';
import { initForRequests, TEST_ADAPTER_ENV } from '../../support/app/http-adapter.js';
import { settleInvalidations } from '../../support/app/settle-invalidations.js';
import { createTestDatabase, type TestDatabase } from '../../support/app/test-database.js';
import { createTestRedis, type TestRedis } from '../../support/isolation.js';
import { TEST_REDIS_URL } from '../../support/services.js';
import { QueryCounter } from './query-counter.js';

/** One booted instance of the real app, with a counter on its TypeORM statements. */
export interface AppInstance {
  readonly app: INestApplication;
  readonly queries: QueryCounter;
  /** supertest against this instance, with `Authorization` set for `sub`/`role`. */
  as(sub: string, role?: Role): Promise<AuthedAgent>;
}

export type AuthedAgent = {
  get(path: string): request.Test;
  post(path: string): request.Test;
  patch(path: string): request.Test;
  delete(path: string): request.Test;
};

/**
 * Boots the real AppModule (same pipes and OpenAPI as `main.ts`) on `databaseUrl`, with its own
 * Redis key prefix (`CACHE_KEY_PREFIX`): tag clocks and the bus channel live under the prefix, so
 * suites running in parallel never invalidate (or wake) each other's entries. On the run's HTTP
 * adapter (`TEST_HTTP_ADAPTER`) unless `env` names `HTTP_ADAPTER`.
 */
export async function bootInstance(databaseUrl: string, namespace: string, redisPrefix: string, env: Record<string, string> = {}): Promise<AppInstance> {
  const config = loadConfig({
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    CACHE_NAMESPACE: namespace,
    CACHE_KEY_PREFIX: redisPrefix,
    ...TEST_ADAPTER_ENV,
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(config), { logger: ['error', 'warn'] });
  configureApp(app);
  await initForRequests(app);
  const queries = QueryCounter.install(app.get(DataSource));
  return {
    app,
    queries,
    async as(sub, role = 'user') {
      const auth = `Bearer ${await signToken(TEST_JWT_SECRET, { sub, role })}`;
      const server = app.getHttpServer();
      return {
        get: (path) => request(server).get(path).set('Authorization', auth),
        post: (path) => request(server).post(path).set('Authorization', auth),
        patch: (path) => request(server).patch(path).set('Authorization', auth),
        delete: (path) => request(server).delete(path).set('Authorization', auth),
      };
    },
  };
}

/** A fresh database (migrated by the first instance, then seeded), a Redis prefix, and instances on them. */
export interface DomainFixture {
  readonly database: TestDatabase;
  readonly redis: TestRedis;
  readonly namespace: string;
  readonly primary: AppInstance;
  /**
   * Another instance on the same database, namespace and Redis prefix: a second app server.
   * @param env further settings for this instance only (e.g. tight rate limits).
   */
  startInstance(env?: Record<string, string>): Promise<AppInstance>;
  /** Closes every instance, deletes the Redis keys and drops the database. */
  close(): Promise<void>;
}

export async function createDomainFixture(label: string, scale: SeedScale = SEED_SCALES.small): Promise<DomainFixture> {
  const database = await createTestDatabase(label);
  const redis = createTestRedis(label);
  const namespace = redis.prefix.slice(0, -1);
  const instances: AppInstance[] = [];
  try {
    const primary = await bootInstance(database.url, namespace, redis.prefix);
    instances.push(primary);
    const runner = primary.app.get(DataSource).createQueryRunner();
    try {
      await seedDatabase(runner, scale);
    } finally {
      await runner.release();
    }
    await settleInvalidations(primary.app);
    return {
      database,
      redis,
      namespace,
      primary,
      async startInstance(env) {
        const instance = await bootInstance(database.url, namespace, redis.prefix, env);
        instances.push(instance);
        return instance;
      },
      close: () => closeAll(instances, redis, database),
    };
  } catch (error) {
    await closeAll(instances, redis, database);
    throw error;
  }
}

async function closeAll(instances: AppInstance[], redis: TestRedis, database: TestDatabase): Promise<void> {
  for (const instance of instances.splice(0)) await instance.app.close().catch(() => undefined);
  await redis.drop().catch(() => undefined);
  await database.drop();
}

