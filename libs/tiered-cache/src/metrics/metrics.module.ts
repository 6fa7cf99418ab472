import { Module } from '@nestjs/common';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { TieredCacheMetricsConfigurableModule } from './metrics.module-definition.js';
import { TieredCacheMetrics } from './tiered-cache.metrics.js';

/**
 * `GET /metrics` in Prometheus text, on a registry of its own. Needs `TieredCache` in scope.
 *
 * ```ts
 * imports: [TieredCacheMetricsModule.forRoot({ token: config.metricsToken, decorators: [Public()] })]
 * ```
 */
@Module({
  providers: [TieredCacheMetrics, MetricsTokenGuard],
  exports: [TieredCacheMetrics],
})
export class TieredCacheMetricsModule extends TieredCacheMetricsConfigurableModule {}
