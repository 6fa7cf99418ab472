/**
 * Injection token of the {@link TieredCacheModuleOptions}. It lives apart from the module definition
 * so that providers the definition registers can inject it without an import cycle.
 */
export const TIERED_CACHE_MODULE_OPTIONS = Symbol('TIERED_CACHE_MODULE_OPTIONS');
