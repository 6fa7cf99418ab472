import { normalizeTags } from '../core/tags.js';
import type { TieredCache } from '../core/tiered-cache.js';
import type { AsyncMethod } from './cached-method.wrapper.js';
import type { InvalidateTagsSource } from './invalidate-tags.decorator.js';

/**
 * Wraps `method` so that `tags` are invalidated after it resolves. A rejection passes through
 * untouched and invalidates nothing. Fixed tags are validated here, once, at start-up.
 */
export function wrapInvalidatingMethod(cache: TieredCache, method: AsyncMethod, tags: InvalidateTagsSource): AsyncMethod {
  if (typeof tags === 'function') {
    return async function invalidating(this: unknown, ...args: unknown[]): Promise<unknown> {
      const result = await method.apply(this, args);
      await cache.invalidateTags(tags(args, result));
      return result;
    };
  }
  const fixed = normalizeTags(tags);
  return async function invalidating(this: unknown, ...args: unknown[]): Promise<unknown> {
    const result = await method.apply(this, args);
    await cache.invalidateTags(fixed);
    return result;
  };
}
