/** Injection token of the {@link TieredCacheMetricsOptions}. */
export const TIERED_CACHE_METRICS_OPTIONS = Symbol('TIERED_CACHE_METRICS_OPTIONS');
