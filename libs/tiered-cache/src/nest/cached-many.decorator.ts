import { SetMetadata } from '@nestjs/common';
import type { CacheCallOptions } from '../core/options.js';
import type { AnyResult, CacheScope } from './cached.decorator.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any id type, as AnyArguments does for @Cached
export type AnyId = any;

/**
 * Options of {@link CachedMany}. `K` is the id type, `V` the value of one id. Durations are
 * milliseconds or strings such as `'30s'`, `'5m'`.
 */
export interface CachedManyOptions<K = AnyId, V = AnyResult> extends Omit<CacheCallOptions<V>, 'tags'> {
  /**
   * The key of one id's entry. Default `ClassName.methodName:` + a stable hash of the id (and of
   * the method's further arguments, if any). Keys starting with `~` are reserved.
   */
  key?: (id: K) => string;
  /** Tags of one id's entry: fixed, or a function of its value. */
  tags?: readonly string[] | ((value: V) => readonly string[]);
  /** One entry per user or tenant of the current cache context, as for `@Cached`. */
  scope?: CacheScope;
}

/** Metadata key under which {@link CachedMany} stores its options on the method. */
export const CACHED_MANY_METADATA = 'tiered-cache:cached-many';

/**
 * Caches, per id, what a provider method that takes a list of ids returns, through
 * `TieredCache.getOrSetMany`: the method is called only with the ids no tier holds, so
 * `findByIds([1, 2, 3])` after `findByIds([2, 3, 4])` calls `findByIds([1])`.
 *
 * Contract of the method: its first argument is the array of ids; it resolves to one value per id,
 * either an array in the order of the ids it was given or a `Map` from id to value. A value for
 * every id: an id without a row must get a value that says so (`null`, say), which is cached like
 * any other; an array of another length, or a map without some id, rejects the call with
 * `BatchLoaderError` and caches nothing of it. The wrapped method resolves to an array, one value
 * per id asked for, in order (also when the method returns a map); an id given twice is loaded once.
 * Further arguments are passed on unchanged and, with the default key, are part of each id's key.
 *
 * @example
 * ```ts
 * @CachedMany({ ttl: '5m', key: (id: number) => `student:${id}`, tags: (s: Student) => [`student:${s.id}`] })
 * async findByIds(ids: number[]): Promise<Student[]> { ... }
 * ```
 */
export function CachedMany<K = AnyId, V = AnyResult>(options: CachedManyOptions<K, V> = {}) {
  return <M extends (ids: K[], ...rest: AnyId[]) => Promise<readonly V[] | ReadonlyMap<K, V>>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(CACHED_MANY_METADATA, options)(target, propertyKey, descriptor);
  };
}
