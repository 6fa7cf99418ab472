import { Logger, type FactoryProvider } from '@nestjs/common';
import { pgListenClientFactory, type ListenClientFactory } from '@tiered-cache/nestjs';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { EmbeddedPostgresService } from '../database/embedded-postgres.service.js';
import { typeOrmPool } from './cache-options.factory.js';
import { PgliteListenClient } from './pglite-listen.client.js';

export type { ListenClientFactory } from '@tiered-cache/nestjs';

/** Injection token of the app's {@link ListenClientFactory}. */
export const LISTEN_CLIENT_FACTORY = Symbol('LISTEN_CLIENT_FACTORY');

/**
 * LISTEN needs a session of its own that nobody returns to a pool, so each listener gets a fresh
 * client: a plain connection to DATABASE_URL (with TCP keep-alive, so a dead server is noticed, and
 * the DATABASE_SSL_* settings of the app's other connections), or,
 * on embedded PGlite, a {@link PgliteListenClient} on the same in-process database.
 */
export const listenClientFactoryProvider: FactoryProvider<Promise<ListenClientFactory>> = {
  provide: LISTEN_CLIENT_FACTORY,
  inject: [APP_CONFIG, DataSource, ModuleRef],
  useFactory: async (config: AppConfig, dataSource: DataSource, moduleRef: ModuleRef) => {
    const url = config.database.url;
    if (url) return pgListenClientFactory({ connectionString: url, ssl: config.database.tls, option: 'DATABASE_SSL' });
    // The database module owns PGlite; open() hands back the instance it already opened.
    const embedded = moduleRef.get(EmbeddedPostgresService, { strict: false });
    const { pglite } = await embedded.open(config.database.pgliteDir);
    const pool = typeOrmPool(dataSource);
    new Logger('Database').log('Embedded PGlite: LISTEN/NOTIFY runs in this process only, so other processes never see these notifications');
    return () => new PgliteListenClient(pglite, pool).asPgClient();
  },
};
