import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { initializeDataSource, MigrationFailedError } from './data-source.initializer.js';
import { dataSourceOptions } from './data-source.options.js';
import { EmbeddedPostgresService } from './embedded-postgres.service.js';

/**
 * The TypeORM data source: PostgreSQL at DATABASE_URL, else embedded PGlite. Pending migrations run
 * during start-up unless DB_MIGRATIONS_RUN=false. Inject `DataSource` to use it.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG, EmbeddedPostgresService],
      extraProviders: [EmbeddedPostgresService],
      useFactory: async (config: AppConfig, embedded: EmbeddedPostgresService) => {
        const { database } = config;
        const handle = database.url ? undefined : await embedded.open(database.pgliteDir);
        return {
          ...dataSourceOptions(database, handle),
          migrationsRun: database.migrationsRun,
          autoLoadEntities: true,
          // A server may still be starting (compose); the embedded database either opens or not.
          retryAttempts: database.url ? 5 : 0,
          retryDelay: 2_000,
          toRetry: (error: unknown) => !(error instanceof MigrationFailedError),
        };
      },
      dataSourceFactory: (options) => initializeDataSource(options!),
    }),
  ],
})
export class DatabaseModule {}
