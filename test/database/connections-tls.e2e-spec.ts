import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ModuleRef } from '@nestjs/core';
import { cacheSchemaSql, TieredCache } from '@tiered-cache/nestjs';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { createTieredCacheOptions } from '../../src/cache/cache-options.factory.js';
import { listenClientFactoryProvider } from '../../src/cache/listen-client.factory.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { PostgresProcess } from '../support/postgres-process.js';
import { RedisProcess } from '../support/redis-process.js';
import { createTestCertificates, type TestCertificates } from '../support/tls-certificates.js';

const ENCRYPTED = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

/**
 * The app's own connections, configured only by its environment, against servers that accept TLS
 * only: TypeORM's (whose pool the L3 tier uses), the LISTEN sessions, and the Redis tier and bus.
 */
describe('the app over TLS, configured by DATABASE_SSL_* and REDIS_TLS_*', () => {
  let certs: TestCertificates;
  let postgres: PostgresProcess;
  let redis: RedisProcess;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    certs = await createTestCertificates();
    [postgres, redis] = await Promise.all([
      PostgresProcess.start({ certFile: certs.serverCertFile, keyFile: certs.serverKeyFile }),
      RedisProcess.start({ tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile } }),
    ]);
  }, 30_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await Promise.all([postgres?.stop(), redis?.stop()]);
    await certs?.dispose();
  });

  async function connect(env: Record<string, string>): Promise<DataSource> {
    const dataSource = new DataSource(dataSourceOptions(loadConfig(env).database));
    await dataSource.initialize();
    closers.push(() => dataSource.destroy());
    return dataSource;
  }

  it('TypeORM, the L3 tier on its pool, the LISTEN sessions and Redis all run over TLS', async () => {
    const config = loadConfig({ DATABASE_URL: postgres.url(), DATABASE_SSL_CA: certs.caFile, REDIS_URL: redis.url, REDIS_TLS_CA: certs.caFile });
    const dataSource = await connect({ DATABASE_URL: postgres.url(), DATABASE_SSL_CA: certs.caFile });
    expect(await dataSource.query(ENCRYPTED)).toEqual([{ ssl: true }]);
    await dataSource.query(cacheSchemaSql('public'));

    const createClient = await listenClientFactoryProvider.useFactory(config, dataSource, undefined as unknown as ModuleRef);
    const listen: pg.Client = createClient();
    closers.push(() => listen.end());
    await listen.connect();
    expect((await listen.query(ENCRYPTED)).rows).toEqual([{ ssl: true }]);

    const cache = new TieredCache(createTieredCacheOptions(config, dataSource));
    closers.push(() => cache.close());
    expect(await cache.ready(3_000)).toBe(true);
    await cache.set('greeting', 'over tls', { tags: ['t'] });
    expect(await cache.get('greeting', { tiers: ['l2'] })).toBe('over tls');
    expect(await cache.get('greeting', { tiers: ['l3'] })).toBe('over tls');
    expect(cache.stats().bus).toBe('connected');
  });

  it('without the settings, the same servers refuse the app or the app refuses them', async () => {
    await expect(connect({ DATABASE_URL: postgres.url() })).rejects.toThrow(/no pg_hba\.conf entry .*no encryption/);
    await expect(connect({ DATABASE_URL: postgres.url(), DATABASE_SSL_CA: certs.otherCaFile })).rejects.toThrow(/certificate/);
    const config = loadConfig({ DATABASE_URL: postgres.url(), DATABASE_SSL_CA: certs.otherCaFile });
    const createClient = await listenClientFactoryProvider.useFactory(config, undefined as unknown as DataSource, undefined as unknown as ModuleRef);
    const listen = createClient();
    await expect(listen.connect()).rejects.toThrow(/certificate/);
    // rediss:// alone verifies against the system CAs, which do not know the test CA.
    const cache = new TieredCache({ memory: false, redis: { url: redis.url } });
    closers.push(() => cache.close());
    expect(await cache.ready(1_000)).toBe(false);
  });
});
