/** Injection token of the resolved {@link TieredCacheAlertsOptions}. */
export const TIERED_CACHE_ALERTS_OPTIONS = Symbol('TIERED_CACHE_ALERTS_OPTIONS');
