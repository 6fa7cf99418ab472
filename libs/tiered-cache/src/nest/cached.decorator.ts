import { SetMetadata } from '@nestjs/common';
import type { CacheCallOptions } from '../core/options.js';

/*
 * Defaults of the decorators' type parameters when no key or tag function pins them down. They
 * must accept every method: with `unknown[]`, a method taking `(id: string)` would not type-check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type AnyArguments = any[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type AnyResult = any;

/** Whose entry a cached call reads and writes: one per user, or one per tenant. */
export type CacheScope = 'user' | 'tenant';

/**
 * Options of {@link Cached}. `A` is the method's parameter list, `R` what its promise resolves to.
 * Durations are milliseconds or strings such as `'30s'`, `'5m'`.
 */
export interface CachedOptions<A extends unknown[] = AnyArguments, R = AnyResult> extends Omit<CacheCallOptions<R>, 'tags'> {
  /**
   * Builds the key from the method's arguments. The result is used as is, so two methods may share
   * entries on purpose, and `TieredCache.delete(key)` can reach them; keys starting with `~` are
   * reserved for scopes and the Keyv store. Default `ClassName.methodName:` + a stable hash of the
   * arguments.
   */
  key?: (...args: A) => string;
  /** Tags to invalidate the entry by; a function gets the arguments (as an array) and the result. */
  tags?: readonly string[] | ((args: A, result: R) => readonly string[]);
  /**
   * Keeps one entry per user or tenant of the current cache context (see `runWithCacheContext` and
   * `CacheContextInterceptor`). A call without that principal throws `MissingScopeError`.
   */
  scope?: CacheScope;
}

/** Metadata key under which {@link Cached} stores its options on the method. */
export const CACHED_METADATA = 'tiered-cache:cached';

/**
 * Caches what a provider method resolves to, through `TieredCache.getOrSet`: concurrent calls with
 * the same key run the method once, and a failing method caches nothing.
 *
 * The method must return a promise. It is wrapped when the application initialises, so calls from
 * other providers' `onModuleInit` hooks may not be cached yet. Providers only, not controllers,
 * and not request-scoped providers.
 *
 * @example
 * ```ts
 * @Cached({ ttl: '5m', key: (id: string) => `user:${id}`, tags: ([id]) => [`user:${id}`] })
 * async findUser(id: string): Promise<User> { ... }
 * ```
 */
export function Cached<A extends unknown[] = AnyArguments, R = AnyResult>(options: CachedOptions<A, R> = {}) {
  return <M extends (...args: A) => Promise<R>>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    SetMetadata(CACHED_METADATA, options)(target, propertyKey, descriptor);
  };
}
