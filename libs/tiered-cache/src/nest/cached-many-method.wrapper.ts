import { InvalidOptionError } from '../core/errors.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { staticCallOptions } from './call-options.js';
import type { CachedManyOptions } from './cached-many.decorator.js';
import type { AsyncMethod } from './cached-method.wrapper.js';
import { scopedKey, userKey } from './scoped-key.js';
import { argumentsKey } from './stable-hash.js';

/** The first argument of a `@CachedMany` method is not an array. */
export class CachedManyArgumentError extends TypeError {
  constructor(target: string, received: unknown) {
    super(`@CachedMany(${target}) takes an array of ids as its first argument, got ${received === null ? 'null' : typeof received}`);
    this.name = 'CachedManyArgumentError';
  }
}

/**
 * Wraps `method` so that a call goes through `cache.getOrSetMany`, the method getting only the ids
 * that missed. Options are checked here, once, so that bad ones fail at start-up.
 */
export function wrapCachedManyMethod(cache: TieredCache, target: string, method: AsyncMethod, options: CachedManyOptions): AsyncMethod {
  const scope = options.scope;
  if (scope !== undefined && scope !== 'user' && scope !== 'tenant') {
    throw new InvalidOptionError(`@CachedMany(${target}).scope`, `must be 'user' or 'tenant', got ${JSON.stringify(scope)}`);
  }
  const keyOf = keyFunction(target, options);
  const callOptions = staticCallOptions(`@CachedMany(${target})`, options);
  const tagsOf = options.tags;
  const call = typeof tagsOf === 'function' ? { ...callOptions, tags: (value: unknown) => tagsOf(value) } : callOptions;

  return async function cachedMany(this: unknown, ...args: unknown[]): Promise<unknown> {
    const [ids, ...rest] = args;
    if (!Array.isArray(ids)) throw new CachedManyArgumentError(target, ids);
    const keys = ids.map((id) => keyOf(id, rest));
    const idOf = new Map<string, unknown>();
    keys.forEach((key, index) => idOf.set(key, ids[index]));
    const load = async (missing: string[]) => {
      const missingIds = missing.map((key) => idOf.get(key));
      const result = (await method.apply(this, [missingIds, ...rest])) as readonly unknown[] | ReadonlyMap<unknown, unknown>;
      if (!(result instanceof Map)) return result as readonly unknown[];
      // By cache key, for the engine; an id the map lacks stays missing and fails the batch.
      const byId = result as ReadonlyMap<unknown, unknown>;
      return new Map(missing.flatMap((key, index) => (byId.has(missingIds[index]) ? [[key, byId.get(missingIds[index])] as const] : [])));
    };
    return cache.getOrSetMany(keys, load, call);
  };
}

function keyFunction(target: string, options: CachedManyOptions): (id: unknown, rest: unknown[]) => string {
  const { key: custom, scope } = options;
  if (custom !== undefined) return (id) => userKey(custom(id), scope, target);
  const prefix = `${target}:`;
  const plain = (id: unknown, rest: unknown[]) => prefix + argumentsKey(rest.length === 0 ? [id] : [id, ...rest]);
  if (scope === undefined) return plain;
  return (id, rest) => scopedKey(plain(id, rest), scope, target);
}
