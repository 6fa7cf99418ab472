import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TieredCacheHealthConfigurableModule } from './health.module-definition.js';
import { SourceDatabaseHealthIndicator } from './source-database.health.js';
import { TieredCacheHealthIndicator } from './tiered-cache.health.js';

/**
 * Terminus indicators of the cache, and (unless `controller: false`) the `/health`, `/health/ready`
 * and `/health/live` probes. Needs `TieredCache` in scope.
 */
@Module({
  imports: [TerminusModule],
  providers: [TieredCacheHealthIndicator, SourceDatabaseHealthIndicator],
  exports: [TerminusModule, TieredCacheHealthIndicator, SourceDatabaseHealthIndicator],
})
export class TieredCacheHealthModule extends TieredCacheHealthConfigurableModule {}
