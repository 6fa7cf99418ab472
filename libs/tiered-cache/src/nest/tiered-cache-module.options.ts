import type { TieredCacheOptions } from '../core/options.js';
import type { PrincipalResolver } from './principal.resolver.js';

/** Options of {@link TieredCacheModule}: the engine's options plus the Nest-specific ones. */
export interface TieredCacheModuleOptions extends TieredCacheOptions {
  /**
   * Reads the principal of a request for `scope: 'user' | 'tenant'`.
   * Default: `req.user.sub` as the user, `req.user.tenant` as the tenant.
   */
  principal?: PrincipalResolver;
  /**
   * How long start-up waits for Redis and the bus. Past it the application starts anyway and the
   * cache serves from its other tiers until Redis is back. Default 5,000 ms.
   */
  readyTimeoutMs?: number;
}

/** Options that shape the module itself, so they cannot come from an async factory. */
export interface TieredCacheModuleExtras {
  /** Registers the module globally. Default `true`. */
  isGlobal?: boolean;
  /**
   * Registers {@link CacheContextInterceptor} as a global interceptor, so every handler runs with
   * its principal in the cache context. Default `true`. Turn it off to apply it per controller.
   */
  contextInterceptor?: boolean;
}
