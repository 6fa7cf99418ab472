import { InvalidOptionError } from '../core/errors.js';
import type { TieredCache } from '../core/tiered-cache.js';
import { staticCallOptions } from './call-options.js';
import type { CachedOptions } from './cached.decorator.js';
import { assertKey, assertUnreservedKey, scopedKey } from './scoped-key.js';
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
    const key = scope === undefined ? keyOf(args) : scopedKey(keyOf(args), scope, target);
    const load = () => method.apply(this, args);
    if (tagsOf === undefined) return cache.getOrSet(key, load, callOptions);
    return cache.getOrSet(key, load, { ...callOptions, tags: (result: unknown) => tagsOf(args, result) });
  };
}

function keyFunction(target: string, options: CachedOptions): (args: unknown[]) => string {
  const custom = options.key;
  if (custom === undefined) {
    const prefix = `${target}:`;
    return (args) => prefix + argumentsKey(args);
  }
  // A scoped key gets the principal in front, which already puts it outside any unscoped key.
  if (options.scope !== undefined) return (args) => assertKey(custom(...args));
  return (args) => assertUnreservedKey(custom(...args));
}
