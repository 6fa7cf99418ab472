/** Injection token of the {@link TieredCacheDashboardOptions}. */
export const TIERED_CACHE_DASHBOARD_OPTIONS = Symbol('TIERED_CACHE_DASHBOARD_OPTIONS');
/** Injection token of the dashboard's own route path (module extra `path`, without slashes at the ends). */
export const TIERED_CACHE_DASHBOARD_PATH = Symbol('TIERED_CACHE_DASHBOARD_PATH');
