/** Injection token of the {@link TieredCacheMaintenanceOptions}. */
export const TIERED_CACHE_MAINTENANCE_OPTIONS = Symbol('TIERED_CACHE_MAINTENANCE_OPTIONS');
