import { Module } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { resolveOpsStore } from '../maintenance/ops-store.js';
import { AdminAuditInterceptor } from './admin-audit.interceptor.js';
import { CacheAdminAudit } from './admin-audit.service.js';
import { TIERED_CACHE_ADMIN_CONFIRMATIONS, TIERED_CACHE_ADMIN_OPTIONS } from './admin.constants.js';
import { TieredCacheAdminConfigurableModule } from './admin.module-definition.js';
import { TieredCacheAdminGuard } from './admin.guard.js';
import type { TieredCacheAdminOptions } from './admin.options.js';
import { CacheAdminService } from './cache-admin.service.js';
import { CachePoliciesService } from './cache-policies.service.js';
import { PolicySuggestionsService } from './policy-suggestions.service.js';
import { MemoryConfirmationStore, PostgresConfirmationStore, type ConfirmationStore } from './confirmations.js';
import { FastifyParamLimitCheck } from './fastify-param-limit.check.js';
import { FleetHeartbeatService } from './fleet-heartbeat.service.js';
import { CacheStatsHistory } from './stats-history.js';
import { CacheKeyGroups } from '../groups/key-group.service.js';
import { CacheTrends } from '../trends/trends.service.js';

/**
 * The cache admin REST API. Needs `TieredCache` in scope, an app auth guard that sets `req.user`,
 * and (for cleanup, its log and warmers) `TieredCacheMaintenanceModule`.
 *
 * ```ts
 * imports: [TieredCacheAdminModule.forRoot({ role: 'admin' })]
 * ```
 */
@Module({
  providers: [
    CacheAdminService,
    CacheAdminAudit,
    TieredCacheAdminGuard,
    AdminAuditInterceptor,
    CacheStatsHistory,
    FastifyParamLimitCheck,
    FleetHeartbeatService,
    // Trends and key groups (docs/trends.md).
    CacheKeyGroups,
    CacheTrends,
    // Runtime policies and their suggestions (docs/policies.md).
    CachePoliciesService,
    PolicySuggestionsService,
    {
      provide: TIERED_CACHE_ADMIN_CONFIRMATIONS,
      inject: [TieredCache, TIERED_CACHE_ADMIN_OPTIONS],
      useFactory: (cache: TieredCache, options: TieredCacheAdminOptions): ConfirmationStore => {
        const store = resolveOpsStore(cache, options);
        return store ? new PostgresConfirmationStore(store) : new MemoryConfirmationStore();
      },
    },
  ],
  exports: [CacheAdminService, CacheAdminAudit, CacheStatsHistory, CacheKeyGroups, CacheTrends, CachePoliciesService],
})
export class TieredCacheAdminModule extends TieredCacheAdminConfigurableModule {}
