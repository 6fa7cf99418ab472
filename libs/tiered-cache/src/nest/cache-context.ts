import { AsyncLocalStorage } from 'node:async_hooks';

/** Who the current call runs for. `scope: 'user' | 'tenant'` puts these into cache keys. */
export interface CacheContext {
  readonly userId?: string;
  readonly tenantId?: string;
}

/**
 * One store for the process: the context must follow a request through every provider it reaches,
 * whichever module or cache instance they belong to.
 */
export const cacheContextStorage = new AsyncLocalStorage<CacheContext>();

/**
 * Runs `fn` with `context` as the principal of every scoped `@Cached` call it makes, including
 * calls made after an `await`. Use it outside HTTP (queue consumers, cron jobs, scripts); the
 * {@link CacheContextInterceptor} does it for HTTP handlers.
 */
export function runWithCacheContext<R>(context: CacheContext, fn: () => R): R {
  return cacheContextStorage.run(context, fn);
}

/** The principal of the current call, or `undefined` outside any context. */
export function getCacheContext(): CacheContext | undefined {
  return cacheContextStorage.getStore();
}
