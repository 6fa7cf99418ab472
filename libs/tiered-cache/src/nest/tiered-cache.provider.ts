import { Logger, type FactoryProvider } from '@nestjs/common';
import { TieredCache } from '../core/tiered-cache.js';
import { logPayloadRejections } from './payload-rejections.logger.js';
import { TIERED_CACHE_MODULE_OPTIONS } from './tiered-cache.constants.js';
import type { TieredCacheModuleOptions } from './tiered-cache-module.options.js';

const DEFAULT_READY_TIMEOUT_MS = 5_000;

/**
 * Creates the cache and waits for Redis and the bus, so that the first requests find them
 * connected. `ready()` never rejects: with Redis away the application still starts, and the
 * cache serves from its other tiers until Redis is back.
 */
export const tieredCacheProvider: FactoryProvider<Promise<TieredCache>> = {
  provide: TieredCache,
  inject: [TIERED_CACHE_MODULE_OPTIONS],
  useFactory: async (options: TieredCacheModuleOptions) => {
    const { principal: _principal, readyTimeoutMs, ...engineOptions } = options;
    const cache = new TieredCache(engineOptions);
    const logger = new Logger('TieredCache');
    logPayloadRejections(cache, logger);
    for (const { tier, reason } of cache.offTiers) logger.log(`${tier === 'l2' ? 'L2 (Redis)' : 'L3 (PostgreSQL)'} is off: ${reason}`);
    const timeoutMs = readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    if (!(await cache.ready(timeoutMs))) {
      new Logger('TieredCache').warn(`Redis is not reachable after ${timeoutMs} ms; starting without it, serving from the other tiers`);
    }
    return cache;
  },
};
