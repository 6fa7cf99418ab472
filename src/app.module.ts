import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TieredCacheExceptionFilter, TieredCacheModule } from '@tiered-cache/nestjs';
import { DataSource } from 'typeorm';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { AuthModule } from './auth/index.js';
import { CacheOperationsModule } from './cache/cache-operations.module.js';
import { CacheSyncModule, createTieredCacheOptions } from './cache/index.js';
import { ChatsModule } from './chats/chats.module.js';
import { APP_CONFIG, ConfigModule, type AppConfig } from './config/index.js';
import { DatabaseModule } from './database/database.module.js';
import { ExpertSessionsModule } from './expert-sessions/expert-sessions.module.js';
import { StudentsModule } from './students/students.module.js';

/** The reference application. Build it with the config loaded by `loadConfig()`. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        // Global: TieredCache is injectable everywhere, and @Cached / @InvalidateTags methods of
        // every provider are wrapped. Its L3 runs on TypeORM's pool, hence the DataSource.
        TieredCacheModule.forRootAsync({
          inject: [APP_CONFIG, DataSource],
          useFactory: (appConfig: AppConfig, dataSource: DataSource) => createTieredCacheOptions(appConfig, dataSource),
        }),
        CacheSyncModule,
        AuthModule,
        // Health probes, admin API, scheduled cleanup, metrics.
        CacheOperationsModule,
        // Domain
        ExpertSessionsModule,
        AnalyticsModule,
        StudentsModule,
        ChatsModule,
      ],
      // A cache error answers with its own status (400 for a key or tag made of bad input, 504 for a
      // loader timeout, ...) instead of a bare 500: docs/http-errors.md.
      providers: [{ provide: APP_FILTER, useClass: TieredCacheExceptionFilter }],
    };
  }
}
