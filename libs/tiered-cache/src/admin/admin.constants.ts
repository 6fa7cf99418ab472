/** Injection token of the {@link TieredCacheAdminOptions}. */
export const TIERED_CACHE_ADMIN_OPTIONS = Symbol('TIERED_CACHE_ADMIN_OPTIONS');
/** Injection token of the {@link ConfirmationStore} of two-step actions. */
export const TIERED_CACHE_ADMIN_CONFIRMATIONS = Symbol('TIERED_CACHE_ADMIN_CONFIRMATIONS');
