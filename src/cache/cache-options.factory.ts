import type { TieredCacheOptions } from '@tiered-cache/nestjs';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/index.js';

/**
 * The engine's options from the app's config:
 * - L1 memory, always, bounded by CACHE_L1_MAX_ENTRIES / CACHE_L1_MAX_BYTES;
 * - L2 Redis (and with it the cross-instance bus) only when REDIS_URL is set, over TLS with REDIS_TLS_*;
 * - payloads signed (and values encrypted) when CACHE_INTEGRITY_KEYS (and CACHE_ENCRYPTION_KEYS) are set;
 * - L3 PostgreSQL on the pg pool TypeORM already owns. Embedded PGlite has exactly one connection,
 *   so a second pool is impossible there; on a server it saves connections. The tier never ends a
 *   pool it was given, so TypeORM stays in charge of closing it.
 *
 * @param dataSource must be initialized (inject TypeORM's `DataSource`).
 */
export function createTieredCacheOptions(config: AppConfig, dataSource: DataSource): TieredCacheOptions {
  return {
    namespace: config.cache.namespace,
    memory: { maxEntries: config.cache.l1MaxEntries, maxBytes: config.cache.l1MaxBytes },
    ...(config.redisUrl ? { redis: { url: config.redisUrl, keyPrefix: config.cache.keyPrefix, ...(config.redisTls ? { tls: config.redisTls } : {}) } } : {}),
    postgres: { pool: typeOrmPool(dataSource) },
    defaults: { ttl: config.cache.defaultTtl },
    ...(config.cache.security.integrity ? { integrity: config.cache.security.integrity } : {}),
    ...(config.cache.security.encryption ? { encryption: config.cache.security.encryption } : {}),
  };
}

/** The node-postgres pool behind a TypeORM `postgres` data source. */
export function typeOrmPool(dataSource: DataSource): pg.Pool {
  if (!dataSource.isInitialized) throw new Error('The TypeORM data source is not initialized yet');
  if (dataSource.options.type !== 'postgres') {
    throw new Error(`The L3 tier needs a postgres data source, got ${dataSource.options.type}`);
  }
  // TypeORM's PostgresDriver keeps its pool in `master` (no public accessor); it exists once
  // the data source is initialized and no replication is configured.
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) throw new Error('The TypeORM postgres driver has no pool');
  return pool;
}
