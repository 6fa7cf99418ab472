/** Injection token of the {@link TieredCacheHealthOptions}. */
export const TIERED_CACHE_HEALTH_OPTIONS = Symbol('TIERED_CACHE_HEALTH_OPTIONS');
