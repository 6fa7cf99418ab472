import { Module } from '@nestjs/common';
import { TIERED_CACHE_ALERTS_OPTIONS } from './alerts.constants.js';
import { TIERED_CACHE_ALERTS_RAW_OPTIONS, TieredCacheAlertsConfigurableModule } from './alerts.module-definition.js';
import { resolveAlertsOptions, type TieredCacheAlertsOptions } from './alerts.options.js';
import { TieredCacheAlertsAccessGuard } from './alerts-access.guard.js';
import { CacheAlertsService } from './cache-alerts.service.js';

/**
 * Alerts evaluated in the app, from the same rules as `deploy/prometheus/tiered-cache.rules.yml`,
 * served at `GET /admin/cache/alerts` (behind the admin module's authorization) and optionally
 * POSTed to a webhook. Needs `TieredCache` in scope.
 *
 * ```ts
 * imports: [TieredCacheAdminModule.forRoot({}), TieredCacheAlertsModule.forRoot({ thresholds: { hitRatioMin: 0.8 } })]
 * ```
 */
@Module({
  providers: [
    {
      provide: TIERED_CACHE_ALERTS_OPTIONS,
      inject: [TIERED_CACHE_ALERTS_RAW_OPTIONS],
      useFactory: (options: TieredCacheAlertsOptions) => resolveAlertsOptions(options),
    },
    CacheAlertsService,
    TieredCacheAlertsAccessGuard,
  ],
  exports: [CacheAlertsService],
})
export class TieredCacheAlertsModule extends TieredCacheAlertsConfigurableModule {}
