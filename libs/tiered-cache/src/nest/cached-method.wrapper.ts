import { InvalidOptionError } from '../core/errors.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { staticCallOptions } from './call-options.js';
import type { CachedOptions } from './cached.decorator.js';
import { scopedKey, userKey } from './scoped-key.js';
import { argumentsKey } from './stable-hash.js';

export type AsyncMethod = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/**
 * Wraps `method` so that a call goes through `cache.getOrSet`. Everything that does not depend on
 * the arguments is settled here, once: a call only builds its key (and its tag function, if the
 * tags depend on the arguments). Invalid options fail at start-up, not on the first call.
 *
 * @param target `ClassName.methodName`, the default key prefix and the name in errors.
 */
export function wrapCachedMethod(cache: TieredCache, target: string, method: AsyncMethod, options: CachedOptions): AsyncMethod {
  const scope = options.scope;
  if (scope !== undefined && scope !== 'user' && scope !== 'tenant') {
    throw new InvalidOptionError(`@Cached(${target}).scope`, `must be 'user' or 'tenant', got ${JSON.stringify(scope)}`);
  }
  const keyOf = keyFunction(target, options);
  const tagsOf = typeof options.tags === 'function' ? options.tags : undefined;
  const callOptions = staticCallOptions(`@Cached(${target})`, options);

  return async function cached(this: unknown, ...args: unknown[]): Promise<unknown> {
    const key = keyOf(args);
    const load = () => method.apply(this, args);
    if (tagsOf === undefined) return cache.getOrSet(key, load, callOptions);
    return cache.getOrSet(key, load, { ...callOptions, tags: (result: unknown) => tagsOf(args, result) });
  };
}

function keyFunction(target: string, options: CachedOptions): (args: unknown[]) => string {
  const { key: custom, scope } = options;
  if (custom !== undefined) return (args) => userKey(custom(...args), scope, target);
  const prefix = `${target}:`;
  if (scope === undefined) return (args) => prefix + argumentsKey(args);
  return (args) => scopedKey(prefix + argumentsKey(args), scope, target);
}
