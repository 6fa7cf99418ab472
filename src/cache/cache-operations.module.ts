import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TieredCacheAdminModule } from '@tiered-cache/nestjs/admin';
import { TieredCacheDashboardModule } from '@tiered-cache/nestjs/dashboard';
import { TieredCacheHealthModule } from '@tiered-cache/nestjs/health';
import { TieredCacheMaintenanceModule } from '@tiered-cache/nestjs/maintenance';
import { TieredCacheMetricsModule } from '@tiered-cache/nestjs/metrics';
import { DataSource } from 'typeorm';
import { Public } from '../auth/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { AdminRateLimitGuard } from './admin-rate-limit.guard.js';
import { CacheSyncModule } from './cache-sync.module.js';
import { DbInvalidationService } from './db-invalidation.service.js';

/**
 * What operators use: `/health` probes (PostgreSQL is the source of truth; a cache tier, the bus or
 * the LISTEN connection down is only degraded), the admin API under `/admin/cache` (behind the
 * app's JWT guard, role admin, rate-limited per admin) and its web page at `/admin/dashboard`, scheduled cleanup
 * (`CACHE_CLEANUP_INTERVAL`, default 1 h), and `/metrics` (optional `METRICS_TOKEN`). See
 * docs/operations.md and docs/dashboard.md.
 */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    TieredCacheMaintenanceModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ cleanupInterval: config.cache.cleanupInterval }),
    }),
    TieredCacheHealthModule.forRootAsync({
      imports: [CacheSyncModule],
      inject: [DataSource, DbInvalidationService],
      useFactory: (dataSource: DataSource, listener: DbInvalidationService) => ({
        sourceCheck: () => dataSource.query('SELECT 1'),
        listener,
      }),
      decorators: [Public()],
    }),
    TieredCacheAdminModule.forRoot({}),
    // The page and its assets are public; its data calls carry the operator's admin token.
    TieredCacheDashboardModule.forRoot({ decorators: [Public()] }),
    TieredCacheMetricsModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ token: config.cache.metricsToken }),
      decorators: [Public()],
    }),
  ],
  // Registered after AuthModule's guard, so it runs second and can count per admin.
  providers: [{ provide: APP_GUARD, useClass: AdminRateLimitGuard }],
})
export class CacheOperationsModule {}
