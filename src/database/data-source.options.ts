import { resolveTls } from '@tiered-cache/nestjs';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import type { DatabaseConfig } from '../config/index.js';
import type { EmbeddedPostgresHandle } from './embedded-postgres.js';
import { TypeOrmNestLogger } from './typeorm.logger.js';

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** Statements slower than this are logged as warnings, with their SQL text only. */
const SLOW_QUERY_MS = 2_000;

/**
 * TypeORM settings for the configured database: the server at `DATABASE_URL`, or the embedded
 * PGlite in `embedded` when no URL is set. Shared by the Nest module and the migration CLI.
 */
export function dataSourceOptions(config: DatabaseConfig, embedded?: EmbeddedPostgresHandle): PostgresOptions {
  const common = {
    type: 'postgres',
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // Each migration in its own transaction: a failure leaves the earlier ones applied and recorded.
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    // Through Nest's Logger, SQL text only: TypeORM's default logger prints parameters to the console.
    logger: new TypeOrmNestLogger(['error', 'warn', 'migration']),
    maxQueryExecutionTime: SLOW_QUERY_MS,
  } satisfies Partial<PostgresOptions>;
  // TypeORM types `ssl` as server-side TlsOptions; pg hands it to tls.connect, which takes these.
  if (config.url) return { ...common, url: config.url, ...(config.tls ? { ssl: resolveTls(config.tls, 'DATABASE_SSL') as PostgresOptions['ssl'] } : {}) };
  if (!embedded) throw new Error('DATABASE_URL is not set and no embedded database was opened');
  const { pgConfig } = embedded;
  return {
    ...common,
    host: pgConfig.host,
    port: pgConfig.port,
    username: pgConfig.user,
    password: pgConfig.password,
    database: pgConfig.database,
    // PGlite has exactly one backend, so the pool holds one client on the shared connection. It is
    // never idled out, because a closed client would end that shared connection.
    extra: { connection: pgConfig.connection, max: 1, idleTimeoutMillis: 0 },
    // PGlite ships pgcrypto built in; TypeORM must not try CREATE EXTENSION on start-up.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
  };
}
