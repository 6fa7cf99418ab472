import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CacheCleanupService } from './cache-cleanup.service.js';
import { CacheWarmerExplorer } from './cache-warmer.explorer.js';
import { CacheWarmerRegistry } from './cache-warmers.js';
import { TieredCacheMaintenanceConfigurableModule } from './maintenance.module-definition.js';

/**
 * Scheduled L3 cleanup and cache warmers. Needs `TieredCache` (from `TieredCacheModule`) and
 * `ScheduleModule.forRoot()` in the application.
 *
 * ```ts
 * imports: [ScheduleModule.forRoot(), TieredCacheMaintenanceModule.forRoot({ maxRows: 1_000_000 })]
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [CacheCleanupService, CacheWarmerRegistry, CacheWarmerExplorer],
  exports: [CacheCleanupService, CacheWarmerRegistry],
})
export class TieredCacheMaintenanceModule extends TieredCacheMaintenanceConfigurableModule {}
