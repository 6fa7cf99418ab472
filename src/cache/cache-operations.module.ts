import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TieredCacheAdminModule, TieredCacheAlertsModule } from '@tiered-cache/nestjs/admin';
import { TieredCacheDashboardModule } from '@tiered-cache/nestjs/dashboard';
import { TieredCacheHealthModule } from '@tiered-cache/nestjs/health';
import { TieredCacheMaintenanceModule } from '@tiered-cache/nestjs/maintenance';
import { TieredCacheMetricsModule } from '@tiered-cache/nestjs/metrics';
import { DataSource } from 'typeorm';
import { Public } from '../auth/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { WatchProgressQueueModule, WatchProgressWriteBehind } from '../expert-sessions/write-behind/index.js';
import { AdminRateLimitGuard } from './admin-rate-limit.guard.js';
import { CacheSyncModule } from './cache-sync.module.js';
import { DbInvalidationService } from './db-invalidation.service.js';

/**
 * What operators use: `/health` probes (PostgreSQL is the source of truth; a cache tier, the bus or
 * the LISTEN connection down is only degraded), the admin API under `/admin/cache` (behind the
 * app's JWT guard, role admin, rate-limited per admin) and its web page at `/admin/dashboard`, scheduled cleanup
 * (`CACHE_CLEANUP_INTERVAL`, default 1 h), `/metrics` (optional `METRICS_TOKEN`) and alerts at
 * `/admin/cache/alerts` (`ALERT_*`). See docs/operations.md, docs/dashboard.md and docs/alerts.md.
 */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    TieredCacheMaintenanceModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ cleanupInterval: config.cache.cleanupInterval }),
    }),
    TieredCacheHealthModule.forRootAsync({
      imports: [CacheSyncModule, WatchProgressQueueModule],
      inject: [DataSource, DbInvalidationService, WatchProgressWriteBehind],
      useFactory: (dataSource: DataSource, listener: DbInvalidationService, progress: WatchProgressWriteBehind) => ({
        sourceCheck: () => dataSource.query('SELECT 1'),
        listener,
        writeBehind: progress.enabled ? progress : undefined,
      }),
      decorators: [Public()],
    }),
    // Fleet heartbeats and the trends' minute writes at the app's settings (docs/fleet.md, docs/trends.md),
    // and the watch-progress write-behind shown in the stats when it is on (docs/write-behind.md).
    TieredCacheAdminModule.forRootAsync({
      imports: [WatchProgressQueueModule],
      inject: [APP_CONFIG, WatchProgressWriteBehind],
      useFactory: (config: AppConfig, progress: WatchProgressWriteBehind) => ({
        fleet: { interval: config.cache.fleetInterval },
        trends: { flushInterval: config.cache.trendsFlushInterval },
        writeBehind: progress.enabled ? progress : undefined,
      }),
    }),
    // The page and its assets are public; its data calls carry the operator's admin token.
    TieredCacheDashboardModule.forRoot({ decorators: [Public()] }),
    TieredCacheMetricsModule.forRootAsync({
      imports: [CacheSyncModule, WatchProgressQueueModule],
      inject: [APP_CONFIG, DbInvalidationService, WatchProgressWriteBehind],
      useFactory: (config: AppConfig, listener: DbInvalidationService, progress: WatchProgressWriteBehind) => ({
        token: config.cache.metricsToken,
        listener,
        writeBehind: progress.enabled ? progress : undefined,
      }),
      decorators: [Public()],
    }),
    // Alerts (docs/alerts.md): the rules of deploy/prometheus/tiered-cache.rules.yml, evaluated here
    // too and listed at GET /admin/cache/alerts; thresholds and webhook from the ALERT_* settings.
    TieredCacheAlertsModule.forRootAsync({
      imports: [CacheSyncModule, WatchProgressQueueModule],
      inject: [APP_CONFIG, DbInvalidationService, WatchProgressWriteBehind],
      useFactory: (config: AppConfig, listener: DbInvalidationService, progress: WatchProgressWriteBehind) => ({
        thresholds: config.alerts.thresholds,
        evaluationInterval: config.alerts.evaluationInterval,
        webhook: config.alerts.webhookUrl ? { url: config.alerts.webhookUrl } : undefined,
        listener,
        writeBehind: progress.enabled ? progress : undefined,
      }),
    }),
  ],
  // Registered after AuthModule's guard, so it runs second and can count per admin.
  providers: [{ provide: APP_GUARD, useClass: AdminRateLimitGuard }],
})
export class CacheOperationsModule {}
