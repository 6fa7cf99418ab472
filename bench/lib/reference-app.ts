/**
 * The reference app (`src/`) booted for a bench case, on storage of the run's own. Imports `src/`,
 * so load it only through `loadReferenceApp()` (`app-alias.ts`), never statically.
 */
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TieredCache } from '@tiered-cache/nestjs';
import pg from 'pg';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { DbInvalidationService, typeOrmPool } from '../../src/cache/index.js';
import { loadConfig, type AppConfig, type HttpAdapterName } from '../../src/config/index.js';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { seedDatabase, type SeedScale } from '../../src/domain/seed/index.js';
import { createHttpAdapter } from '../../src/http/http-adapter.factory.js';
import type { BenchEnv } from './env.js';

export { signToken } from '../../src/auth/index.js';
export { AnalyticsService } from '../../src/analytics/analytics.service.js';
export { PRODUCT_PERFORMANCE_SQL } from '../../src/analytics/analytics.queries.js';
export { clientTag, EXPERT_SESSIONS_TAG, expertSessionTag, PRODUCT_PERFORMANCE_TAG, productTag } from '../../src/domain/index.js';
export { LIST_WITH_STATS_SQL } from '../../src/expert-sessions/expert-sessions.queries.js';
export { ExpertSessionsService } from '../../src/expert-sessions/expert-sessions.service.js';
export { StudentProgressService } from '../../src/students/student-progress.service.js';
export { SEED_SCALES } from '../../src/domain/seed/index.js';
export { TieredCache };
export type { SeedScale };

export interface ReferenceAppOptions {
  /** Names the database (`<run schema>_<label>`), the Redis prefix and the cache namespace. */
  label: string;
  /** Data set: the app's own seed (`src/domain/seed`) at this scale. */
  scale: SeedScale;
  /** Bench-only modules booted with the app (imported before it). */
  imports?: Array<Type | DynamicModule>;
  /** Listen on an ephemeral port on 127.0.0.1; otherwise only `init()` (in-process calls). */
  listen?: boolean;
  /** The HTTP platform (`HTTP_ADAPTER`); default Express, as `main.ts` has it. */
  httpAdapter?: HttpAdapterName;
}

/** What {@link startReferenceAppPeer} may choose for the other instance. */
export type ReferenceAppPeerOptions = Pick<ReferenceAppOptions, 'imports' | 'listen' | 'httpAdapter'>;

export interface ReferenceApp {
  readonly app: INestApplication;
  /** The settings it was booted with (the same for a peer, but for `httpAdapter`). */
  readonly config: AppConfig;
  /** The pg pool behind TypeORM, which the cache's L3 tier shares. */
  readonly pool: pg.Pool;
  /** The app's `TieredCache` (L1 memory, L2 Redis, L3 PostgreSQL, as `main.ts` configures it). */
  readonly cache: TieredCache;
  readonly dataSource: DataSource;
  /** `postgres://.../<database>`: the app's own database, for connections outside the app. */
  readonly databaseUrl: string;
  readonly database: string;
  /** The HS256 secret the app verifies tokens with (random per run). */
  readonly jwtSecret: string;
  /** `http://127.0.0.1:<port>` when `listen` was set. */
  readonly url: string | undefined;
  /** Waits until the app's LISTEN connection has applied every trigger notification sent so far. */
  settleInvalidations(timeoutMs?: number): Promise<void>;
  /**
   * Closes the app and drops its database now, so that the next case does not run next to it;
   * `env.dispose()` does it otherwise. A peer closes only itself.
   */
  close(): Promise<void>;
}

/**
 * Boots the real `AppModule` as `main.ts` does (same config loader, same `configureApp`: global
 * validation pipe, JWT guard, OpenAPI) on a fresh database of its own, migrated and filled with the
 * app's seed (`src/domain/seed`) before the app starts, with the run's Redis prefix (`CACHE_KEY_PREFIX`) and a namespace
 * of its own (`CACHE_NAMESPACE`). `env.dispose()` closes the app and drops the database; the Redis
 * keys go with the run's prefix.
 *
 * A fresh database rather than the run's schema: the app's migrations write to `public`, like the
 * tests' `createTestDatabase`.
 */
