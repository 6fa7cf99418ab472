import { Module, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TieredCache } from '../core/tiered-cache.js';
import { CachedMethodsExplorer } from './cached-methods.explorer.js';
import { CacheContextInterceptor } from './cache-context.interceptor.js';
import { TIERED_CACHE_MODULE_OPTIONS } from './tiered-cache.constants.js';
import { TieredCacheConfigurableModule } from './tiered-cache.module-definition.js';
import { tieredCacheProvider } from './tiered-cache.provider.js';

/**
 * Provides {@link TieredCache} (inject it by its class), wraps `@Cached` and `@InvalidateTags`
 * methods, and runs handlers in their principal's cache context.
 *
 * `forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`. Global by default
 * (`isGlobal: false` to opt out); `contextInterceptor: false` leaves {@link CacheContextInterceptor}
 * to be applied by hand.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [tieredCacheProvider, CachedMethodsExplorer, CacheContextInterceptor],
  exports: [TieredCache, CacheContextInterceptor, TIERED_CACHE_MODULE_OPTIONS],
})
export class TieredCacheModule extends TieredCacheConfigurableModule implements BeforeApplicationShutdown {
  constructor(private readonly cache: TieredCache) {
    super();
  }

  /**
   * Closes after every provider's `onModuleDestroy`, but before `onApplicationShutdown`, where the
   * database modules end the connections L3 may share (TypeORM's pool, embedded PGlite): the final
   * hit-count flush still has a connection.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.cache.close();
  }
}
