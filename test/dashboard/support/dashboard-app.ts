import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TIERED_CACHE_ADMIN_OPTIONS, type TieredCacheAdminOptions } from '@tiered-cache/nestjs/admin';
import { DataSource } from 'typeorm';
import { AppModule } from '../../../src/app.module.js';
import { configureApp } from '../../../src/app.setup.js';
import { signToken, type Role } from '../../../src/auth/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { createHttpAdapter } from '../../../src/http/http-adapter.factory.js';
import { SEED_SCALES, seedDatabase } from '../../../src/domain/seed/index.js';
import { TEST_JWT_SECRET } from '../../support/app/boot-app.js';
import { TEST_ADAPTER_ENV } from '../../support/app/http-adapter.js';
import { settleInvalidations } from '../../support/app/settle-invalidations.js';
import { holdHeavySuiteLock } from '../../support/heavy-suite.lock.js';
import { createTestDatabase, type TestDatabase } from '../../support/app/test-database.js';
import { createTestRedis, uniqueName, type TestRedis } from '../../support/isolation.js';
import { TEST_REDIS_URL } from '../../support/services.js';

/** A parsed JSON body, read structurally by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The real app, listening on a free loopback port, on a database and Redis prefix of its own. */
export interface DashboardApp {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly namespace: string;
  token(role: Role, sub?: string): Promise<string>;
  /** A JSON call with `Authorization: Bearer <token>`; resolves to status and body. */
  call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

/**
 * Boots AppModule as `main.ts` does (same pipes, guard and OpenAPI set-up), with `admin` as the
 * admin module's options (e.g. a short stats history interval), and seeds the small dataset.
 */
export async function startDashboardApp(admin: TieredCacheAdminOptions): Promise<DashboardApp> {
  // The spec drives a browser beside the app: held until close(), after the browser has closed.
  const releaseLock = await holdHeavySuiteLock();
  const database: TestDatabase = await createTestDatabase('dashboard').catch(async (error: unknown) => {
    await releaseLock();
    throw error;
  });
  const redis: TestRedis = createTestRedis('dashboard');
  const namespace = uniqueName('dashboard');
  let app: INestApplication | undefined;
  const close = async () => {
    await app?.close().catch(() => undefined);
    await redis.drop().catch(() => undefined);
    await database.drop().finally(releaseLock);
  };
  try {
    const config = loadConfig({
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHE_NAMESPACE: namespace,
      CACHE_KEY_PREFIX: redis.prefix,
      CACHE_CLEANUP_INTERVAL: '1h',
      ...TEST_ADAPTER_ENV,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(TIERED_CACHE_ADMIN_OPTIONS)
      .useValue(admin)
      .compile();
    app = moduleRef.createNestApplication(createHttpAdapter(config), { logger: ['error', 'warn'] });
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const runner = app.get(DataSource).createQueryRunner();
    try {
      await seedDatabase(runner, SEED_SCALES.small);
    } finally {
      await runner.release();
    }
    await settleInvalidations(app);
    const url = `http://127.0.0.1:${port}`;
    return {
      app,
      url,
      namespace,
      token: (role, sub = role === 'admin' ? 'alice' : 'student-1') => signToken(TEST_JWT_SECRET, { sub, role }),
      async call(method, path, token, body) {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