export async function startReferenceApp(env: BenchEnv, options: ReferenceAppOptions): Promise<ReferenceApp> {
  const database = `${env.schema}_${options.label}`;
  await adminQuery(env.databaseUrl, `CREATE DATABASE "${database}"`);
  const dropDatabase = once(() => adminQuery(env.databaseUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  env.onDispose(dropDatabase);
  const url = new URL(env.databaseUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  const jwtSecret = randomBytes(32).toString('hex');

  const config = loadConfig({
    AUTH_JWT_SECRET: jwtSecret,
    DATABASE_URL: databaseUrl,
    REDIS_URL: env.redisUrl,
    CACHE_NAMESPACE: database,
    CACHE_KEY_PREFIX: `${env.prefix}${options.label}:`,
    HTTP_ADAPTER: options.httpAdapter ?? 'express',
  });

  // Migrated and seeded before the app starts, as `npm run seed` does it. Seeding a running app
  // would work too, but at this bench's scale the seed's triggers notify ~100k distinct tags at
  // once, and the listener's concurrent invalidations time out on Redis and open the L2 breaker
  // for a while (see docs/performance.md, case 7). Started afterwards, the app's listener catches
  // up on the seed's stamps in batches.
  await migrateAndSeed(config, options.scale);

  const booted = await bootReferenceApp(env, config, options, { databaseUrl, database, jwtSecret });
  return {
    ...booted,
    async close() {
      try {
        await booted.close();
      } finally {
        await dropDatabase();
      }
    },
  };
}

/**
 * Another instance of `primary` on the same database, Redis prefix, namespace and JWT secret (so on
 * the same L2 and L3 entries, and the same tokens), e.g. on the other HTTP platform; its L1 is its
 * own. Nothing is migrated or seeded again. `env.dispose()` or its `close()` closes it; the
 * database stays the primary's.
 */
export async function startReferenceAppPeer(env: BenchEnv, primary: ReferenceApp, options: ReferenceAppPeerOptions): Promise<ReferenceApp> {
  const config: AppConfig = { ...primary.config, httpAdapter: options.httpAdapter ?? 'express' };
  return bootReferenceApp(env, config, options, primary);
}

/** Boots `AppModule` on `config`, on a database that is already migrated and seeded. */
async function bootReferenceApp(
  env: BenchEnv,
  config: AppConfig,
  options: ReferenceAppPeerOptions,
  database: Pick<ReferenceApp, 'databaseUrl' | 'database' | 'jwtSecret'>,
): Promise<ReferenceApp> {
  copyLibraryAssets();
  @Module({ imports: [...(options.imports ?? []), AppModule.forRoot(config)] })
  class BenchRootModule {}

  const app = await NestFactory.create(BenchRootModule, createHttpAdapter(config), { logger: ['error', 'warn'], abortOnError: false });
  const closeApp = once(() => app.close());
  env.onDispose(closeApp);
  // configureApp also installs Nest's shutdown hooks, which on Ctrl-C would close the app and
  // re-raise the signal while the runner's own handler is still removing the run's storage: the
  // runner's handler closes the app (env.dispose), so Nest's are taken off again.
  const signals = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR2'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  configureApp(app);
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  if (options.listen) await app.listen(0, '127.0.0.1');
  else await app.init();

  const dataSource = app.get(DataSource);
  const settleInvalidations = (timeoutMs = 10_000) => settle(app, dataSource, timeoutMs);
  await settleInvalidations();
  const address = options.listen ? (app.getHttpServer() as { address(): AddressInfo }).address() : undefined;
  return {
    app,
    config,
    pool: typeOrmPool(dataSource),
    cache: app.get(TieredCache),
    dataSource,
    ...database,
    url: address ? `http://127.0.0.1:${address.port}` : undefined,
    settleInvalidations,
    close: async () => {
      await closeApp();
    },
  };
}

/** `work` runs the first time only; later calls get the same promise. */
function once(work: () => Promise<unknown>): () => Promise<unknown> {
  let done: Promise<unknown> | undefined;
  return () => (done ??= work());
}

async function migrateAndSeed(config: ReturnType<typeof loadConfig>, scale: SeedScale): Promise<void> {
  const dataSource = new DataSource({ ...dataSourceOptions(config.database), logging: ['error'] });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const runner = dataSource.createQueryRunner();
    try {
      await seedDatabase(runner, scale);
    } finally {
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Files the library reads next to its compiled modules (the dashboard's `public/`), which
 * `npm run build` copies to `dist/` and the bench's plain `tsc` does not: copied here, before the
 * app is built, into the bench's `dist/bench/`.
 */
function copyLibraryAssets(): void {
  for (const directory of ['libs/tiered-cache/src/dashboard/public']) {
    const source = new URL(`../../../../${directory}`, import.meta.url);
    if (existsSync(source)) cpSync(source, new URL(`../../${directory}`, import.meta.url), { recursive: true });
  }
}

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Publishes a unique tag through the triggers' function and waits for the listener to apply it. */
async function settle(app: INestApplication, dataSource: DataSource, timeoutMs: number): Promise<void> {
  const sentinel = `bench-settle:${randomUUID()}`;
  const listener = app.get(DbInvalidationService);
  let off: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const applied = new Promise<void>((resolve, reject) => {
    off = listener.onApplied((tags) => {
      if (tags.includes(sentinel)) resolve();
    });
    timer = setTimeout(() => reject(new Error(`the app's invalidation listener did not apply ${sentinel} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await dataSource.query('SELECT cache_publish_tags($1::text[])', [[sentinel]]);
    await applied;
  } finally {
    clearTimeout(timer);
    off();
  }
}

/** Where a statement ran: the app's own SQL (through TypeORM) or the cache's L3 tier (pg pool). */
export type StatementSource = 'domain' | 'l3';

/**
 * Counts the SQL statements the app sends to PostgreSQL, by source and by the operation that
 * caused them: each operation runs inside {@link StatementCounter.run} with a label, which an
 * `AsyncLocalStorage` carries down to the statement (also into a `@Cached` loader, which runs in
 * the calling operation's context). Statements outside any operation count under `other`.
 * - `domain`: every statement TypeORM runs (its logger's `logQuery`, called whatever the logging
 *   options), i.e. the app's queries and writes;
 * - `l3`: every `pool.query` on TypeORM's pool, which is how the cache's PostgreSQL tier talks to
 *   it (TypeORM itself checks clients out with `connect()`).
 * Queries on other connections (the bench's own checks) are not counted.
 */
export class StatementCounter {
  private readonly context = new AsyncLocalStorage<string>();
  private counts = new Map<string, number>();

  static install(dataSource: DataSource): StatementCounter {
    const counter = new StatementCounter();
    const logger = dataSource.logger;
    const wrapped = new Proxy(logger, {
      get(target, property, receiver) {
        if (property === 'logQuery') {
          return (query: string, parameters?: unknown[], runner?: unknown) => {
            counter.add('domain');
            return target.logQuery(query, parameters, runner as never);
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    (dataSource as unknown as { logger: TypeOrmLogger }).logger = wrapped;
    const pool = typeOrmPool(dataSource);
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.add('l3');
      return query(...args);
    };
    return counter;
  }

  run<T>(label: string, work: () => Promise<T>): Promise<T> {
    return this.context.run(label, work);
  }

  /** Returns the counts so far and starts again from zero. */
  take(): StatementCounts {
    const taken = new StatementCounts(this.counts);
    this.counts = new Map();
    return taken;
  }

  private add(source: StatementSource): void {
    const key = `${source}|${this.context.getStore() ?? 'other'}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** A snapshot of {@link StatementCounter}'s counts. */
export class StatementCounts {
  constructor(private readonly counts: ReadonlyMap<string, number>) {}

  /** Statements of `source` whose label passes `labels` (all when omitted). */
  count(source: StatementSource, labels: (label: string) => boolean = () => true): number {
    let total = 0;
    for (const [key, count] of this.counts) {
      const separator = key.indexOf('|');
      if (key.slice(0, separator) === source && labels(key.slice(separator + 1))) total += count;
    }
    return total;
  }
}
